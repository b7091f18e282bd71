import type { ControlPlane, TaskCredentialsControl, TaskProtectionControl, TelemetryControl } from '../agent/index.ts';
import {
  acceptTelemetry,
  agentTaskProtection,
  applyTaskReport,
  pollAssignments,
  taskRoleCredentials,
  type PollResponse,
  type ProtectedTask,
  type TaskReport,
  type TaskRoleCredentials,
  type TaskRoleKind,
  type TaskUsageSample,
  type UpdateTaskProtectionResponse,
} from '../ecs/index.ts';
import { AwsError } from '../shared/aws-error.ts';
import type { DnsAnswer, DnsRecordType } from '../shared/dns-records.ts';
import type { AgentDnsControl } from './agent-dns.ts';
import type { AgentEndpointDeps } from './agent-endpoints.ts';
import { MAX_POLL_WAIT_MS } from './agent-endpoints.ts';
import { ServerError, type signedJsonClient } from './signed-fetch.ts';

type ProtectionTarget = Parameters<TaskProtectionControl['taskProtection']>[0];
type ProtectionChange = Parameters<TaskProtectionControl['taskProtection']>[1];

/**
 * `berth agent`'s link to its server: the /berth/agent endpoints, signed with SigV4; task
 * protection through ECS's own GetTaskProtection and UpdateTaskProtection, as the ECS agent calls them.
 */
export class HttpControlPlane
  implements ControlPlane, TaskProtectionControl, TaskCredentialsControl, AgentDnsControl, TelemetryControl
{
  readonly #call: ReturnType<typeof signedJsonClient>;
  readonly #cluster: string;
  readonly #containerInstance: string;

  constructor(call: ReturnType<typeof signedJsonClient>, cluster: string, containerInstance: string) {
    this.#call = call;
    this.#cluster = cluster;
    this.#containerInstance = containerInstance;
  }

  poll(token: string | undefined, waitSeconds: number, signal?: AbortSignal): Promise<PollResponse> {
    const timeout = AbortSignal.timeout(waitSeconds * 1000 + 15_000);
    return this.#call<PollResponse>(
      '/berth/agent/poll',
      { cluster: this.#cluster, containerInstance: this.#containerInstance, token, waitSeconds },
      {},
      signal ? AbortSignal.any([signal, timeout]) : timeout,
    );
  }

  report(cluster: string, report: TaskReport): Promise<{ lastStatus: string; desiredStatus: string }> {
    return this.#call('/berth/agent/report', { cluster, task: report }, {}, AbortSignal.timeout(30_000));
  }

  async telemetry(samples: readonly TaskUsageSample[]): Promise<void> {
    const body = {
      cluster: this.#cluster,
      containerInstance: this.#containerInstance,
      samples: samples.map((sample) => ({ ...sample, timestamp: sample.timestamp.toISOString() })),
    };
    await this.#call('/berth/agent/telemetry', body, {}, AbortSignal.timeout(10_000));
  }

  async taskCredentials(task: ProtectionTarget, role: TaskRoleKind): Promise<TaskRoleCredentials> {
    const answer = await this.#call<Omit<TaskRoleCredentials, 'expiration'> & { expiration: string }>(
      '/berth/agent/credentials',
      { cluster: task.cluster, containerInstance: this.#containerInstance, taskArn: task.taskArn, role },
      {},
      AbortSignal.timeout(30_000),
    );
    return { ...answer, expiration: new Date(answer.expiration) };
  }

  async dnsListening(): Promise<{ addresses: string[]; port: number } | undefined> {
    const { listening } = await this.#dns<{ listening: { addresses: string[]; port: number } | null }>({});
    return listening ?? undefined;
  }

  async dnsLookup(name: string, type: DnsRecordType): Promise<DnsAnswer | undefined> {
    return (await this.#dns<{ answer: DnsAnswer | null }>({ name, type })).answer ?? undefined;
  }

  #dns<T>(question: object): Promise<T> {
    const body = { cluster: this.#cluster, containerInstance: this.#containerInstance, ...question };
    return this.#call<T>('/berth/agent/dns', body, {}, AbortSignal.timeout(2_000));
  }

  async taskProtection(task: ProtectionTarget, change?: ProtectionChange): Promise<UpdateTaskProtectionResponse> {
    const operation = change ? 'UpdateTaskProtection' : 'GetTaskProtection';
    const input = { cluster: task.cluster, tasks: [task.taskArn], ...change };
    const headers = {
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}`,
      'content-type': 'application/x-amz-json-1.1',
    };
    let answer: { protectedTasks?: (Omit<ProtectedTask, 'expirationDate'> & { expirationDate?: number })[] };
    try {
      answer = await this.#call('/', input, headers, AbortSignal.timeout(30_000));
    } catch (error) {
      // The API's own message, without the "Code: " ServerError puts in front.
      if (error instanceof ServerError)
        throw Object.assign(error, { message: error.message.slice(error.code.length + 2) });
      throw error;
    }
    return {
      ...answer,
      protectedTasks: (answer.protectedTasks ?? []).map(({ expirationDate, ...rest }) => ({
        ...rest,
        ...(expirationDate !== undefined ? { expirationDate: new Date(expirationDate * 1000) } : {}),
      })),
    };
  }
}

/** Managed (FARGATE) capacity inside the server: the same channel, called in process. */
export class InProcessControlPlane
  implements ControlPlane, TaskProtectionControl, TaskCredentialsControl, TelemetryControl
{
  readonly #deps: AgentEndpointDeps;
  readonly #capacity: string | undefined;
  /** `capacity`: among several servers, the FARGATE tasks placed on this one's (ecs/managed-capacities.ts). */
  constructor(deps: AgentEndpointDeps, capacity?: string) {
    this.#deps = deps;
    this.#capacity = capacity;
  }

  async telemetry(samples: readonly TaskUsageSample[]): Promise<void> {
    const { telemetry } = this.#deps;
    if (telemetry) await acceptTelemetry({ ...this.#deps, telemetry }, { managed: true, samples });
  }

  poll(token: string | undefined, waitSeconds: number): Promise<PollResponse> {
    return pollAssignments(this.#deps, {
      managed: true,
      capacity: this.#capacity,
      token,
      waitMs: Math.min(MAX_POLL_WAIT_MS, waitSeconds * 1000),
    });
  }

  async report(cluster: string, report: TaskReport): Promise<{ lastStatus: string; desiredStatus: string }> {
    try {
      const record = await applyTaskReport(this.#deps, cluster, report);
      return { lastStatus: record.lastStatus, desiredStatus: record.desiredStatus };
    } catch (error) {
      // Refused (the task or its cluster is gone): the report queue drops it instead of retrying.
      if (error instanceof AwsError && error.senderFault) throw Object.assign(error, { permanent: true });
      throw error;
    }
  }

  taskProtection(task: ProtectionTarget, change?: ProtectionChange): Promise<UpdateTaskProtectionResponse> {
    return agentTaskProtection(this.#deps, task, change);
  }

  taskCredentials(task: ProtectionTarget, role: TaskRoleKind): Promise<TaskRoleCredentials> {
    const { roleSessions } = this.#deps;
    if (!roleSessions) return Promise.reject(new Error('this server issues no task role credentials'));
    return taskRoleCredentials({ ...this.#deps, roleSessions }, { ...task, role, managed: true });
  }
}
