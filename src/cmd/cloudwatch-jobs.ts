import { evaluateAlarms, pruneExpiredMetrics, type CloudWatchDeps } from '../cloudwatch/index.ts';
import type { TimeScale } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { schedulePeriodic, type LoopLease } from './periodic.ts';

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/** How often the evaluator looks for alarms whose period boundary has passed (the shortest alarm period is 10 s). */
export const DEFAULT_ALARM_EVALUATION_MS = 5000;

/**
 * CloudWatch's periodic work: datapoint retention every hour, and the alarm evaluator every
 * `alarmEvaluationMs` (each alarm evaluated once per period boundary; tests pass a shorter
 * interval to see a boundary acted on sooner). Both are hours and seconds of metrics time
 * (`time`, metrics-time.ts: as many times more often as it goes faster); a given
 * `alarmEvaluationMs` is real milliseconds.
 */
export function scheduleCloudWatchJobs(
  deps: CloudWatchDeps,
  logger: Logger,
  options: {
    alarmEvaluationMs?: number | undefined;
    time?: Pick<TimeScale, 'baseMs'> | undefined;
    /** Several servers on one store: the timed runs only where the loop's lease is held. */
    lease?: LoopLease | undefined;
  } = {},
) {
  const { lease } = options;
  const realMs = (ms: number) => options.time?.baseMs(ms) ?? ms;
  const retention = schedulePeriodic(
    'metric retention',
    realMs(RETENTION_INTERVAL_MS),
    async () => {
      const report = await pruneExpiredMetrics(deps);
      if (report.datapointsDeleted + report.metricsDeleted + report.historyDeleted > 0) {
        logger.info({ ...report }, 'expired metric datapoints deleted');
      }
      return report;
    },
    logger,
    { lease },
  );
  const alarms = schedulePeriodic(
    'alarm evaluation',
    options.alarmEvaluationMs ?? realMs(DEFAULT_ALARM_EVALUATION_MS),
    () => evaluateAlarms(deps),
    logger,
    { lease },
  );
  const jobs = [retention, alarms];
  return {
    pruneNow: () => retention.runNow(),
    evaluateNow: () => alarms.runNow(),
    stop: () => jobs.forEach((job) => job.stop()),
    idle: () => Promise.all(jobs.map((job) => job.idle())).then(() => undefined),
  };
}
