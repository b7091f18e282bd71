import type { StateValue } from '../shapes.generated.ts';

/** A state change an alarm's actions are run for. */
export interface AlarmTransition {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly oldState: StateValue;
  readonly newState: StateValue;
  readonly reason: string;
  /** The new state's StateReasonData (JSON: recentDatapoints newest first, threshold), when the evaluator gave one. */
  readonly reasonData?: string | undefined;
  readonly timestamp: Date;
}

/**
 * Where alarm actions go: the server wires Application Auto Scaling's (policyAlarmActions), which
 * accepts its scaling policy ARNs and runs the policy. PutMetricAlarm refuses an action
 * no sink accepts, so an alarm never holds an action that would silently do nothing.
 */
export interface AlarmActionSink {
  /** Whether an action ARN is one Berth can act on. */
  accepts(actionArn: string): boolean;
  /** Runs the action for a transition (actions enabled); a rejection is recorded in the alarm's history. */
  act(actionArn: string, transition: AlarmTransition): Promise<void>;
  /**
   * Whether the action runs again once a minute while the alarm stays in the state, as CloudWatch
   * invokes Auto Scaling actions ("the alarm continues to invoke the action once per minute that
   * the alarm remains in the new state"); such a repeat comes with oldState equal to newState.
   */
  repeats?(actionArn: string): boolean;
}

/** How often a repeating action runs while its alarm stays in the state. */
export const ACTION_REPEAT_MS = 60_000;

/** A sink that accepts no action (tests, and CloudWatch without Application Auto Scaling). */
export const noAlarmActions: AlarmActionSink = {
  accepts: () => false,
  act: () => Promise.reject(new Error('no alarm action sink is configured')),
};
