import { recordActivity } from './activities.ts';
import type { AutoScalingDeps } from './deps.ts';
import { ObjectNotFoundException, ValidationException } from './errors.ts';
import { page } from './paging.ts';
import { asBody, bodyOf, type StoredScheduledAction, type StoredTarget } from './records.ts';
import { clampDesiredCount, requireTarget } from './scalable-targets.ts';
import { checkNamespace, DESIRED_COUNT, targetRef, type TargetRef } from './scalable-target-key.ts';
import { isTimeZone, nextRun, parseSchedule, ScheduleError } from './schedule.ts';
import type {
  DeleteScheduledActionRequest,
  DeleteScheduledActionResponse,
  DescribeScheduledActionsRequest,
  DescribeScheduledActionsResponse,
  PutScheduledActionRequest,
  PutScheduledActionResponse,
  ScheduledAction,
} from './shapes.generated.ts';

async function findAction(deps: AutoScalingDeps, ref: TargetRef, name: string) {
  const records = await deps.store.applicationAutoScaling.list('scheduled-action', { target: ref.key });
  return records.find((r) => bodyOf<StoredScheduledAction>(r).name === name);
}

/** PutScheduledAction: creates or updates (only what is given changes) an action on a registered target. */
export async function putScheduledAction(
  deps: AutoScalingDeps,
  input: PutScheduledActionRequest,
): Promise<PutScheduledActionResponse> {
  const ref = targetRef(input);
  await requireTarget(deps, ref);
  const record = await findAction(deps, ref, input.ScheduledActionName);
  const existing = record ? bodyOf<StoredScheduledAction>(record) : undefined;
  const { schedule, timeZone, action } = checkedAction(input, existing);
  const now = deps.clock.now().getTime();
  const start = input.StartTime?.getTime() ?? existing?.start;
  const end = input.EndTime?.getTime() ?? existing?.end;
  const stored: StoredScheduledAction = {
    arn:
      existing?.arn ??
      `arn:aws:autoscaling:${deps.scope.region}:${deps.scope.accountId}:scheduledAction:${deps.newId()}:resource/ecs/${ref.resourceId}:scheduledActionName/${input.ScheduledActionName}`,
    name: input.ScheduledActionName,
    resourceId: ref.resourceId,
    schedule,
    timeZone,
    ...(start === undefined ? {} : { start }),
    ...(end === undefined ? {} : { end }),
    action,
    createdAt: existing?.createdAt ?? now,
    checkedUntil: now,
  };
  const written = await deps.store.applicationAutoScaling.write(
    { kind: 'scheduled-action', id: stored.arn, target: ref.key, createdAt: stored.createdAt, body: asBody(stored) },
    { expectRevision: record?.revision },
  );
  if (!written) throw new ValidationException('The scheduled action is being changed by another request.');
  return {};
}

function checkedAction(input: PutScheduledActionRequest, existing: StoredScheduledAction | undefined) {
  const schedule = input.Schedule ?? existing?.schedule;
  if (schedule === undefined) throw new ValidationException('Schedule is required for a new scheduled action');
  try {
    parseSchedule(schedule);
  } catch (error) {
    if (error instanceof ScheduleError)
      throw new ValidationException(`Schedule ${schedule} is not valid: ${error.message}`);
    throw error;
  }
  const timeZone = input.Timezone ?? existing?.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) throw new ValidationException(`Timezone ${timeZone} is not a valid time zone`);
  const action = { ...existing?.action, ...input.ScalableTargetAction };
  const { MinCapacity: min, MaxCapacity: max } = action;
  if (min === undefined && max === undefined)
    throw new ValidationException('ScalableTargetAction must have MinCapacity, MaxCapacity or both');
  if (min !== undefined && max !== undefined && min > max)
    throw new ValidationException('Minimum capacity cannot be greater than maximum capacity');
  return { schedule, timeZone, action };
}

export async function describeScheduledActions(
  deps: AutoScalingDeps,
  input: DescribeScheduledActionsRequest,
): Promise<DescribeScheduledActionsResponse> {
  checkNamespace(input.ServiceNamespace);
  const names = input.ScheduledActionNames?.length ? new Set(input.ScheduledActionNames) : undefined;
  const actions = (await deps.store.applicationAutoScaling.list('scheduled-action'))
    .map((r) => bodyOf<StoredScheduledAction>(r))
    .filter((a) => input.ResourceId === undefined || a.resourceId === input.ResourceId)
    .filter((a) => !names || names.has(a.name))
    .filter(() => input.ScalableDimension === undefined || input.ScalableDimension === DESIRED_COUNT)
    .map(actionView);
  const { items, next } = page(actions, input, 50);
  return { ScheduledActions: items, ...(next ? { NextToken: next } : {}) };
}

