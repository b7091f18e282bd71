import {
  acceptTelemetry,
  applyTaskReport,
  isTaskStatus,
  pollAssignments,
  taskRoleCredentials,
  type ContainerReport,
  type TaskReport,
  type TaskRoleSessions,
  type TaskTelemetry,
  type TaskUsageSample,
} from '../ecs/index.ts';
import type { AgentChannel } from '../ecs/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { DnsZoneSource } from '../shared/dns-records.ts';
import type { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { MetadataStore } from '../store/index.ts';
import { AdminInputError } from './admin.ts';

/** The longest an agent's poll is held open (docs/agent-channel.md). */
export const MAX_POLL_WAIT_MS = 20_000;

export interface AgentEndpointDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly agents: AgentChannel;
  readonly taskLocks: KeyedMutex;
  readonly roleSessions?: TaskRoleSessions | undefined;
  /** Where agents' task telemetry is summed for the AWS/ECS metrics (absent: it is refused). */
  readonly telemetry?: TaskTelemetry | undefined;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AdminInputError(`${name} must be a string`);
  return value;
}

function optionalDate(body: Record<string, unknown>, name: string): Date | undefined {
  const text = optionalString(body, name);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new AdminInputError(`${name} must be an ISO 8601 time`);
  return date;
}

/** POST /berth/agent/poll {cluster, containerInstance | managed, token, waitSeconds}. */
export function pollEndpoint(deps: AgentEndpointDeps) {
  return async (body: Record<string, unknown>): Promise<object> => {
    const waitSeconds = typeof body.waitSeconds === 'number' ? body.waitSeconds : 20;
    return pollAssignments(deps, {
      cluster: optionalString(body, 'cluster'),
      containerInstance: optionalString(body, 'containerInstance'),
      managed: body.managed === true,
      token: optionalString(body, 'token'),
      waitMs: Math.max(0, Math.min(MAX_POLL_WAIT_MS, waitSeconds * 1000)),
    });
  };
}

/** POST /berth/agent/report {cluster, task: TaskReport with ISO times}. */
export function reportEndpoint(deps: AgentEndpointDeps) {
  return async (body: Record<string, unknown>): Promise<object> => {
    const cluster = optionalString(body, 'cluster');
    const task = body.task as Record<string, unknown> | undefined;
    if (!cluster || !task || typeof task.taskArn !== 'string' || typeof task.lastStatus !== 'string')
      throw new AdminInputError('cluster and task {taskArn, lastStatus} are required');
    if (!isTaskStatus(task.lastStatus)) throw new AdminInputError(`unknown task status ${task.lastStatus}`);
    const report: TaskReport = {
      taskArn: task.taskArn,
      lastStatus: task.lastStatus,
      containers: (task.containers ?? []) as ContainerReport[],
      networkInterface: task.networkInterface as TaskReport['networkInterface'],
      pullStartedAt: optionalDate(task, 'pullStartedAt'),
      pullStoppedAt: optionalDate(task, 'pullStoppedAt'),
      executionStoppedAt: optionalDate(task, 'executionStoppedAt'),
      stopCode: optionalString(task, 'stopCode') as TaskReport['stopCode'],
      stoppedReason: optionalString(task, 'stoppedReason'),
    };
    const record = await applyTaskReport(deps, cluster, report);
    return { lastStatus: record.lastStatus, desiredStatus: record.desiredStatus };
  };
}

/**
 * POST /berth/agent/telemetry {cluster, containerInstance, samples: [{taskArn, timestamp, cpu,
 * memory}]}: the CPU units and MiB each RUNNING task of that instance used (docs/agent-channel.md).
 */
export function telemetryEndpoint(deps: AgentEndpointDeps) {
  return async (body: Record<string, unknown>): Promise<object> => {
    const cluster = optionalString(body, 'cluster');
    const containerInstance = optionalString(body, 'containerInstance');
    if (!cluster || !containerInstance || !Array.isArray(body.samples))
      throw new AdminInputError('cluster, containerInstance and samples are required');
    const { telemetry } = deps;
    if (!telemetry) throw new AdminInputError('this server takes no task telemetry', 'ServerException');
    const samples = (body.samples as Record<string, unknown>[]).map((sample) => {
      if (typeof sample !== 'object' || sample === null) throw new AdminInputError('each sample is an object');
      return { ...sample, timestamp: optionalDate(sample, 'timestamp') ?? new Date(NaN) } as TaskUsageSample;
    });
    return acceptTelemetry({ ...deps, telemetry }, { cluster, containerInstance, samples });
  };
}

/**
 * POST /berth/agent/credentials {cluster, containerInstance, taskArn, role: task | execution}: a
 * session of a role of a task on that instance, with `expiration` as ISO 8601. Managed capacity
 * asks in process, never here.
 */
export function credentialsEndpoint(deps: AgentEndpointDeps) {
  return async (body: Record<string, unknown>): Promise<object> => {
    const cluster = optionalString(body, 'cluster');
    const containerInstance = optionalString(body, 'containerInstance');
    const taskArn = optionalString(body, 'taskArn');
    const role = optionalString(body, 'role');
    if (!cluster || !containerInstance || !taskArn || (role !== 'task' && role !== 'execution'))
      throw new AdminInputError('cluster, containerInstance, taskArn and role (task or execution) are required');
    const { roleSessions } = deps;
    if (!roleSessions) throw new AdminInputError('this server issues no task role credentials', 'ServerException');
    const credentials = await taskRoleCredentials(
      { ...deps, roleSessions },
      { cluster, containerInstance, taskArn, role },
    );
    return { ...credentials, expiration: credentials.expiration.toISOString() };
  };
}

/** The longest DNS name there is, in its text form without the trailing dot. */
const MAX_DNS_NAME = 253;

/**
 * POST /berth/agent/dns {cluster, containerInstance, name?, type?}: an agent's view of Cloud Map's
 * DNS (cmd/agent-dns.ts). With a name and type: `{answer}`, the zones' answer (null: in none of
 * them). Without: `{listening}`, where the server's DNS listens (null: it has none).
 */
export function dnsEndpoint(deps: {
  readonly zones: DnsZoneSource;
  readonly listening: () => { readonly addresses: readonly string[]; readonly port: number } | undefined;
}) {
  return async (body: Record<string, unknown>): Promise<object> => {
    const name = optionalString(body, 'name');
    const type = optionalString(body, 'type');
    if (name === undefined && type === undefined) return { listening: deps.listening() ?? null };
    if (name === undefined || type === undefined) throw new AdminInputError('name and type go together');
    if (name.length > MAX_DNS_NAME || !/^[A-Za-z0-9_]{1,20}$/.test(type))
      throw new AdminInputError(`name must be at most ${MAX_DNS_NAME} characters and type a record type`);
    return { answer: (await deps.zones.lookup(name.toLowerCase(), type)) ?? null };
  };
}

/** The agent channel's endpoints by path (docs/agent-channel.md), as the admin handler takes them. */
export function agentEndpoints(deps: AgentEndpointDeps, dns: Parameters<typeof dnsEndpoint>[0]) {
  return {
    '/berth/agent/poll': pollEndpoint(deps),
    '/berth/agent/report': reportEndpoint(deps),
    '/berth/agent/credentials': credentialsEndpoint(deps),
    '/berth/agent/telemetry': telemetryEndpoint(deps),
    '/berth/agent/dns': dnsEndpoint(dns),
  } as const;
}
