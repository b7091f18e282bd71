import { pruneExpiredMetrics, type CloudWatchDeps } from '../cloudwatch/index.ts';
import type { Logger } from '../shared/logger.ts';
import { schedulePeriodic } from './periodic.ts';

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** CloudWatch's periodic work: datapoint retention every hour (and on demand). */
export function scheduleCloudWatchJobs(deps: CloudWatchDeps, logger: Logger) {
  const retention = schedulePeriodic(
    'metric retention',
    RETENTION_INTERVAL_MS,
    async () => {
      const report = await pruneExpiredMetrics(deps);
      if (report.datapointsDeleted + report.metricsDeleted + report.historyDeleted > 0) {
        logger.info({ ...report }, 'expired metric datapoints deleted');
      }
      return report;
    },
    logger,
  );
  const jobs = [retention];
  return {
    pruneNow: () => retention.runNow(),
    stop: () => jobs.forEach((job) => job.stop()),
    idle: () => Promise.all(jobs.map((job) => job.idle())).then(() => undefined),
  };
}
