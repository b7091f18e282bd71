import type { CloudWatchDeps } from '../deps.ts';
import type { StateValue } from '../shapes.generated.ts';
import { ACTION_REPEAT_MS, type AlarmTransition } from './action-sink.ts';
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
    // An evaluation that keeps the state runs its repeating (Auto Scaling) actions once a minute.
    const repeating = !changed && next.evaluatedUntil !== undefined ? dueRepeats(deps, alarm, now) : [];
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
            actedAt: now,
          }
        : repeating.length > 0
          ? { ...alarm.state, actedAt: now }
          : alarm.state,
    };
    const history = changed ? [stateUpdateItem(name, now, { old: alarm.state, new: { ...next } })] : [];
    const written = await deps.store.cloudWatch.writeAlarm(
      { name, body: updated as unknown as Record<string, unknown> },
      { expectRevision: record.revision, history },
    );
    if (!written) continue;
    if (!changed) {
      if (repeating.length > 0) {
        const repeat: AlarmTransition = {
          alarmName: name,
          alarmArn: alarm.arn,
          oldState: alarm.state.value,
          newState: alarm.state.value,
          reason: alarm.state.reason,
          reasonData: next.reasonData ?? alarm.state.reasonData,
          timestamp: new Date(now),
        };
        await runActions(deps, repeating, repeat);
      }
      return undefined;
    }
    const transition: AlarmTransition = {
      alarmName: name,
      alarmArn: alarm.arn,
      oldState: alarm.state.value,
      newState: next.value,
      reason: next.reason,
      reasonData: next.reasonData,
      timestamp: new Date(now),
    };
    if (alarm.actionsEnabled) await runActions(deps, actionsFor(updated.config, next.value), transition);
    return transition;
  }
  return undefined;
}

function actionsFor(c: StoredAlarm['config'], state: StateValue): readonly string[] {
  const actions = state === 'ALARM' ? c.AlarmActions : state === 'OK' ? c.OKActions : c.InsufficientDataActions;
  return actions ?? [];
}

/** The state's repeating actions, when a minute has passed since they last ran (actions enabled). */
function dueRepeats(deps: CloudWatchDeps, alarm: StoredAlarm, now: number): readonly string[] {
  if (!alarm.actionsEnabled || now - (alarm.state.actedAt ?? alarm.state.transitionedAt) < ACTION_REPEAT_MS) return [];
  return actionsFor(alarm.config, alarm.state.value).filter((arn) => deps.actions.repeats?.(arn) ?? false);
}

async function runActions(
  deps: CloudWatchDeps,
  actions: readonly string[],
  transition: AlarmTransition,
): Promise<void> {
  for (const actionArn of actions) {
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
