/**
 * StopServiceDeployment with stopType ROLLBACK (the one ECS accepts): an IN_PROGRESS deployment
 * of a rolling service stops, and a new deployment of the previous service revision (the last
 * COMPLETED deployment's task definition) takes its place, whether or not the circuit breaker's
 * rollback was asked for. The scheduler then replaces the stopped deployment's tasks as in any
 * rollout; the stopped one reads ROLLBACK_SUCCESSFUL in DescribeServiceDeployments once replaced.
 */
import { parseArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ServiceRecord } from '../store/index.ts';
import {
  ConflictException,
  InvalidParameterException,
  ServiceDeploymentNotFoundException,
  UnsupportedFeatureException,
} from './errors.ts';
import { addEvent } from './service-events.ts';
import type { ServiceWithHistory } from './service-deployment-history.ts';
import { changeService, newDeployment, storedService } from './services.ts';
import type {
  Deployment,
  ServiceEvent,
  StopServiceDeploymentRequest,
  StopServiceDeploymentResponse,
} from './shapes.generated.ts';
import type { TaskDeps } from './tasks.ts';

/** The rolloutStateReason of a deployment stopped this way. */
export const STOPPED_BY_USER_REASON = 'Service deployment stopped by StopServiceDeployment (ROLLBACK).';

/** The deployment's id ecs-svc/ID from arn:…:service-deployment/CLUSTER/SERVICE/ID. */
function target(arn: string, context: RequestContext): { cluster: string; service: string; id: string } {
  const parsed = parseArn(arn);
  const [kind, cluster, service, id] = (parsed?.resource ?? '').split('/');
  if (kind !== 'service-deployment' || !cluster || !service || !id || parsed?.accountId !== context.accountId)
    throw new ServiceDeploymentNotFoundException('The service deployment does not exist.');
  return { cluster, service, id: `ecs-svc/${id}` };
}

function rolledBack(deps: TaskDeps, record: ServiceRecord, id: string): ServiceRecord {
  const service = record.body as ServiceWithHistory;
  const deployments = (service.deployments ?? []) as Deployment[];
  const [primary] = deployments;
  if (!deployments.some((d) => d.id === id) && !service.deploymentHistory?.some((d) => d.id === id))
    throw new ServiceDeploymentNotFoundException('The service deployment does not exist.');
  if (primary?.id !== id || primary.rolloutState !== 'IN_PROGRESS')
    throw new ConflictException(
      'The service deployment is not in progress: only an ongoing deployment can be stopped.',
    );
  const strategy = service.deploymentConfiguration?.strategy ?? 'ROLLING';
  if (strategy !== 'ROLLING')
    throw new UnsupportedFeatureException(`Berth stops ROLLING deployments only, not ${strategy} ones.`);
  const previous = deployments.slice(1).find((d) => d.rolloutState === 'COMPLETED');
  if (!previous) throw new ConflictException('The service has no previous service revision to roll back to.');
  const now = deps.clock.now();
  const stopped: Deployment = {
    ...primary,
    status: 'ACTIVE',
    rolloutState: 'FAILED',
    rolloutStateReason: STOPPED_BY_USER_REASON,
    updatedAt: now,
  };
  const rollback = newDeployment({ ...service, taskDefinition: previous.taskDefinition }, now);
  const events = addEvent(
    (service.events ?? []) as ServiceEvent[],
    `(service ${record.name}) rolling back to deployment ${previous.id}.`,
    now,
  );
  const next = {
    ...service,
    taskDefinition: previous.taskDefinition,
    deployments: [rollback, stopped, ...deployments.slice(1)],
    events,
  };
  return { ...record, body: { ...storedService(next), steady: false } };
}

export async function stopServiceDeployment(
  deps: TaskDeps,
  input: StopServiceDeploymentRequest,
  context: RequestContext,
): Promise<StopServiceDeploymentResponse> {
  if ((input.stopType ?? 'ROLLBACK') !== 'ROLLBACK')
    throw new InvalidParameterException(`stopType ${input.stopType} is not supported: the valid value is ROLLBACK.`);
  const { cluster, service, id } = target(input.serviceDeploymentArn, context);
  const [record] = await deps.store.services.get(cluster, [service]);
  if (!record || record.status === 'INACTIVE')
    throw new ServiceDeploymentNotFoundException('The service deployment does not exist.');
  await changeService(deps, cluster, service, async (record) => rolledBack(deps, record, id));
  return { serviceDeploymentArn: input.serviceDeploymentArn };
}
