import { syncRegistries } from './service-registries.ts';
import { parseArn } from '../shared/arn.ts';
import { rootPrincipal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ServiceRecord, TaskRecord } from '../store/index.ts';
import { unplacedMessage } from '../scheduler/index.ts';
import { storedService } from './services.ts';
import { planService, type Plan, type PlanInput, type PlanTask } from './service-plan.ts';
import { noTargetChanges, type LoadBalancing } from './service-load-balancing.ts';
import { addEvent, passEvents, taskEvent } from './service-events.ts';
import { daemonRollout, reconcileDaemon } from './service-daemon.ts';
import { countFailedTasks, hasTripped } from './service-circuit-breaker.ts';
import { retireDeployments } from './service-deployment-history.ts';
import { failOnAlarms, holdDaemonForBake, holdForBake, rolledOut } from './service-rollout.ts';
import { replaceKeepingTaskEvents } from './service-event-carry.ts';
import { lostAgent, planTask } from './service-task-health.ts';
import { launchThrottle, throttledMessage, type LaunchAttempt } from './service-throttle.ts';
import type { Deployment, Failure, Service, ServiceEvent } from './shapes.generated.ts';
import { runTask, type TaskDeps } from './tasks.ts';
import { InvalidParameterException } from './errors.ts';
import { NO_INSTANCES } from './task-placement.ts';
import { protectedTaskIds } from './task-protection.ts';
import { hasTaskSets } from './code-deploy-controller.ts';
import { reconcileTaskSets } from './service-task-sets.ts';
import { everyCluster, groupByCluster, type ClusterShards } from './cluster-shards.ts';
import { loadBalancersOf, stopServiceTask, syncServiceTargets } from './service-targets.ts';
import {
  assignTargetGroups,
  isShifting,
  serviceTargetGroups,
  shiftTraffic,
  taskLoadBalancers,
} from './service-blue-green.ts';

const DEFAULT_SPREAD = [
  { type: 'spread' as const, field: 'attribute:ecs.availability-zone' },
  { type: 'spread' as const, field: 'instanceId' },
];

/** The attribute a container instance's tasks are reached at (elb/ names it too: berth.host-address). */
const HOST_ADDRESS = 'berth.host-address';

export interface SchedulerLog {
  warn(obj: object, msg: string): void;
}

/** What a pass reads once per cluster, whatever its number of services. */
interface ClusterView {
  readonly tasks: readonly TaskRecord[];
  readonly draining: ReadonlySet<string>;
  /** Container instance id → EC2 instance id, read once per pass if a service has load balancers. */
  ec2InstanceIds(): Promise<ReadonlyMap<string, string>>;
  /** Container instance id → the address its tasks are reached at (berth.host-address), if it has one. */
  hostAddresses(): Promise<ReadonlyMap<string, string>>;
}

async function clusterView(deps: TaskDeps, cluster: string): Promise<ClusterView> {
  const instances = await deps.store.containerInstances.list(cluster, { status: 'DRAINING', limit: 100_000 });
  let ec2: Promise<ReadonlyMap<string, string>> | undefined;
  let addresses: Promise<ReadonlyMap<string, string>> | undefined;
  return {
    hostAddresses: () =>
      (addresses ??= deps.store.containerInstances.list(cluster, { limit: 100_000 }).then(
        (all) =>
          new Map(
            all.flatMap((i) => {
              const attributes = (i.body.attributes ?? []) as { name: string; value?: string }[];
              const address = attributes.find((a) => a.name === HOST_ADDRESS)?.value;
              return address ? [[i.id, address] as const] : [];
            }),
          ),
      )),
    tasks: await deps.store.tasks.serviceTasks(cluster),
    draining: new Set(instances.map((i) => i.id)),
    ec2InstanceIds: () =>
      (ec2 ??= deps.store.containerInstances
        .list(cluster, { limit: 100_000 })
        .then((all) => new Map(all.map((i) => [i.id, String(i.body.ec2InstanceId ?? '')])))),
  };
}

