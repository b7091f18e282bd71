import type { CloudWatchDeps } from '../deps.ts';
import type { StateValue } from '../shapes.generated.ts';
import type { AlarmTransition } from './action-sink.ts';
import { actionItem, stateUpdateItem } from './alarm-history.ts';
import { storedAlarm, type StoredAlarm } from './alarm-record.ts';

const MAX_ATTEMPTS = 5;

/**
 * Moves an alarm to a state (SetAlarmState, the evaluator): the change and its history item in one
 * write, against the revision read (retried if another writer came first); then, if the state
 * changed and actions are enabled, each of the new state's actions through the action sink, each
 * outcome recorded as an Action history item. Resolves with the transition, or undefined when the
 * state did not change or `shouldChange` declined on a re-read alarm.
 */
export async function changeAlarmState(
  deps: CloudWatchDeps,
  name: string,
  next: {
    readonly value: StateValue;
    readonly reason: string;
    readonly reasonData?: string | undefined;
    readonly evaluatedUntil?: number;
  },
): Promise<AlarmTransition | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await deps.store.cloudWatch.getAlarm(name);
    if (!record) return undefined;
    const alarm = storedAlarm(record);
    const now = deps.clock.now().getTime();
    const changed = alarm.state.value !== next.value;
    const updated: StoredAlarm = {
      ...alarm,
      evaluatedUntil: next.evaluatedUntil ?? alarm.evaluatedUntil,
      state: changed
        ? {
            value: next.value,
            reason: next.reason,
            ...(next.reasonData === undefined ? {} : { reasonData: next.reasonData }),
            updatedAt: now,
            transitionedAt: now,
          }
        : alarm.state,
    };
    const history = changed ? [stateUpdateItem(name, now, { old: alarm.state, new: { ...next } })] : [];
    const written = await deps.store.cloudWatch.writeAlarm(
      { name, body: updated as unknown as Record<string, unknown> },
      { expectRevision: record.revision, history },
    );
    if (!written) continue;
    if (!changed) return undefined;
    const transition: AlarmTransition = {
      alarmName: name,
      alarmArn: alarm.arn,
      oldState: alarm.state.value,
      newState: next.value,
      reason: next.reason,
      reasonData: next.reasonData,
      timestamp: new Date(now),
    };
    if (alarm.actionsEnabled) await runActions(deps, updated, transition);
    return transition;
  }
  return undefined;
}

async function runActions(deps: CloudWatchDeps, alarm: StoredAlarm, transition: AlarmTransition): Promise<void> {
  const c = alarm.config;
  const actions =
    transition.newState === 'ALARM'
      ? c.AlarmActions
      : transition.newState === 'OK'
        ? c.OKActions
        : c.InsufficientDataActions;
  for (const actionArn of actions ?? []) {
    let error: string | undefined;
    try {
      await deps.actions.act(actionArn, transition);
    } catch (failure) {
      error = (failure as Error).message;
    }
    await deps.store.cloudWatch.appendHistory([
      actionItem(transition.alarmName, deps.clock.now().getTime(), {
        actionArn,
        ...(error === undefined ? {} : { error }),
      }),
    ]);
  }
}
