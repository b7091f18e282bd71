import type { AutoScalingRecord } from '../store/index.ts';
import type {
  ScalableTargetAction,
  StepScalingPolicyConfiguration,
  SuspendedState,
  TargetTrackingScalingPolicyConfiguration,
} from './shapes.generated.ts';

/* What the store keeps of each record, as JSON bodies (times in epoch ms). */

export interface StoredTarget {
  readonly arn: string;
  readonly namespace: string;
  readonly resourceId: string;
  readonly dimension: string;
  readonly min: number;
  readonly max: number;
  readonly suspended: SuspendedState;
  readonly createdAt: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface StoredPolicy {
  readonly arn: string;
  readonly name: string;
  readonly resourceId: string;
  readonly type: 'StepScaling' | 'TargetTrackingScaling';
  readonly step?: StepScalingPolicyConfiguration;
  readonly targetTracking?: TargetTrackingScalingPolicyConfiguration;
  readonly alarms: readonly { readonly AlarmName: string; readonly AlarmARN: string }[];
  readonly createdAt: number;
  /** When the policy last changed the desired count, and which way (its cooldowns count from it). */
  readonly lastScaling?: { readonly at: number; readonly out: boolean };
}

export interface StoredScheduledAction {
  readonly arn: string;
  readonly name: string;
  readonly resourceId: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly start?: number;
  readonly end?: number;
  readonly action: ScalableTargetAction;
  readonly createdAt: number;
  /** The run after which to look for the next (creation, then each run). */
  readonly checkedUntil: number;
}

export interface StoredActivity {
  readonly activityId: string;
  readonly resourceId: string;
  readonly description: string;
  readonly cause: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly statusCode: 'Successful' | 'Failed';
  readonly statusMessage: string;
}

export function bodyOf<T>(record: AutoScalingRecord): T {
  return record.body as unknown as T;
}

export function asBody(value: object): Record<string, unknown> {
  return value as Record<string, unknown>;
}