/**
 * One pass over every service that is not INACTIVE (the server runs it every second and on changes).
 * A service's actions change only its own tasks, so one view of each cluster serves all its services.
 */
export async function reconcileServices(
  deps: TaskDeps,
  log: SchedulerLog,
  options: { shards?: ClusterShards | undefined } = {},
): Promise<void> {
  const byCluster = groupByCluster(await deps.store.services.live());
  const reconcileCluster = async (cluster: string): Promise<void> => {
    let view: Promise<ClusterView> | undefined;
    for (const record of byCluster.get(cluster) ?? []) {
      try {
        view ??= clusterView(deps, cluster);
        if (hasTaskSets(record.body as Service)) await reconcileExternalService(deps, record, await view);
        else await reconcileService(deps, record, await view);
      } catch (error) {
        log.warn({ err: String(error), service: record.arn }, 'service reconciliation failed; retrying');
      }
    }
  };
  await (options.shards ?? everyCluster)([...byCluster.keys()], reconcileCluster);
}

function contextOf(record: ServiceRecord): RequestContext {
  const arn = parseArn(record.arn)!;
  return {
    requestId: 'service-scheduler',
    accountId: arn.accountId,
    region: arn.region,
    accessKeyId: '',
    principal: rootPrincipal(arn.accountId),
  };
}

/** Every task a deployment launched, as the circuit breaker and the throttle see them. */
async function launchesOf(
  deps: TaskDeps,
  record: ServiceRecord,
  deployment: string,
  running: readonly TaskRecord[],
): Promise<LaunchAttempt[]> {
  const stopped = await deps.store.tasks.list(
    record.cluster,
    { startedBy: deployment, desiredStatus: 'STOPPED' },
    { limit: 1000 },
  );
  return [...stopped, ...running.filter((t) => t.startedBy === deployment)].map((t) => {
    const body = t.body as { startedAt?: number; stopCode?: string; stoppedReason?: string };
    return {
      startedAt: body.startedAt,
      stoppedAt: t.stoppedAt?.getTime(),
      stopCode: body.stopCode,
      stoppedReason: body.stoppedReason,
    };
  });
}

const shortId = (arnOrId: string): string => arnOrId.split('/').at(-1)!;

