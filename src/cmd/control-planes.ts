import type { ControlPlane } from '../agent/index.ts';
import { applyTaskReport, pollAssignments, type PollResponse, type TaskReport } from '../ecs/index.ts';
import { AwsError } from '../shared/aws-error.ts';
import type { AgentEndpointDeps } from './agent-endpoints.ts';
import { MAX_POLL_WAIT_MS } from './agent-endpoints.ts';
import type { signedJsonClient } from './signed-fetch.ts';

/** `berth agent`'s link to its server: the /berth/agent endpoints, signed with SigV4. */
export class HttpControlPlane implements ControlPlane {
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
}

/** Managed (FARGATE) capacity inside the server: the same channel, called in process. */
export class InProcessControlPlane implements ControlPlane {
  readonly #deps: AgentEndpointDeps;
  constructor(deps: AgentEndpointDeps) {
    this.#deps = deps;
  }

  poll(token: string | undefined, waitSeconds: number): Promise<PollResponse> {
    return pollAssignments(this.#deps, {
      managed: true,
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
}
