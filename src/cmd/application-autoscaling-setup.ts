import { randomUUID } from 'node:crypto';
import { policyAlarmActions, runScheduledActions, type AutoScalingDeps } from '../application-autoscaling/index.ts';
import { deleteAlarms, putMetricAlarm, type CloudWatchDeps } from '../cloudwatch/index.ts';
import { serviceDesiredCount, setServiceDesiredCount } from '../ecs/index.ts';
import type { TaskDeps } from '../ecs/task-deps.ts';
import type { Clock, TimeScale } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { MetadataStore } from '../store/index.ts';
import { schedulePeriodic, type LoopLease } from './periodic.ts';

/** How often scheduled actions are looked at (their expressions have minute, at() second, resolution). */
const SCHEDULED_ACTIONS_MS = 5000;
const ACTIVITY_RETENTION_MS = 42 * 86_400_000;

/**
 * Application Auto Scaling in process: it scales ECS services through UpdateService's path, and
 * CloudWatch and it call each other (alarms run policies; target tracking policies own alarms), so
 * CloudWatch's deps are bound once they exist.
 */
export function applicationAutoScaling(options: {
  store: MetadataStore;
  clock: Clock;
  scope: { region: string; accountId: string };
  taskDeps: TaskDeps;
}) {
  const cloudWatch: { deps?: CloudWatchDeps } = {};
  const { taskDeps } = options;
  const deps: AutoScalingDeps = {
    store: options.store,
    clock: options.clock,
    scope: options.scope,
    newId: randomUUID,
    services: {
      desiredCount: (cluster, service) => serviceDesiredCount(taskDeps, cluster, service),
      setDesiredCount: (cluster, service, count) => setServiceDesiredCount(taskDeps, cluster, service, count),
    },
    alarms: {
      put: (input) => putMetricAlarm(cloudWatch.deps!, input),
      delete: (names) => deleteAlarms(cloudWatch.deps!, { AlarmNames: [...names] }),
    },
  };
  return {
    deps,
    alarmActions: policyAlarmActions(deps),
    bindCloudWatch: (bound: CloudWatchDeps) => void (cloudWatch.deps = bound),
  };
}

/**
 * Scheduled actions every 5 s, and activities past six weeks dropped as it goes: 5 s of metrics
 * time (`time`, metrics-time.ts), the clock of `deps`.
 */
export function scheduleScalingActions(
  deps: AutoScalingDeps,
  logger: Logger,
  time?: Pick<TimeScale, 'baseMs'> | undefined,
  lease?: LoopLease | undefined,
) {
  return schedulePeriodic(
    'scheduled scaling actions',
    time?.baseMs(SCHEDULED_ACTIONS_MS) ?? SCHEDULED_ACTIONS_MS,
    async () => {
      await runScheduledActions(deps);
      await deps.store.applicationAutoScaling.pruneActivities(deps.clock.now().getTime() - ACTIVITY_RETENTION_MS);
    },
    logger,
    { lease },
  );
}