async function reconcileService(deps: TaskDeps, record: ServiceRecord, view: ClusterView): Promise<void> {
  // A copy: record.body is what saveService compares-and-sets against, and must stay as read.
  const service = { ...(record.body as Service) };
  const name = `(service ${record.name})`;
  const now = deps.clock.now();
  const own = view.tasks.filter((t) => t.serviceName === record.name);
  const tasks = own.filter((t) => t.desiredStatus === 'RUNNING');
  if (service.schedulingStrategy === 'DAEMON') return reconcileDaemonService(deps, record, tasks);
  let deployments: Deployment[] = assignTargetGroups(service, (service.deployments ?? []) as Deployment[], {
    tasks,
    now,
  });
  const alarms = await failOnAlarms(deps, { record, service, deployments, now });
  deployments = alarms.deployments;
  const balancing = loadBalancersOf(service).length > 0 ? deps.loadBalancing : undefined;
  const targetsInput = {
    cluster: record.cluster,
    service,
    tasks: own,
    ec2InstanceIds: new Map<string, string>(),
    loadBalancersOfTask: taskLoadBalancers(service, deployments),
    targetGroups: serviceTargetGroups(service),
    changes: noTargetChanges(),
  };
  // The pass's task records carry only what planning needs; targets need whole ones (addresses, ports).
  if (balancing) {
    targetsInput.tasks = await deps.store.tasks.get(
      record.cluster,
      own.map((t) => t.id),
    );
    targetsInput.ec2InstanceIds = new Map(await view.ec2InstanceIds());
  }
  const targets = balancing ? await syncServiceTargets(deps, balancing, targetsInput) : undefined;
  await syncRegistries(deps, record, {
    service,
    tasks: targetsInput.tasks,
    whole: balancing !== undefined,
    hostAddresses: view.hostAddresses,
  });
  const { draining } = view;

  const primary = deployments[0];
  let launches: LaunchAttempt[] | undefined;
  if (primary && primary.rolloutState === 'IN_PROGRESS') {
    launches = await launchesOf(deps, record, primary.id!, tasks);
    deployments[0] = { ...primary, failedTasks: countFailedTasks(launches) };
  }
  const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  const protectedIds = await protectedTaskIds(deps, tasks, {
    desiredCount: service.desiredCount,
    deployments: deployments.length,
    whole: balancing ? targetsInput.tasks : undefined,
  });
  const planTasks = tasks.map((t) =>
    planTask(t, { now, primary: primary?.id, draining, graceMs, targets, lost: lostAgent(deps), protectedIds }),
  );
  const pass = await planPass(deps, record, balancing, {
    service,
    name,
    deployments,
    tasks: planTasks,
    now,
    alarmsTriggered: alarms.triggered,
  });
  let { plan } = pass;
  deployments = pass.deployments;
  ({ plan, deployments } = holdForBake(alarms.watch, { plan, deployments, now }));
  for (const stop of plan.stop) await stopServiceTask(deps, balancing, targetsInput, stop);
  let events = passEvents(record.name, (service.events ?? []) as ServiceEvent[], {
    changes: targetsInput.changes,
    stops: plan.stop,
    targets,
    messages: pass.messages,
    now,
  });
  if (plan.start > 0 && primary) {
    const throttle = launchThrottle(launches ?? (await launchesOf(deps, record, primary.id!, tasks)));
    if (throttle.retryAt !== undefined && now.getTime() < throttle.retryAt)
      events = addEvent(events, throttledMessage(record.name), now);
    else events = await startTasks(deps, record, service, primary, plan.start, events);
  }
  let status = record.status;
  if (record.status === 'DRAINING' && tasks.length === 0) status = 'INACTIVE';
  const retired = retireDeployments(service, deployments, plan.retire, now);
  deployments = retired.deployments;
  if (plan.rollout)
    ({ deployments, events } = rolledOut(service, {
      deployments,
      events,
      outcome: plan.rollout,
      serviceName: record.name,
      now,
    }));
  await saveService(deps, record, { ...service, status, deployments, events, ...retired.fields }, plan.steady);
}

/** A service with the EXTERNAL or CODE_DEPLOY deployment controller: its task sets run its tasks. */
async function reconcileExternalService(deps: TaskDeps, record: ServiceRecord, view: ClusterView): Promise<void> {
  const own = view.tasks.filter((t) => t.serviceName === record.name);
  const pass = await reconcileTaskSets(deps, record, { own, context: contextOf(record) });
  const status = pass.inactive ? 'INACTIVE' : record.status;
  await saveService(deps, record, { ...pass.service, status }, pass.steady);
}

/** The rolling plan, or a traffic-shifted deployment's step (blue/green, linear, canary). */
async function planPass(
  deps: TaskDeps,
  record: ServiceRecord,
  balancing: LoadBalancing | undefined,
  at: {
    service: Service;
    name: string;
    deployments: Deployment[];
    tasks: PlanTask[];
    now: Date;
    /** A shifting deployment's alarms in ALARM: it rolls back to blue (failOnAlarms left it to the shift). */
    alarmsTriggered: readonly string[];
  },
): Promise<{ plan: Plan; deployments: Deployment[]; messages: readonly string[] }> {
  if (!balancing || !isShifting(at.deployments) || record.status !== 'ACTIVE')
    return {
      plan: planService(planInput(record, at.deployments, at.tasks)),
      deployments: at.deployments,
      messages: [],
    };
  const shift = await shiftTraffic(balancing, { ...at, minuteMs: deps.deploymentMinuteMs ?? 60_000 });
  if (shift.taskDefinition) at.service.taskDefinition = shift.taskDefinition;
  return shift;
}

