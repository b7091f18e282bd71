import { pruneStoppedTasks, reconcileServices } from '../ecs/index.ts';
import type { TimeScale } from '../shared/clock.ts';
import type { ServerConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { MetadataStore } from '../store/index.ts';
import { scheduleScalingActions } from './application-autoscaling-setup.ts';
import { scheduleBerthMetrics } from './berth-metrics.ts';
import { scheduleCloudWatchJobs } from './cloudwatch-jobs.ts';
import { scheduleSessionHistory } from './ecs-exec.ts';
import { scheduleLogRetention } from './log-retention.ts';
import { listenToServers } from './multi-server.ts';
import type { ServerLeases } from './server-leases.ts';
import { schedulePeriodic } from './periodic.ts';
import { scheduleRegistryMaintenance } from './registry-maintenance.ts';

/** How often the service scheduler reconciles every service (also woken by each change). */
const SERVICE_SCHEDULER_INTERVAL_MS = 1000;

type Periodic = Pick<ReturnType<typeof schedulePeriodic<unknown>>, 'stop' | 'idle'>;

/**
 * The server's loops: the service scheduler (sharded by cluster under leases when several servers
 * share the store), registry maintenance, log and metric retention, the alarm evaluator, stopped
 * task pruning, the exec session history, Berth's own metrics and scheduled scaling actions; and
 * the other servers' change notices that wake them. `scheduler.services` is set for the task deps'
 * serviceChanged, which wakes it.
 */
export async function startServerLoops(deps: {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly leases: ServerLeases | undefined;
  readonly scheduler: { services?: ReturnType<typeof schedulePeriodic<void>> };
  readonly registry: Parameters<typeof scheduleRegistryMaintenance>[0];
  readonly cloudWatchDeps: Parameters<typeof scheduleCloudWatchJobs>[0];
  readonly alarmEvaluationMs: number | undefined;
  readonly taskDeps: Parameters<typeof reconcileServices>[0] & Parameters<typeof scheduleBerthMetrics>[0];
  readonly syncLoadBalancers: () => Promise<unknown>;
  readonly sessionHistory: Parameters<typeof scheduleSessionHistory>[0];
  readonly dataPlane: Parameters<typeof scheduleBerthMetrics>[0]['dataPlane'];
  readonly autoScalingDeps: Parameters<typeof scheduleScalingActions>[0];
  /** Metrics time (metrics-time.ts): the clock and pace of CloudWatch, Auto Scaling and Berth's metrics. */
  readonly metricsTime: TimeScale;
}) {
  const { config, logger, leases, scheduler, taskDeps } = deps;
  const store: MetadataStore = taskDeps.store;
  const lease = leases;
  const gc = scheduleRegistryMaintenance(deps.registry, logger, {
    uploadIdleMs: config.uploadExpirySeconds * 1000,
    lease,
  });
  const logRetention = scheduleLogRetention({ store, clock: taskDeps.clock }, logger, { lease });
  const time = deps.metricsTime;
  const cloudWatchJobs = scheduleCloudWatchJobs(deps.cloudWatchDeps, logger, {
    alarmEvaluationMs: deps.alarmEvaluationMs,
    time,
    lease,
  });
  scheduler.services = schedulePeriodic(
    'service scheduler',
    SERVICE_SCHEDULER_INTERVAL_MS,
    () => reconcileServices(taskDeps, logger, { shards: leases?.shards }),
    logger,
  );
  listenToServers(store.changes, {
    servicesChanged: () => void scheduler.services?.runNow(),
    loadBalancersChanged: () => void deps.syncLoadBalancers().catch((err: unknown) => logger.warn({ err }, 'ELB sync')),
  });
  const taskPruning = schedulePeriodic(
    'stopped task pruning',
    5 * 60 * 1000,
    () => pruneStoppedTasks({ store, clock: taskDeps.clock }),
    logger,
    { lease },
  );
  const sessionHistory = await scheduleSessionHistory(deps.sessionHistory, logger, { lease });
  const metrics = scheduleBerthMetrics(
    { ...taskDeps, clock: time.clock, dataPlane: deps.dataPlane },
    { publishMs: config.metricsPublishMs, logger, time },
  );
  const scalingActions = scheduleScalingActions(deps.autoScalingDeps, logger, time, lease);
  const periodics: Periodic[] = [gc, logRetention, cloudWatchJobs, taskPruning, sessionHistory, scheduler.services];
  periodics.push(metrics, scalingActions);
  return { gc, logRetention, taskPruning, periodics };
}

/**
 * What an interrupted write left behind, cleared at start: S3 uploads and blobs of a PUT that never
 * finished; registry uploads past the expiry (the others keep only acknowledged bytes, so a client
 * may resume them). Housekeeping: if it fails (a full disk), the server starts anyway and GC tries again.
 */
export async function sweepInterruptedWrites(deps: {
  readonly s3: { sweep(): Promise<{ uploads: number; blobs: number }> };
  readonly uploads: { reclaim(options: { idleBefore: Date }): Promise<number> };
  readonly clock: { now(): Date };
  readonly logger: Logger;
  readonly config: Pick<ServerConfig, 'uploadExpirySeconds'>;
}): Promise<void> {
  const { logger } = deps;
  const swept = await deps.s3.sweep();
  if (swept.uploads + swept.blobs > 0) logger.info(swept, 'S3: removed what an interrupted PUT left behind');
  const idleBefore = new Date(deps.clock.now().getTime() - deps.config.uploadExpirySeconds * 1000);
  await deps.uploads.reclaim({ idleBefore }).then(
    (removed) => removed > 0 && logger.info({ uploads: removed }, 'registry: removed abandoned uploads'),
    (error: unknown) => logger.warn({ err: error }, 'registry: abandoned uploads not reclaimed at start'),
  );
}
