import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Agent, type ContainerRuntime } from '../agent/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { AgentEndpointDeps } from './agent-endpoints.ts';
import { InProcessControlPlane } from './control-planes.ts';
import { inProcessLogSink } from './log-sinks.ts';
import { createLogAppender } from '../logs/index.ts';

export interface ManagedCapacityOptions {
  readonly deps: AgentEndpointDeps;
  readonly logger: Logger;
  readonly dataDir: string;
  /** Builds the runtime for this server's managed containers (owner: a label value unique to the data folder). */
  readonly makeRuntime: (owner: string) => Promise<ContainerRuntime>;
  readonly stopTimeoutSeconds?: number;
  readonly cleanupDelayMs?: number;
}

/**
 * FARGATE on the local engine: an agent embedded in the server that runs every task with no
 * container instance. Its containers are labelled with an owner derived from the data folder, so
 * a restarted server re-attaches to its own and never touches another server's.
 */
export async function startManagedCapacity(options: ManagedCapacityOptions): Promise<Agent> {
  const owner = `managed-${createHash('sha256').update(resolve(options.dataDir)).digest('hex').slice(0, 16)}`;
  const runtime = await options.makeRuntime(owner);
  const log = options.logger.child({ component: 'managed-capacity' });
  const agent = new Agent(runtime, {
    control: new InProcessControlPlane(options.deps),
    pollWaitSeconds: 20,
    log,
    now: () => options.deps.clock.now(),
    stopTimeoutSeconds: options.stopTimeoutSeconds ?? 30,
    startTimeoutSeconds: 180,
    cleanupDelayMs: options.cleanupDelayMs ?? 3_600_000,
    logSink: inProcessLogSink(createLogAppender({ store: options.deps.store, clock: options.deps.clock })),
  });
  agent.start();
  return agent;
}