/**
 * Stores what a pass changed, saying "has reached a steady state." when the service becomes
 * steady; writes nothing when nothing changed (most passes).
 */
async function saveService(deps: TaskDeps, record: ServiceRecord, next: Service, steady: boolean): Promise<void> {
  const wasSteady = (record.body as { steady?: boolean }).steady === true;
  const events =
    steady && !wasSteady
      ? addEvent(
          (next.events ?? []) as ServiceEvent[],
          `(service ${record.name}) has reached a steady state.`,
          deps.clock.now(),
        )
      : next.events;
  const body = { ...storedService({ ...next, events }), steady };
  const status = next.status ?? record.status;
  // Compare-and-set: when UpdateService or DeleteService changed the service during this pass, the
  // pass's view is stale; its task changes stand (with their events) and the next pass sees both.
  if (JSON.stringify(body) !== JSON.stringify(record.body) || status !== record.status) {
    await replaceKeepingTaskEvents(deps.store.services, record, { ...record, status, body });
  }
}

function planInput(record: ServiceRecord, deployments: readonly Deployment[], tasks: PlanTask[]): PlanInput {
  const service = record.body as Service;
  const config = service.deploymentConfiguration ?? {};
  return {
    desiredCount: service.desiredCount ?? 0,
    maximumPercent: config.maximumPercent ?? 200,
    minimumHealthyPercent: config.minimumHealthyPercent ?? 100,
    circuitBreaker: config.deploymentCircuitBreaker?.enable ?? false,
    draining: record.status === 'DRAINING',
    deployments: deployments.map((d) => ({
      id: d.id!,
      status: d.status as 'PRIMARY' | 'ACTIVE',
      rolloutState: (d.rolloutState ?? 'IN_PROGRESS') as 'IN_PROGRESS' | 'COMPLETED' | 'FAILED',
      failedTasks: d.failedTasks ?? 0,
    })),
    tasks,
  };
}

/**
 * What a DAEMON pass reads before it acts: the primary deployment's failed tasks counted, each
 * task's health, and whether the circuit breaker trips (then no new task starts).
 */
async function daemonChecks(deps: TaskDeps, record: ServiceRecord, tasks: readonly TaskRecord[]) {
  const service = record.body as Service;
  const deployments = [...((service.deployments ?? []) as Deployment[])];
  const primary = deployments[0];
  let failedTasks = primary?.failedTasks ?? 0;
  if (primary?.rolloutState === 'IN_PROGRESS') {
    failedTasks = countFailedTasks(await launchesOf(deps, record, primary.id!, tasks));
    deployments[0] = { ...primary, failedTasks };
  }
  const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  // An instance whose agent is lost keeps its task: its replacement could only go to the same instance.
  const at = { now: deps.clock.now(), primary: primary?.id, draining: new Set<string>(), graceMs, lost: () => false };
  const health = new Map(tasks.map((t) => [t.id, planTask(t, { ...at, targets: undefined })]));
  const tripped = hasTripped({
    enabled: service.deploymentConfiguration?.deploymentCircuitBreaker?.enable ?? false,
    rolloutState: primary?.rolloutState,
    failedTasks,
    desiredCount: service.desiredCount ?? 0,
  });
  return { deployments, health, tripped, launch: !tripped && primary?.rolloutState !== 'FAILED' };
}

