import type { AutoScalingDeps } from './deps.ts';
import { asBody, bodyOf, type StoredActivity } from './records.ts';
import { checkNamespace, DESIRED_COUNT, ECS_NAMESPACE, type TargetRef } from './scalable-target-key.ts';
import type {
  DescribeScalingActivitiesRequest,
  DescribeScalingActivitiesResponse,
  ScalingActivity,
} from './shapes.generated.ts';
import { page } from './paging.ts';

/** How long activities are kept (AWS describes the last six weeks). */
export const ACTIVITY_RETENTION_MS = 42 * 86_400_000;

/**
 * Sets the service's desired count and records the scaling activity, Successful or Failed with
 * the error's message; resolves with whether the count was set.
 */
export async function scaleService(
  deps: AutoScalingDeps,
  ref: TargetRef,
  change: { readonly desired: number; readonly cause: string; readonly description?: string },
): Promise<boolean> {
  const startTime = deps.clock.now().getTime();
  let failure: string | undefined;
  try {
    await deps.services.setDesiredCount(ref.cluster, ref.service, change.desired);
  } catch (error) {
    failure = (error as Error).message;
  }
  await recordActivity(deps, ref, {
    description: change.description ?? `Setting desired count to ${change.desired}.`,
    cause: change.cause,
    startTime,
    failure,
  });
  return failure === undefined;
}

export async function recordActivity(
  deps: AutoScalingDeps,
  ref: TargetRef,
  entry: { description: string; cause: string; startTime: number; failure?: string | undefined },
): Promise<void> {
  const activity: StoredActivity = {
    activityId: deps.newId(),
    resourceId: ref.resourceId,
    description: entry.description,
    cause: entry.cause,
    startTime: entry.startTime,
    endTime: deps.clock.now().getTime(),
    statusCode: entry.failure === undefined ? 'Successful' : 'Failed',
    statusMessage:
      entry.failure ?? `Successfully set desired count. Change successfully fulfilled by ${ref.namespace}.`,
  };
  await deps.store.applicationAutoScaling.write(
    {
      kind: 'activity',
      id: activity.activityId,
      target: ref.key,
      createdAt: activity.startTime,
      body: asBody(activity),
    },
    { expectRevision: undefined },
  );
}

/** DescribeScalingActivities: newest first, of one resource when given. */
export async function describeScalingActivities(
  deps: AutoScalingDeps,
  input: DescribeScalingActivitiesRequest,
): Promise<DescribeScalingActivitiesResponse> {
  checkNamespace(input.ServiceNamespace);
  const records = await deps.store.applicationAutoScaling.list('activity');
  const activities = records
    .map((r) => bodyOf<StoredActivity>(r))
    .filter((a) => input.ResourceId === undefined || a.resourceId === input.ResourceId)
    .filter(() => input.ScalableDimension === undefined || input.ScalableDimension === DESIRED_COUNT)
    .reverse()
    .map(activityView);
  const { items, next } = page(activities, input, 50);
  return { ScalingActivities: items, ...(next ? { NextToken: next } : {}) };
}

function activityView(a: StoredActivity): ScalingActivity {
  return {
    ActivityId: a.activityId,
    ServiceNamespace: ECS_NAMESPACE,
    ResourceId: a.resourceId,
    ScalableDimension: DESIRED_COUNT,
    Description: a.description,
    Cause: a.cause,
    StartTime: new Date(a.startTime),
    EndTime: new Date(a.endTime),
    StatusCode: a.statusCode,
    StatusMessage: a.statusMessage,
  };
}