function actionView(a: StoredScheduledAction): ScheduledAction {
  return {
    ScheduledActionName: a.name,
    ScheduledActionARN: a.arn,
    ServiceNamespace: 'ecs',
    Schedule: a.schedule,
    Timezone: a.timeZone,
    ResourceId: a.resourceId,
    ScalableDimension: DESIRED_COUNT,
    ...(a.start === undefined ? {} : { StartTime: new Date(a.start) }),
    ...(a.end === undefined ? {} : { EndTime: new Date(a.end) }),
    ScalableTargetAction: a.action,
    CreationTime: new Date(a.createdAt),
  };
}

export async function deleteScheduledAction(
  deps: AutoScalingDeps,
  input: DeleteScheduledActionRequest,
): Promise<DeleteScheduledActionResponse> {
  const ref = targetRef(input);
  const record = await findAction(deps, ref, input.ScheduledActionName);
  if (!record) {
    throw new ObjectNotFoundException(
      `No scheduled action found for service namespace: ecs, resource ID: ${ref.resourceId}, scalable dimension: ${ref.dimension}, scheduled action name: ${input.ScheduledActionName}`,
    );
  }
  await deps.store.applicationAutoScaling.delete('scheduled-action', record.id);
  return {};
}

/**
 * The scheduled action loop's work: each action whose next run (after the last one checked) has
 * come, inside its StartTime/EndTime, sets its target's min and max and brings the desired count
 * into them. Runs missed while the server was down run once. Resolves with how many ran.
 */
export async function runScheduledActions(deps: AutoScalingDeps): Promise<number> {
  const now = deps.clock.now().getTime();
  let ran = 0;
  for (const record of await deps.store.applicationAutoScaling.list('scheduled-action')) {
    const action = bodyOf<StoredScheduledAction>(record);
    const due = nextRun(parseSchedule(action.schedule), {
      after: action.checkedUntil,
      timeZone: action.timeZone,
      anchor: action.start ?? action.createdAt,
    });
    if (due === undefined || due > now) continue;
    const claimed = await deps.store.applicationAutoScaling.write(
      {
        kind: 'scheduled-action',
        id: record.id,
        target: record.target,
        createdAt: record.createdAt,
        body: asBody({ ...action, checkedUntil: now }),
      },
      { expectRevision: record.revision },
    );
    if (!claimed) continue;
    const inWindow =
      (action.start === undefined || due >= action.start) && (action.end === undefined || due <= action.end);
    if (inWindow && (await applyAction(deps, action))) ran++;
  }
  return ran;
}

async function applyAction(deps: AutoScalingDeps, action: StoredScheduledAction): Promise<boolean> {
  const ref = targetRef({ ServiceNamespace: 'ecs', ResourceId: action.resourceId, ScalableDimension: DESIRED_COUNT });
  for (let attempt = 0; attempt < 5; attempt++) {
    const record = await deps.store.applicationAutoScaling.get('target', ref.key);
    if (!record) return false;
    const target = bodyOf<StoredTarget>(record);
    if (target.suspended.ScheduledScalingSuspended) return false;
    const min = action.action.MinCapacity ?? target.min;
    const max = action.action.MaxCapacity ?? target.max;
    const updated: StoredTarget = { ...target, min: Math.min(min, max), max };
    const written = await deps.store.applicationAutoScaling.write(
      { kind: 'target', id: record.id, target: record.target, createdAt: record.createdAt, body: asBody(updated) },
      { expectRevision: record.revision },
    );
    if (!written) continue;
    const cause = `scheduled action name ${action.name} was triggered`;
    await recordActivity(deps, ref, {
      description: `Setting min capacity to ${updated.min} and max capacity to ${updated.max}`,
      cause,
      startTime: deps.clock.now().getTime(),
    });
    const desired = await deps.services.desiredCount(ref.cluster, ref.service);
    if (desired !== undefined) await clampDesiredCount(deps, ref, updated, desired, { cause });
    return true;
  }
  return false;
}