async function reconcileDaemonService(
  deps: TaskDeps,
  record: ServiceRecord,
  tasks: readonly TaskRecord[],
): Promise<void> {
  const service = { ...(record.body as Service) };
  const now = deps.clock.now();
  const checks = await daemonChecks(deps, record, tasks);
  const alarms = await failOnAlarms(deps, { record, service, deployments: checks.deployments, now });
  let { deployments } = alarms;
  const { health } = checks;
  // An alarm that failed the deployment: nothing more of it starts, a rollback's deployment does.
  const tripped = checks.tripped && !alarms.failed;
  const launch = checks.launch && deployments[0]?.rolloutState !== 'FAILED';
  const pass = { deployments, tasks, health, launch, context: contextOf(record) };
  const step = await reconcileDaemon(deps, record, pass);
  let events = (service.events ?? []) as ServiceEvent[];
  if (step.stopped.length > 0) events = addEvent(events, taskEvent(record.name, 'stopped', step.stopped), now);
  if (step.started.length > 0) events = addEvent(events, taskEvent(record.name, 'started', step.started), now);
  const left = tasks.filter((t) => !step.stopped.includes(t.id));
  if (deployments[0]) deployments[0] = { ...deployments[0], desiredCount: step.desiredCount };
  const rollout = holdDaemonForBake(alarms.watch, {
    rollout: daemonRollout(deployments, {
      hasTasks: (id) => left.some((t) => t.startedBy === id),
      steady: step.steady,
    }),
    deployments,
    now,
  });
  deployments = rollout.deployments;
  const retired = retireDeployments(service, deployments, rollout.retire, now);
  deployments = retired.deployments;
  const outcome = rollout.complete ? 'COMPLETED' : tripped ? 'FAILED' : undefined;
  if (outcome)
    ({ deployments, events } = rolledOut(service, { deployments, events, outcome, serviceName: record.name, now }));
  const status = record.status === 'DRAINING' && tasks.length === 0 ? 'INACTIVE' : record.status;
  await saveService(
    deps,
    record,
    { ...service, desiredCount: step.desiredCount, status, deployments, events, ...retired.fields },
    step.steady,
  );
}

/**
 * RunTask refuses a cluster with no container instance; the service scheduler says it in an event
 * instead ("was unable to place a task ... No Container Instances were found in your cluster."), as ECS.
 */
function unplacedForNoInstances(error: unknown): { tasks?: undefined; failures: Failure[] } {
  if (error instanceof InvalidParameterException && error.message === NO_INSTANCES)
    return { failures: [{ reason: error.message }] };
  throw error;
}

async function startTasks(
  deps: TaskDeps,
  record: ServiceRecord,
  service: Service,
  primary: Deployment,
  count: number,
  events: ServiceEvent[],
): Promise<ServiceEvent[]> {
  const name = `(service ${record.name})`;
  const started: string[] = [];
  for (let left = count; left > 0; left -= 10) {
    const { tasks = [], failures = [] } = await runTask(
      deps,
      {
        cluster: record.cluster,
        taskDefinition: primary.taskDefinition!,
        count: Math.min(10, left),
        ...(service.capacityProviderStrategy
          ? { capacityProviderStrategy: service.capacityProviderStrategy }
          : { launchType: service.launchType ?? 'EC2' }),
        ...(primary.networkConfiguration ? { networkConfiguration: primary.networkConfiguration } : {}),
        placementConstraints: service.placementConstraints ?? [],
        placementStrategy: service.placementStrategy?.length ? service.placementStrategy : DEFAULT_SPREAD,
        startedBy: primary.id!,
        group: `service:${record.name}`,
        ...(service.propagateTags === 'SERVICE' ? { tags: service.tags ?? [] } : {}),
        ...(service.propagateTags === 'TASK_DEFINITION' ? { propagateTags: 'TASK_DEFINITION' as const } : {}),
        enableExecuteCommand: service.enableExecuteCommand ?? false,
      },
      contextOf(record),
      { serviceName: record.name, allowInactiveDefinition: true },
    ).catch(unplacedForNoInstances);
    started.push(...tasks.map((t) => shortId(t.taskArn!)));
    if (failures.length > 0) {
      events = addEvent(
        events,
        unplacedMessage(
          record.name,
          failures.map((f) => ({ arn: f.arn, reason: f.reason ?? '' })),
        ).replace(/^service \S+/, name),
        deps.clock.now(),
      );
      break;
    }
  }
  if (started.length > 0) events = addEvent(events, taskEvent(record.name, 'started', started), deps.clock.now());
  return events;
}
