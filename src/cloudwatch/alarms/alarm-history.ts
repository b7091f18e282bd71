import { randomBytes } from 'node:crypto';
import type { AlarmHistoryRecord } from '../../store/index.ts';
import type { HistoryItemType, StateValue } from '../shapes.generated.ts';

/** A history id that sorts by time: 16-digit epoch ms, then random. */
export function historyId(timestamp: number): string {
  return `${String(timestamp).padStart(16, '0')}-${randomBytes(6).toString('hex')}`;
}

function item(
  alarmName: string,
  timestamp: number,
  type: HistoryItemType,
  summary: string,
  data: unknown,
): AlarmHistoryRecord {
  return {
    id: historyId(timestamp),
    alarmName,
    timestamp: new Date(timestamp),
    itemType: type,
    body: { summary, data: JSON.stringify(data) },
  };
}

export function stateUpdateItem(
  alarmName: string,
  timestamp: number,
  change: {
    readonly old: { value: StateValue; reason: string; reasonData?: string | undefined };
    readonly new: { value: StateValue; reason: string; reasonData?: string | undefined };
  },
): AlarmHistoryRecord {
  const state = (s: typeof change.old) => ({
    stateValue: s.value,
    stateReason: s.reason,
    ...(s.reasonData === undefined ? {} : { stateReasonData: JSON.parse(s.reasonData) as unknown }),
  });
  return item(alarmName, timestamp, 'StateUpdate', `Alarm updated from ${change.old.value} to ${change.new.value}`, {
    version: '1.0',
    oldState: state(change.old),
    newState: state(change.new),
  });
}

export function configurationItem(
  alarmName: string,
  timestamp: number,
  change: { created: boolean; config: unknown },
): AlarmHistoryRecord {
  return item(
    alarmName,
    timestamp,
    'ConfigurationUpdate',
    `Alarm "${alarmName}" ${change.created ? 'created' : 'updated'}`,
    {
      version: '1.0',
      type: change.created ? 'Create' : 'Update',
      [change.created ? 'createdAlarm' : 'updatedAlarm']: change.config,
    },
  );
}

export function actionItem(
  alarmName: string,
  timestamp: number,
  outcome: { actionArn: string; error?: string },
): AlarmHistoryRecord {
  const summary =
    outcome.error === undefined
      ? `Successfully executed action ${outcome.actionArn}`
      : `Failed to execute action ${outcome.actionArn}. Received error: "${outcome.error}"`;
  return item(alarmName, timestamp, 'Action', summary, {
    actionState: outcome.error === undefined ? 'Succeeded' : 'Failed',
    notificationResource: outcome.actionArn,
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
  });
}
