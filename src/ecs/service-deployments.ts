/**
 * ListServiceDeployments and DescribeServiceDeployments: the deployments a service has and those
 * it retired, with their status, lifecycle stage and production traffic share.
 * Retired deployments come from the service's history (service-deployment-history.ts); each one's
 * target service revision is derived from it (service-revisions.ts).
 */
import { formatArn, parseArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ServiceRecord } from '../store/index.ts';
import { requireCluster } from './clusters.ts';
import { ServiceNotFoundException } from './errors.ts';
import { pageSize } from './pagination.ts';
import type { ShiftedDeployment } from './service-blue-green.ts';
import type { ServiceWithHistory } from './service-deployment-history.ts';
import { CIRCUIT_BREAKER_REASON, failureThreshold } from './service-circuit-breaker.ts';
import { deploymentAlarmsStatus } from './service-deployment-alarms.ts';
import { serviceNameOf } from './services.ts';
import { serviceRevisionArn } from './service-revisions.ts';
import { taskCounts } from './service-view.ts';
import type {
  DescribeServiceDeploymentsRequest,
  DescribeServiceDeploymentsResponse,
  Failure,
  ListServiceDeploymentsRequest,
  ListServiceDeploymentsResponse,
  ServiceDeployment,
  ServiceDeploymentRollbackMonitorsStatus,
  ServiceDeploymentStatus,
} from './shapes.generated.ts';
import type { TaskDeps } from './tasks.ts';

/** arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID (the digits of ecs-svc/ID). */
function deploymentArn(record: ServiceRecord, deployment: ShiftedDeployment): string {
  const arn = parseArn(record.arn)!;
  const id = (deployment.id ?? '').split('/').at(-1)!;
  return formatArn('ecs', arn, `service-deployment/${record.cluster}/${record.name}/${id}`);
}

function statusOf(deployment: ShiftedDeployment, primary: boolean): ServiceDeploymentStatus {
  if (deployment.rolloutState === 'COMPLETED') return 'SUCCESSFUL';
  if (deployment.rolloutState === 'FAILED') return primary ? 'STOPPED' : 'ROLLBACK_SUCCESSFUL';
  return primary ? 'IN_PROGRESS' : 'STOPPED';
}

/** TRIGGERED once it failed the deployment, MONITORING_COMPLETE once the rollout is over otherwise. */
function breakerStatus(deployment: ShiftedDeployment, enabled: boolean): ServiceDeploymentRollbackMonitorsStatus {
  if (!enabled) return 'DISABLED';
  if (deployment.rolloutStateReason === CIRCUIT_BREAKER_REASON) return 'TRIGGERED';
  return deployment.rolloutState === 'IN_PROGRESS' ? 'MONITORING' : 'MONITORING_COMPLETE';
}

const dateOf = (value: unknown): Date | undefined =>
  typeof value === 'number' ? new Date(value) : value instanceof Date ? value : undefined;

/** The service's current deployments (newest first), then those it retired (newest first). */
async function deploymentsOf(deps: TaskDeps, record: ServiceRecord): Promise<ServiceDeployment[]> {
  const service = record.body as ServiceWithHistory;
  const tasks = (await deps.store.tasks.unstopped({ cluster: record.cluster })).filter(
    (t) => t.serviceName === record.name,
  );
  const config = service.deploymentConfiguration ?? {};
  const current = (service.deployments ?? []) as ShiftedDeployment[];
  return [...current, ...(service.deploymentHistory ?? [])].map((d, i) => {
    const counts = taskCounts(tasks.filter((t) => t.startedBy === d.id));
    const status = statusOf(d, i === 0 && current.length > 0);
    const updatedAt = dateOf('retiredAt' in d ? d.retiredAt : d.updatedAt);
    const breaker = config.deploymentCircuitBreaker?.enable ?? false;
    return {
      serviceDeploymentArn: deploymentArn(record, d),
      serviceArn: record.arn,
      clusterArn: service.clusterArn,
      createdAt: dateOf(d.createdAt),
      startedAt: dateOf(d.createdAt),
      updatedAt,
      ...(status === 'SUCCESSFUL' ? { finishedAt: updatedAt } : {}),
      status,
      ...(d.rolloutStateReason ? { statusReason: d.rolloutStateReason } : {}),
      ...(d.lifecycleStage ? { lifecycleStage: d.lifecycleStage } : {}),
      targetServiceRevision: {
        arn: serviceRevisionArn(record, d.id ?? ''),
        requestedTaskCount: d.desiredCount ?? 0,
        runningTaskCount: counts.running,
        pendingTaskCount: counts.pending,
        ...(d.shift ? { requestedProductionTrafficWeight: d.shift.greenPercent } : {}),
      },
      deploymentConfiguration: config,
      deploymentCircuitBreaker: {
        status: breakerStatus(d, breaker),
        failureCount: d.failedTasks ?? 0,
        threshold: failureThreshold(d.desiredCount ?? 0),
      },
      alarms: deploymentAlarmsStatus(d, config.alarms),
    } satisfies ServiceDeployment;
  });
}

const STATUS_RANK: readonly ServiceDeploymentStatus[] = ['IN_PROGRESS', 'PENDING', 'ROLLBACK_IN_PROGRESS'];

export async function listServiceDeployments(
  deps: TaskDeps,
  input: ListServiceDeploymentsRequest,
): Promise<ListServiceDeploymentsResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const [record] = await deps.store.services.get(cluster.name, [serviceNameOf(input.service)]);
  if (!record || record.status === 'INACTIVE') throw new ServiceNotFoundException();
  const limit = pageSize(input.maxResults, 100);
  const found = (await deploymentsOf(deps, record)).filter(
    (d) => input.status === undefined || input.status.includes(d.status!),
  );
  // In progress first, then newest first (the service's order).
  const ordered = [...found].sort(
    (a, b) => Number(!STATUS_RANK.includes(a.status!)) - Number(!STATUS_RANK.includes(b.status!)),
  );
  return {
    serviceDeployments: ordered.slice(0, limit).map((d) => ({
      serviceDeploymentArn: d.serviceDeploymentArn,
      serviceArn: d.serviceArn,
      clusterArn: d.clusterArn,
      createdAt: d.createdAt,
      startedAt: d.startedAt,
      ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
      status: d.status,
      ...(d.statusReason ? { statusReason: d.statusReason } : {}),
    })),
  };
}

export async function describeServiceDeployments(
  deps: TaskDeps,
  input: DescribeServiceDeploymentsRequest,
  context: RequestContext,
): Promise<DescribeServiceDeploymentsResponse> {
  const serviceDeployments: ServiceDeployment[] = [];
  const failures: Failure[] = [];
  for (const arn of input.serviceDeploymentArns) {
    const [, cluster, service] = (parseArn(arn)?.resource ?? '').split('/');
    const [record] = cluster && service ? await deps.store.services.get(cluster, [service]) : [];
    const found =
      record && parseArn(arn)?.accountId === context.accountId
        ? (await deploymentsOf(deps, record)).find((d) => d.serviceDeploymentArn === arn)
        : undefined;
    if (found) serviceDeployments.push(found);
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { serviceDeployments, failures };
}
