import type { CloudWatchDeps } from '../deps.ts';
import { InvalidFormatFault, InvalidParameterCombinationException, ResourceNotFound } from '../errors.ts';
import type {
  DeleteAlarmsInput,
  DisableAlarmActionsInput,
  EnableAlarmActionsInput,
  PutCompositeAlarmInput,
  SetAlarmStateInput,
} from '../shapes.generated.ts';
import { storedAlarm, type StoredAlarm } from './alarm-record.ts';
import { changeAlarmState } from './alarm-state.ts';

/**
 * SetAlarmState: the alarm takes the state until its next evaluation (which may return it, as
 * CloudWatch's does); a change runs the state's actions.
 */
export async function setAlarmState(deps: CloudWatchDeps, input: SetAlarmStateInput): Promise<void> {
  if (input.StateReasonData !== undefined) {
    try {
      JSON.parse(input.StateReasonData);
    } catch {
      throw new InvalidFormatFault('The parameter StateReasonData is not valid JSON.');
    }
  }
  const record = await deps.store.cloudWatch.getAlarm(input.AlarmName);
  if (!record) throw new ResourceNotFound(`Alarm ${input.AlarmName} not found`);
  await changeAlarmState(deps, input.AlarmName, {
    value: input.StateValue,
    reason: input.StateReason,
    ...(input.StateReasonData === undefined ? {} : { reasonData: input.StateReasonData }),
  });
}

/** DeleteAlarms: the named alarms that exist go; their history stays for its 30 days. */
export async function deleteAlarms(deps: CloudWatchDeps, input: DeleteAlarmsInput): Promise<void> {
  await deps.store.cloudWatch.deleteAlarms(input.AlarmNames);
}

export async function enableAlarmActions(deps: CloudWatchDeps, input: EnableAlarmActionsInput): Promise<void> {
  await setActionsEnabled(deps, input.AlarmNames, true);
}

export async function disableAlarmActions(deps: CloudWatchDeps, input: DisableAlarmActionsInput): Promise<void> {
  await setActionsEnabled(deps, input.AlarmNames, false);
}

async function setActionsEnabled(deps: CloudWatchDeps, names: readonly string[], enabled: boolean): Promise<void> {
  for (const name of names) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = await deps.store.cloudWatch.getAlarm(name);
      if (!record) break;
      const updated: StoredAlarm = { ...storedAlarm(record), actionsEnabled: enabled };
      const written = await deps.store.cloudWatch.writeAlarm(
        { name, body: updated as unknown as Record<string, unknown> },
        { expectRevision: record.revision },
      );
      if (written) break;
    }
  }
}

/** Composite alarms are not evaluated: refused whole, so none is accepted and left unchecked. */
export function putCompositeAlarm(_deps: CloudWatchDeps, input: PutCompositeAlarmInput): Promise<void> {
  return Promise.reject(
    new InvalidParameterCombinationException(
      `Berth does not evaluate composite alarms yet: ${input.AlarmName} was not created.`,
    ),
  );
}
