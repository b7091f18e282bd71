import type { PutMetricAlarmInput } from '../cloudwatch/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { ApplicationAutoScalingRepository } from '../store/index.ts';

/** The ECS services a scalable target names, seen through the same path as UpdateService. */
export interface ScalableServices {
  /** The service's desired count, or undefined when the cluster has no ACTIVE service of that name. */
  desiredCount(cluster: string, service: string): Promise<number | undefined>;
  /** Sets the desired count as UpdateService does (compare-and-set, the scheduler woken). */
  setDesiredCount(cluster: string, service: string, count: number): Promise<void>;
}

/** CloudWatch alarms in process: target tracking policies create and delete theirs. */
export interface AlarmControl {
  put(input: PutMetricAlarmInput): Promise<void>;
  delete(names: readonly string[]): Promise<void>;
}

export interface AutoScalingDeps {
  readonly store: { readonly applicationAutoScaling: ApplicationAutoScalingRepository };
  readonly clock: Clock;
  readonly scope: { readonly region: string; readonly accountId: string };
  readonly services: ScalableServices;
  readonly alarms: AlarmControl;
  readonly newId: () => string;
}
