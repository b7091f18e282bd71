/**
 * A service's tasks in AWS Cloud Map, as ECS keeps them (serviceRegistries): a task is registered
 * once it is RUNNING, with the attributes ECS sets (its address, the port its registry names, its
 * availability zone, cluster, service, family, region) and a custom health status that follows
 * the task's container health; it is deregistered as soon as it is asked to stop, before its
 * containers get SIGTERM (requestTaskStop calls `taskStopping`), and any instance of the service
 * whose task is gone is deregistered by the next pass. Level-triggered like the rest of the
 * scheduler: a pass may repeat a registration, which Cloud Map takes as the same instance.
 */
import type { ServiceRecord, TaskRecord } from '../store/index.ts';
import type { TaskDeps } from './task-deps.ts';
import { InvalidParameterException } from './errors.ts';
import { findTaskDefinition, toTaskDefinition } from './task-definitions.ts';
import type { Service, ServiceRegistry } from './shapes.generated.ts';

/** What the scheduler needs of Cloud Map (cmd/ wires it to servicediscovery's registrations). */
export interface ServiceDiscovery {
  /** The Cloud Map service a registryArn names: its record types; undefined when it is gone. */
  service(registryArn: string): Promise<{ readonly recordTypes: readonly string[] } | undefined>;
  register(registryArn: string, instanceId: string, attributes: Readonly<Record<string, string>>): Promise<void>;
  deregister(registryArn: string, instanceId: string): Promise<void>;
  setHealth(registryArn: string, instanceId: string, status: 'HEALTHY' | 'UNHEALTHY'): Promise<void>;
  /** The ids of the instances in the registry that ECS registered for this cluster's service. */
  instancesOf(registryArn: string, owner: { cluster: string; service: string }): Promise<readonly string[]>;
}

interface TaskBodyView {
  availabilityZone?: string;
  healthStatus?: string;
  taskDefinitionArn?: string;
  containers?: {
    name?: string;
    healthStatus?: string;
    networkBindings?: { containerPort?: number; hostPort?: number }[];
  }[];
  attachments?: { type?: string; details?: { name?: string; value?: string }[] }[];
  berth?: { networkMode?: string };
}

/**
 * The instance ECS registers for a task: its id is the task's id; undefined while the task's
 * address or port is not known yet (not RUNNING, no host port reported).
 */
export function registrationOf(
  task: TaskRecord,
  registry: ServiceRegistry,
  at: { readonly cluster: string; readonly service: string; readonly region: string; readonly hostAddress?: string },
): { instanceId: string; attributes: Record<string, string> } | undefined {
  const body = task.body as TaskBodyView;
  const networkMode = body.berth?.networkMode ?? 'bridge';
  let address: string | undefined;
  let port: number | undefined;
  if (networkMode === 'awsvpc') {
    const eni = body.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    address = eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    port = registry.port ?? registry.containerPort;
  } else {
    address = at.hostAddress;
    const container = body.containers?.find((c) => c.name === registry.containerName);
    port = container?.networkBindings?.find((b) => b.containerPort === registry.containerPort)?.hostPort;
    if (registry.containerName !== undefined && port === undefined) return undefined;
  }
  if (!address) return undefined;
  return {
    instanceId: task.id,
    attributes: {
      AWS_INSTANCE_IPV4: address,
      ...(port !== undefined ? { AWS_INSTANCE_PORT: String(port) } : {}),
      AVAILABILITY_ZONE: body.availabilityZone ?? `${at.region}a`,
      AWS_INIT_HEALTH_STATUS: healthOf(task),
      ECS_CLUSTER_NAME: at.cluster,
      ECS_SERVICE_NAME: at.service,
      ECS_TASK_DEFINITION_FAMILY: task.family,
      REGION: at.region,
    },
  };
}

/**
 * A task joins its registries once RUNNING and healthy: a task whose containers have health checks
 * (the stored body gives only those a healthStatus) when its health is HEALTHY, any other at once.
 * Once registered, its health follows the task's (UNHEALTHY while a check fails).
 */
export function readyToRegister(task: TaskRecord): boolean {
  const body = task.body as TaskBodyView;
  const checked = (body.containers ?? []).some((c) => c.healthStatus !== undefined);
  return !checked || body.healthStatus === 'HEALTHY';
}

/** Cloud Map's custom health of a task: UNHEALTHY while an essential container's health check fails. */
export function healthOf(task: TaskRecord): 'HEALTHY' | 'UNHEALTHY' {
  return (task.body as TaskBodyView).healthStatus === 'UNHEALTHY' ? 'UNHEALTHY' : 'HEALTHY';
}

/** A deployment as the service stores it: the registries its tasks register in (newDeployment). */
interface DeploymentRegistries {
  readonly id?: string | undefined;
  readonly serviceRegistries?: readonly ServiceRegistry[] | undefined;
}

