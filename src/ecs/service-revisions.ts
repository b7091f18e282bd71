/**
 * DescribeServiceRevisions. ECS keeps a service revision per deployment (the task definition,
 * launch type or capacity providers, platform, network and load balancers it runs); Berth derives
 * each from the deployment that carries it, current or retired (service-deployment-history.ts), so
 * a revision lives as long as its deployment is kept (the last HISTORY_LIMIT retired ones).
 */
import { formatArn, parseArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ServiceRecord } from '../store/index.ts';
import type { ShiftedDeployment } from './service-blue-green.ts';
import type { ServiceWithHistory } from './service-deployment-history.ts';
import { InvalidParameterException } from './errors.ts';
import type {
  DescribeServiceRevisionsRequest,
  DescribeServiceRevisionsResponse,
  Failure,
  Service,
  ServiceRegistry,
  ServiceRevision,
} from './shapes.generated.ts';
import type { TaskDeps } from './tasks.ts';

/** ECS's limit on serviceRevisionArns per call. */
const MAX_REVISIONS = 20;

/** arn:aws:ecs:REGION:ACCOUNT:service-revision/CLUSTER/SERVICE/ID (the digits of the deployment's ecs-svc/ID). */
export function serviceRevisionArn(record: ServiceRecord, deploymentId: string): string {
  const arn = parseArn(record.arn)!;
  return formatArn('ecs', arn, `service-revision/${record.cluster}/${record.name}/${deploymentId.split('/').at(-1)!}`);
}

const dateOf = (value: unknown): Date | undefined =>
  typeof value === 'number' ? new Date(value) : value instanceof Date ? value : undefined;

/** The registries the deployment's tasks join (deployments made before Berth kept them: the service's). */
function registriesOf(deployment: ShiftedDeployment, service: Service): Pick<ServiceRevision, 'serviceRegistries'> {
  const registries =
    (deployment as { serviceRegistries?: ServiceRegistry[] }).serviceRegistries ?? service.serviceRegistries ?? [];
  return registries.length > 0 ? { serviceRegistries: registries } : {};
}

function revisionOf(record: ServiceRecord, deployment: ShiftedDeployment): ServiceRevision {
  const service = record.body as ServiceWithHistory;
  // The load balancers its tasks register in: per deployment for blue/green, else the service's.
  const loadBalancers = (service.loadBalancers ?? []).map((lb, i) => ({
    ...lb,
    ...(deployment.targetGroups?.[i] ? { targetGroupArn: deployment.targetGroups[i] } : {}),
  }));
  return {
    serviceRevisionArn: serviceRevisionArn(record, deployment.id!),
    serviceArn: record.arn,
    clusterArn: service.clusterArn,
    taskDefinition: deployment.taskDefinition,
    ...(deployment.capacityProviderStrategy?.length
      ? { capacityProviderStrategy: deployment.capacityProviderStrategy }
      : { launchType: deployment.launchType }),
    ...(deployment.platformVersion ? { platformVersion: deployment.platformVersion } : {}),
    ...(deployment.platformFamily ? { platformFamily: deployment.platformFamily } : {}),
    ...(loadBalancers.length > 0 ? { loadBalancers } : {}),
    ...(deployment.networkConfiguration ? { networkConfiguration: deployment.networkConfiguration } : {}),
    ...registriesOf(deployment, service),
    createdAt: dateOf(deployment.createdAt),
  };
}

export async function describeServiceRevisions(
  deps: TaskDeps,
  input: DescribeServiceRevisionsRequest,
  context: RequestContext,
): Promise<DescribeServiceRevisionsResponse> {
  if (input.serviceRevisionArns.length > MAX_REVISIONS)
    throw new InvalidParameterException(`serviceRevisionArns can have at most ${MAX_REVISIONS} items.`);
  const serviceRevisions: ServiceRevision[] = [];
  const failures: Failure[] = [];
  for (const arn of input.serviceRevisionArns) {
    const parsed = parseArn(arn);
    const [kind, cluster, service] = (parsed?.resource ?? '').split('/');
    const [record] =
      kind === 'service-revision' && cluster && service && parsed?.accountId === context.accountId
        ? await deps.store.services.get(cluster, [service])
        : [];
    const body = record?.body as ServiceWithHistory | undefined;
    const deployments = [...((body?.deployments ?? []) as ShiftedDeployment[]), ...(body?.deploymentHistory ?? [])];
    const found = deployments.find((d) => d.id && serviceRevisionArn(record!, d.id) === arn);
    if (record && found) serviceRevisions.push(revisionOf(record, found));
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { serviceRevisions, failures };
}
