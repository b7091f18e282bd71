import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import {
  Agent,
  ExecRunner,
  TaskRoles,
  iptablesCredentialsRoutes,
  newContainerMac,
  UnavailableRuntime,
  type ContainerRuntime,
  type EnvironmentFileReader,
} from '../agent/index.ts';
import { ManagedCapacityRoster } from './managed-capacity-roster.ts';
import { httpExecutionServices } from './execution-services.ts';
import type { Logger } from '../shared/logger.ts';
import type { AgentEndpointDeps } from './agent-endpoints.ts';
import { InProcessControlPlane } from './control-planes.ts';
import { inProcessLogSink, taskRoleLogSinks } from './log-sinks.ts';
import { createLogAppender, type LogsDeps } from '../logs/index.ts';
import { startTaskMetadataEndpoint } from './task-metadata-endpoint.ts';
import { MANAGED_CAPACITY, type ManagedCapacities } from '../ecs/index.ts';
import type { EcsExec } from './ecs-exec.ts';

export interface ManagedCapacityOptions {
  /** managedCapacities: the roster among several servers (managed-capacity-roster.ts). */
  readonly deps: AgentEndpointDeps & { readonly managedCapacities?: ManagedCapacities | undefined };
  readonly logger: Logger;
  readonly dataDir: string;
  /** Builds the runtime for this server's managed containers (owner: a label value unique to the data folder). */
  readonly makeRuntime: (owner: string) => Promise<ContainerRuntime>;
  /** Where containers' environmentFiles come from (the server's S3). */
  readonly readEnvironmentFile?: EnvironmentFileReader;
  readonly stopTimeoutSeconds?: number;
  readonly cleanupDelayMs?: number;
  /** The server's own API (a loopback URL): what tasks' execution roles call, signed as the role. */
  readonly endpoint: URL;
  readonly region: string;
  /** Every host[:port] the server's registry answers to. */
  readonly registryHosts: () => readonly string[];
  /** ECS Exec: managed capacity joins its tasks' sessions in process. */
  readonly exec?: EcsExec | undefined;
  /** The Logs deps containers' output is appended with (their metric filters publish through it). */
  readonly logsDeps?: LogsDeps;
}

/**
 * FARGATE on the local engine: an agent embedded in the server that runs every task with no
 * container instance. Its containers are labelled with an owner derived from the data folder, so
 * a restarted server re-attaches to its own and never touches another server's.
 */
export async function startManagedCapacity(options: ManagedCapacityOptions): Promise<ManagedCapacity> {
  const owner = `managed-${createHash('sha256').update(resolve(options.dataDir)).digest('hex').slice(0, 16)}`;
  const runtime = await options.makeRuntime(owner);
  const log = options.logger.child({ component: 'managed-capacity' });
  const { roster, capacity } = await joinRoster(options.deps.managedCapacities, runtime, owner, log);
  // No engine (UnavailableRuntime): no endpoint either, and every task stops with the reason.
  const control = new InProcessControlPlane(options.deps, capacity);
  const metadata = await startTaskMetadataEndpoint(runtime, { dataDir: options.dataDir, protection: control, log });
  // 169.254.170.2 for the tasks' containers: rules a previous run left are replaced as tasks re-attach.
  const routes = metadata && runtime.hostNetworks ? await iptablesCredentialsRoutes({ log }) : undefined;
  await routes?.removeOwned(owner);
  const roles = new TaskRoles({
    control,
    endpoint: metadata,
    router: routes && { ...routes, newContainerMac },
    owner,
    now: () => options.deps.clock.now(),
    log,
  });
  const logSink = inProcessLogSink(
    createLogAppender(options.logsDeps ?? { store: options.deps.store, clock: options.deps.clock }),
  );
  // Session output goes through the server's own Logs API signed as the task role, as from a
  // berth agent: the policy engine decides whether the role may write it.
  const sessionLogSink = taskRoleLogSinks(roles, { endpoint: options.endpoint, region: options.region });
  const exec =
    options.exec && new ExecRunner(runtime, { link: options.exec.managedLink(MANAGED_CAPACITY), sessionLogSink, log });
  if (options.exec && exec) options.exec.managedCanExec = exec.canExec;
  const agent = new Agent(runtime, {
    exec,
    roles,
    executionServices: (credentials) =>
      httpExecutionServices({
        endpoint: options.endpoint,
        region: options.region,
        credentials,
        registryHosts: options.registryHosts,
      }),
    control,
    telemetry: { control, intervalMs: options.deps.telemetry?.sampleIntervalMs ?? 20_000 },
    pollWaitSeconds: 20,
    log,
    now: () => options.deps.clock.now(),
    stopTimeoutSeconds: options.stopTimeoutSeconds ?? 30,
    startTimeoutSeconds: 180,
    cleanupDelayMs: options.cleanupDelayMs ?? 3_600_000,
    readEnvironmentFile: options.readEnvironmentFile,
    logSink,
    metadata,
    environmentFor: (task, container) => metadata?.environmentFor(task, container) ?? {},
  });
  try {
    agent.start();
  } catch (error) {
    await metadata?.close(); // a failed start leaves nothing listening
    throw error;
  }
  return {
    agent,
    metadataPort: metadata?.port,
    networks: metadata?.addresses,
    async stop() {
      // The agent first: its stop() must run before the server's channel wakes its poll loop.
      await agent.stop();
      await metadata?.close();
      await roster?.close();
    },
  };
}

/**
 * Among several servers (a roster): an engine that answers joins it under the owner's name and
 * runs the FARGATE tasks placed on it; one that does not polls as no capacity ('': only unplaced
 * tasks, which it stops with its reason). A server alone (no roster) runs every FARGATE task.
 */
async function joinRoster(
  roster: ManagedCapacities | undefined,
  runtime: object,
  owner: string,
  log: Logger,
): Promise<{ roster?: ManagedCapacityRoster; capacity?: string }> {
  if (!(roster instanceof ManagedCapacityRoster)) return {};
  if (runtime instanceof UnavailableRuntime) return { roster, capacity: '' };
  await roster.join(owner);
  log.info({ capacity: owner }, 'managed capacity joined: it runs the FARGATE tasks placed on it');
  return { roster, capacity: owner };
}

export interface ManagedCapacity {
  readonly agent: Agent;
  /** The task metadata endpoint's port, if it runs (a port ELB targets may not point at). */
  readonly metadataPort: number | undefined;
  /** Where the containers' networks reach this host (the endpoint's addresses), if it runs. */
  readonly networks: { readonly awsvpc?: string | undefined; readonly bridge?: string | undefined } | undefined;
  /** Stops polling and the task metadata endpoint; the containers keep running. */
  stop(): Promise<void>;
}