const deploymentsOf = (service: Service): DeploymentRegistries[] => [
  ...((service.deployments ?? []) as DeploymentRegistries[]),
  ...((service as { deploymentHistory?: DeploymentRegistries[] }).deploymentHistory ?? []),
];

/**
 * The registries a task of the service registers in: those of the deployment that started it (an
 * UpdateService of serviceRegistries starts a new deployment, as on ECS: old tasks stay in the old
 * registry until they stop), else the service's.
 */
export function registriesOfTask(service: Service, startedBy: string | undefined): readonly ServiceRegistry[] {
  const deployment = deploymentsOf(service).find((d) => d.id !== undefined && d.id === startedBy);
  return deployment?.serviceRegistries ?? service.serviceRegistries ?? [];
}

/** Every registry a task of the service may be in: the service's and its deployments', current or retired. */
export function serviceRegistryArns(service: Service): string[] {
  const arns = [service.serviceRegistries ?? [], ...deploymentsOf(service).map((d) => d.serviceRegistries ?? [])]
    .flat()
    .flatMap((r) => (r.registryArn ? [r.registryArn] : []));
  return [...new Set(arns)];
}

/** The scheduler's side of Cloud Map: remembers what it registered, so a pass repeats nothing. */
export class ServiceRegistries {
  readonly #discovery: ServiceDiscovery;
  /** "registryArn taskId" → the attributes registered (a restarted server registers again). */
  readonly #registered = new Map<string, string>();

  constructor(discovery: ServiceDiscovery) {
    this.#discovery = discovery;
  }

  get discovery(): ServiceDiscovery {
    return this.#discovery;
  }

  /**
   * One pass for one service: its RUNNING tasks registered in their deployment's registries (or
   * their health updated), instances of tasks that are gone (or belong elsewhere) deregistered.
   */
  async sync(input: {
    readonly cluster: string;
    readonly service: Service;
    /** The service's unstopped tasks, whole. */
    readonly tasks: readonly TaskRecord[];
    readonly region: string;
    /** A container instance's address (bridge and host mode tasks are reached there). */
    readonly hostAddress: (containerInstance: string) => string | undefined;
  }): Promise<void> {
    const owner = { cluster: input.cluster, service: input.service.serviceName ?? '' };
    const live = input.tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING');
    /** registryArn → the ids of the live tasks that belong there. */
    const keep = new Map<string, Set<string>>();
    for (const task of live) {
      for (const registry of registriesOfTask(input.service, task.startedBy)) {
        const arn = registry.registryArn!;
        let ids = keep.get(arn);
        if (!ids) keep.set(arn, (ids = new Set()));
        ids.add(task.id);
        const hostAddress = task.containerInstance ? input.hostAddress(task.containerInstance) : undefined;
        const registration = registrationOf(task, registry, { ...owner, region: input.region, hostAddress });
        if (!registration) continue;
        const key = `${arn} ${task.id}`;
        const seen = JSON.stringify(registration.attributes);
        const before = this.#registered.get(key);
        if (before === undefined && !readyToRegister(task)) continue;
        if (before === undefined) await this.#discovery.register(arn, task.id, registration.attributes);
        else if (before !== seen) await this.#discovery.setHealth(arn, task.id, healthOf(task));
        this.#registered.set(key, seen);
      }
    }
    for (const arn of serviceRegistryArns(input.service)) {
      for (const instanceId of await this.#discovery.instancesOf(arn, owner)) {
        if (keep.get(arn)?.has(instanceId)) continue;
        await this.#discovery.deregister(arn, instanceId);
        this.#registered.delete(`${arn} ${instanceId}`);
      }
    }
  }

  /** A task of the service is asked to stop: out of its registries now, before its containers stop. */
  async taskStopping(service: Service, task: { readonly id: string; readonly startedBy?: string | undefined }) {
    for (const registry of registriesOfTask(service, task.startedBy)) {
      const arn = registry.registryArn!;
      await this.#discovery.deregister(arn, task.id);
      this.#registered.delete(`${arn} ${task.id}`);
    }
  }

  /** The service is deleted: every instance ECS registered for it goes. */
  async serviceDeleted(cluster: string, service: Service): Promise<void> {
    const owner = { cluster, service: service.serviceName ?? '' };
    for (const arn of serviceRegistryArns(service)) {
      for (const instanceId of await this.#discovery.instancesOf(arn, owner)) {
        await this.#discovery.deregister(arn, instanceId);
        this.#registered.delete(`${arn} ${instanceId}`);
      }
    }
  }
}

/**
 * CreateService's and UpdateService's checks of serviceRegistries (one registry; a port for SRV
 * records, none for A/AAAA-only ones; A records need awsvpc), in ECS's words where they are known.
 * `recordTypes` undefined: the registry does not exist.
 */
