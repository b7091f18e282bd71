import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startMetadataServer,
  type ContainerRuntime,
  type MetadataServer,
  type TaskProtectionControl,
} from '../agent/index.ts';
import { writeFileAtomic } from '../shared/atomic-file.ts';

/** Kept in the agent's data folder: a container's endpoint URI has to outlive an agent restart. */
interface EndpointState {
  readonly port: number;
  readonly secret: string;
}

const STATE_FILE = 'task-metadata-endpoint.json';

/**
 * Starts the task metadata endpoint for an agent whose runtime can say where containers reach the
 * host (Docker); undefined for one that cannot (no engine), or when the networks cannot be read.
 * The agent, started after it, registers each task there before the task's first container starts.
 * With `protection` (the agent's control plane) it serves the agent API ECS_AGENT_URI names too.
 */
export async function startTaskMetadataEndpoint(
  runtime: ContainerRuntime,
  options: {
    readonly dataDir: string;
    readonly protection?: TaskProtectionControl;
    readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  },
): Promise<MetadataServer | undefined> {
  if (!runtime.hostNetworks) return undefined;
  let networks;
  try {
    networks = await runtime.hostNetworks();
  } catch (error) {
    options.log.warn({ err: String(error) }, 'cannot read the container networks: no task metadata endpoint');
    return undefined;
  }
  const file = join(options.dataDir, STATE_FILE);
  const previous = readState(file);
  const secret = previous?.secret ?? randomBytes(32).toString('hex');
  const server = await startMetadataServer({
    addresses: { bridge: networks.bridge?.gateway, awsvpc: networks.awsvpc?.gateway, host: '127.0.0.1' },
    port: previous?.port ?? 0,
    secret,
    source: { stats: async (id) => runtime.containerStats?.(id) },
    protection: options.protection,
    log: options.log,
  });
  const state: EndpointState = { port: server.port, secret };
  writeFileAtomic(file, JSON.stringify(state));
  options.log.info({ port: server.port, addresses: server.addresses }, 'task metadata endpoint listening');
  return server;
}

function readState(file: string): EndpointState | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<EndpointState>;
    if (typeof state.port === 'number' && typeof state.secret === 'string' && state.secret) {
      return { port: state.port, secret: state.secret };
    }
  } catch {
    // Absent or unreadable: a new port and secret.
  }
  return undefined;
}