export function registryProblem(
  registries: readonly ServiceRegistry[],
  at: { readonly networkMode: string; readonly recordTypes: (arn: string) => readonly string[] | undefined },
): string | undefined {
  if (registries.length === 0) return undefined;
  if (registries.length > 1) return 'Only one service registry is supported per service.';
  const registry = registries[0]!;
  const types = at.recordTypes(registry.registryArn ?? '');
  if (types === undefined) return `The service registry ${registry.registryArn ?? ''} does not exist.`;
  const srv = types.includes('SRV');
  const awsvpc = at.networkMode === 'awsvpc';
  if (!srv && registry.containerPort !== undefined)
    return "The values specified for serviceRegistries do not require a value for 'containerPort'. Remove the value and retry.";
  if (!srv && registry.port !== undefined)
    return "The values specified for serviceRegistries do not require a value for 'port'. Remove the value and retry.";
  if ((registry.containerName === undefined) !== (registry.containerPort === undefined))
    return "The values specified for serviceRegistries must include both 'containerName' and 'containerPort', or neither.";
  if (registry.port !== undefined && registry.containerName !== undefined)
    return "The values specified for serviceRegistries must include either 'port' or 'containerName' and 'containerPort', not both.";
  if (!awsvpc && types.some((type) => type === 'A' || type === 'AAAA'))
    return `A and AAAA records are supported only with the awsvpc network mode: the service registry must use SRV records with the ${at.networkMode} network mode.`;
  if (srv && registry.port === undefined && registry.containerName === undefined)
    return "The values specified for serviceRegistries require a value for 'port', or for 'containerName' and 'containerPort'.";
  if (!awsvpc && registry.containerName === undefined)
    return 'When using bridge or host network mode, you must specify a containerName and containerPort combination from the task definition.';
  return undefined;
}

/** Refuses a service's serviceRegistries as ECS would (InvalidParameterException), or a server without Cloud Map. */
export async function checkServiceRegistries(
  registries: ServiceRegistries | undefined,
  input: readonly ServiceRegistry[],
  definition: { readonly networkMode?: string | undefined } | undefined,
): Promise<void> {
  if (input.length === 0) return;
  const networkMode = definition?.networkMode ?? 'bridge';
  if (!registries)
    throw new InvalidParameterException('This server has no AWS Cloud Map: serviceRegistries cannot be used.');
  const recordTypes = new Map<string, readonly string[] | undefined>();
  for (const registry of input) {
    const arn = registry.registryArn ?? '';
    recordTypes.set(arn, (await registries.discovery.service(arn))?.recordTypes);
  }
  const problem = registryProblem(input, { networkMode, recordTypes: (arn) => recordTypes.get(arn) });
  if (problem !== undefined) throw new InvalidParameterException(problem);
}

/** The registries an UpdateService gives (or a new revision's network mode) checked as CreateService checks them. */
export async function checkUpdatedRegistries(
  deps: TaskDeps,
  change: { readonly before: Service; readonly next: Service; readonly registriesChanged: boolean },
): Promise<void> {
  const { next } = change;
  const revised = next.taskDefinition !== change.before.taskDefinition && (next.serviceRegistries ?? []).length > 0;
  if (!change.registriesChanged && !revised) return;
  const definition = next.taskDefinition ? await findTaskDefinition(deps, next.taskDefinition) : undefined;
  await checkServiceRegistries(
    deps.serviceRegistries,
    next.serviceRegistries ?? [],
    definition && toTaskDefinition(definition),
  );
}

/**
 * The scheduler's pass for one service's registries: `tasks` are its unstopped tasks, `whole`
 * when they are whole records (else they are read: registrations need addresses and ports).
 */
export async function syncRegistries(
  deps: TaskDeps,
  record: ServiceRecord,
  pass: {
    readonly service: Service;
    readonly tasks: readonly TaskRecord[];
    readonly whole: boolean;
    readonly hostAddresses: () => Promise<ReadonlyMap<string, string>>;
  },
): Promise<void> {
  const { service } = pass;
  if (!deps.serviceRegistries || serviceRegistryArns(service).length === 0) return;
  const tasks = pass.whole
    ? pass.tasks
    : await deps.store.tasks.get(
        record.cluster,
        pass.tasks.map((t) => t.id),
      );
  const addresses = await pass.hostAddresses();
  await deps.serviceRegistries.sync({
    cluster: record.cluster,
    service,
    tasks,
    region: record.arn.split(':')[3] ?? '',
    hostAddress: (instance) => addresses.get(instance),
  });
}

/** A service's task asked to stop leaves the service's registries; a failure is left to the next pass. */
export async function leaveRegistries(deps: TaskDeps, task: TaskRecord): Promise<void> {
  if (!deps.serviceRegistries || !task.serviceName) return;
  const [service] = await deps.store.services.get(task.cluster, [task.serviceName]);
  const body = service?.body as Service | undefined;
  if (!body || serviceRegistryArns(body).length === 0) return;
  await deps.serviceRegistries.taskStopping(body, task).catch(() => {});
}
