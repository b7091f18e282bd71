import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskAssignment } from '../../ecs/index.ts';
import type { TaskProtectionControl } from '../control-plane.ts';
import { containerMetadata, taskMetadata, type MetadataVersion, type TaskMetadataSnapshot } from './task-metadata.ts';
import { serveTaskProtection } from './task-protection-state.ts';

// The ECS task metadata endpoint (v4, and v3) for the containers this agent runs. ECS serves it on
// 169.254.170.2 and tells each container its URI; Berth listens on the host's address on each
// Docker network the containers sit on (never 0.0.0.0), and each URI names the task, a token that
// only this agent can compute (so a container cannot read another task's metadata by guessing its
// id), and the container:
//
//   http://ADDRESS:PORT/v4/<task id>-<token>/<container name>[/task | /taskWithTags | /stats | /task/stats]
//
// With a control plane to ask, it also serves the agent API that ECS_AGENT_URI names, for the task:
//
//   http://ADDRESS:PORT/api/<task id>-<token>/task-protection/v1/state   (GET, PUT)
//
// And the task role credentials endpoint that AWS_CONTAINER_CREDENTIALS_RELATIVE_URI names, which
// containers reach as http://169.254.170.2 (credentials-routes.ts sends that address here):
//
//   http://ADDRESS:PORT/v2/credentials/<credentials id>    (and /v1/credentials?id=<credentials id>)

/** Where the server reads the runtime's stats of one container. */
export interface MetadataSource {
  stats(runtimeId: string): Promise<object | undefined>;
}

/**
 * The tasks the endpoint answers for. ECS serves a task's metadata from the moment its containers
 * start: the agent registers a task before it creates (or re-attaches to) any of its containers,
 * and deregisters it once they are removed.
 */
export interface TaskMetadataRegistry {
  /** `snapshot` gives the agent's current view of the task, each time a container asks. */
  register(taskArn: string, snapshot: () => Promise<TaskMetadataSnapshot>): void;
  deregister(taskArn: string): void;
}

/** Where containers of each network mode reach the host; host-mode containers use `host` (127.0.0.1). */
export interface MetadataAddresses {
  readonly bridge?: string | undefined;
  readonly awsvpc?: string | undefined;
  readonly host: string;
}

export interface MetadataServerOptions {
  readonly addresses: MetadataAddresses;
  /**
   * The port on every address; 0 picks one. Containers keep their URI for life, so an agent that
   * restarts asks for the port it had (and gets another, with a warning, if that one is taken).
   */
  readonly port: number;
  /** Keys the URI tokens; kept across restarts for the same reason as the port. */
  readonly secret: string;
  readonly source: MetadataSource;
  /** Where task protection calls go (ECS_AGENT_URI is set only with it). */
  readonly protection?: TaskProtectionControl | undefined;
  readonly log?: { warn(obj: object, msg: string): void };
}

/** What the credentials endpoint answers: the ECS agent's IAMRoleCredentials document. */
export interface RoleCredentialsDocument {
  readonly RoleArn: string;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly Token: string;
  /** RFC 3339, as ECS's control plane hands it to the agent. */
  readonly Expiration: string;
}

/** The credentials endpoint's table: an unguessable id per task, and where its current session comes from. */
export interface CredentialsRegistry {
  registerCredentials(id: string, current: () => Promise<RoleCredentialsDocument>): void;
  deregisterCredentials(id: string): void;
}

export interface MetadataServer extends TaskMetadataRegistry, CredentialsRegistry {
  readonly port: number;
  /**
   * The id of a task's credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI's last part): a keyed
   * hash of the task, unguessable by another task and the same after an agent restart.
   */
  credentialsIdFor(taskArn: string): string;
  /** The addresses actually listened on (one the host does not have is left out, with a warning). */
  readonly addresses: MetadataAddresses;
  /** The container's endpoint URI, or undefined when the host is not reachable in that network mode. */
  uriFor(
    task: Pick<TaskAssignment, 'taskArn' | 'networkMode'>,
    containerName: string,
    options?: { readonly version?: MetadataVersion },
  ): string | undefined;
  /** ECS_CONTAINER_METADATA_URI_V4, ECS_CONTAINER_METADATA_URI (v3) and ECS_AGENT_URI for one container. */
  environmentFor(task: Pick<TaskAssignment, 'taskArn' | 'networkMode'>, containerName: string): Record<string, string>;
  close(): Promise<void>;
}

const TOKEN_LENGTH = 16;

export async function startMetadataServer(options: MetadataServerOptions): Promise<MetadataServer> {
  const tokenOf = (taskId: string) =>
    createHmac('sha256', options.secret).update(taskId).digest('hex').slice(0, TOKEN_LENGTH);
  const tasks = new Map<string, () => Promise<TaskMetadataSnapshot>>();
  const credentials = new Map<string, () => Promise<RoleCredentialsDocument>>();
  const taskIdOf = (taskArn: string) => taskArn.split('/').at(-1)!;
  const lookup: Lookup = {
    tokenOf,
    snapshot: (taskId) => tasks.get(taskId)?.(),
    stats: (runtimeId) => options.source.stats(runtimeId),
  };
  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = request.url ?? '/';
    const answer = url.startsWith('/api/')
      ? serveAgentApi(request, lookup, options.protection)
      : url.startsWith('/v1/credentials') || url.startsWith('/v2/credentials')
        ? serveCredentials(request, credentials)
        : serve(request, lookup);
    answer.then(
      ({ status, body }) => send(response, status, body),
      (error: unknown) => {
        options.log?.warn({ err: String(error), url: request.url }, 'task metadata request failed');
        send(response, 500, 'failed to get metadata');
      },
    );
  };
  const { servers, port, addresses } = await listenAll(options, handler);
  const baseFor = (task: Pick<TaskAssignment, 'taskArn' | 'networkMode'>) => {
    const mode = task.networkMode || 'bridge';
    const address = mode === 'awsvpc' ? addresses.awsvpc : mode === 'bridge' ? addresses.bridge : addresses.host;
    if (!address) return undefined;
    const taskId = taskIdOf(task.taskArn);
    return { origin: `http://${address}:${port}`, endpoint: `${taskId}-${tokenOf(taskId)}` };
  };
  const uriFor: MetadataServer['uriFor'] = (task, containerName, uriOptions = {}) => {
    const base = baseFor(task);
    if (!base) return undefined;
    return `${base.origin}/v${uriOptions.version ?? 4}/${base.endpoint}/${encodeURIComponent(containerName)}`;
  };
  return {
    port,
    addresses,
    register: (taskArn, snapshot) => void tasks.set(taskIdOf(taskArn), snapshot),
    deregister: (taskArn) => void tasks.delete(taskIdOf(taskArn)),
    credentialsIdFor: (taskArn) => {
      // Shaped as the ECS agent's ids are: a UUID.
      const hex = createHmac('sha256', options.secret).update(`credentials:${taskArn}`).digest('hex');
      return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
    },
    registerCredentials: (id, current) => void credentials.set(id, current),
    deregisterCredentials: (id) => void credentials.delete(id),
    uriFor,
    environmentFor(task, containerName) {
      const v4 = uriFor(task, containerName);
      const v3 = uriFor(task, containerName, { version: 3 });
      const base = options.protection && baseFor(task);
      return {
        ...(v4 && { ECS_CONTAINER_METADATA_URI_V4: v4 }),
        ...(v3 && { ECS_CONTAINER_METADATA_URI: v3 }),
        ...(base && { ECS_AGENT_URI: `${base.origin}/api/${base.endpoint}` }),
      };
    },
    async close() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const PATH = /^\/v([34])\/([0-9A-Za-z]+)-([0-9a-f]+)\/([^/]+)(\/task|\/taskWithTags|\/stats|\/task\/stats)?\/?$/;

const AGENT_API_PATH = /^\/api\/([0-9A-Za-z]+)-([0-9a-f]+)\/task-protection\/v1\/state$/;
/** Larger than any task protection request; a body past it is refused unread. */
const MAX_AGENT_API_BODY = 64 * 1024;

/** The agent API (ECS_AGENT_URI): task scale-in protection for the task the path names. */
async function serveAgentApi(
  request: http.IncomingMessage,
  source: Lookup,
  protection: TaskProtectionControl | undefined,
): Promise<Answer> {
  const path = new URL(request.url ?? '/', 'http://metadata').pathname;
  const match = AGENT_API_PATH.exec(path);
  if (!match || !protection) return { status: 404, body: `no agent API at ${path}` };
  const [taskId, token] = [match[1]!, match[2]!];
  const body = request.method === 'PUT' ? await readBody(request) : '';
  const snapshot = sameToken(token, source.tokenOf(taskId)) ? await source.snapshot(taskId) : undefined;
  return serveTaskProtection({ method: request.method ?? 'GET', body: body ?? '' }, { snapshot, control: protection });
}

const CREDENTIALS_V2_PATH = /^\/v2\/credentials\/([^/]*)$/;

/**
 * The credentials endpoint as the ECS agent answers it (ecs-agent/tmds/handlers/v1/
 * credentials_handler.go): the document of the id's current session, or a 400 whose body is
 * {"code", "message"}, the message prefixed "CredentialsV1Request: " or "CredentialsV2Request: ".
 */
async function serveCredentials(
  request: http.IncomingMessage,
  credentials: ReadonlyMap<string, () => Promise<RoleCredentialsDocument>>,
): Promise<Answer> {
  const url = new URL(request.url ?? '/', 'http://metadata');
  const v2 = CREDENTIALS_V2_PATH.exec(url.pathname);
  const version = v2 ? 2 : 1;
  if (!v2 && url.pathname !== '/v1/credentials') return { status: 404, body: `no credentials at ${url.pathname}` };
  const prefix = `CredentialsV${version}Request: `;
  const id = v2 ? decodeName(v2[1]!) : (url.searchParams.get('id') ?? '');
  if (id === '') {
    return { status: 400, body: { code: 'NoIdInRequest', message: `${prefix}No Credential ID in the request` } };
  }
  const current = credentials.get(id);
  if (!current) return { status: 400, body: { code: 'InvalidIdInRequest', message: `${prefix}Credentials not found` } };
  try {
    return { status: 200, body: await current() };
  } catch {
    // No session to give (the server unreachable past the held one's expiry): as the agent words it.
    return { status: 500, body: { code: 'InternalServerError', message: 'Internal server error' } };
  }
}

/** The request's body as text; undefined past MAX_AGENT_API_BODY. */
async function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_AGENT_API_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What a request is answered from: the URI tokens, the registered tasks, and the runtime's stats. */
interface Lookup extends MetadataSource {
  tokenOf(taskId: string): string;
  snapshot(taskId: string): Promise<TaskMetadataSnapshot> | undefined;
}

/** Errors are JSON strings, as the ECS agent writes them. */
async function serve(request: http.IncomingMessage, source: Lookup): Promise<Answer> {
  const path = new URL(request.url ?? '/', 'http://metadata').pathname;
  const match = PATH.exec(path);
  if (!match) return { status: 404, body: `no metadata at ${path}` };
  if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, body: 'method not allowed' };
  const version = Number(match[1]) as MetadataVersion;
  const [taskId, token, suffix] = [match[2]!, match[3]!, match[5]];
  const prefix = `V${version} ${suffix?.endsWith('stats') ? 'stats' : 'metadata'} handler`;
  const notFound = { status: 404, body: `${prefix}: unable to find the task or container of this endpoint` };
  if (!sameToken(token, source.tokenOf(taskId))) return notFound;
  const snapshot = await source.snapshot(taskId);
  const containerName = decodeName(match[4]!);
  const container = snapshot?.containers.find((c) => c.name === containerName);
  if (!snapshot || !container) return notFound;
  switch (suffix) {
    case '/task':
      return { status: 200, body: taskMetadata(snapshot, { version }) };
    case '/taskWithTags':
      if (version === 3) return notFound;
      return { status: 200, body: taskMetadata(snapshot, { version }) };
    case '/stats': {
      const stats = container.runtimeId && (await statsOf(source, snapshot, container.runtimeId));
      if (!stats) return { status: 404, body: `${prefix}: no stats for container ${containerName} yet` };
      return { status: 200, body: stats };
    }
    case '/task/stats': {
      const ids = snapshot.containers.flatMap((c) => (c.runtimeId ? [c.runtimeId] : []));
      const all = await Promise.all(ids.map(async (id) => [id, (await statsOf(source, snapshot, id)) ?? null]));
      return { status: 200, body: Object.fromEntries(all) };
    }
    default:
      return { status: 200, body: containerMetadata(snapshot, containerName, { version }) };
  }
}

/**
 * A container's stats. In an awsvpc task the containers share the namespace of the task's sandbox,
 * whose stats alone carry the network counters: ECS reports them for every container, so do we.
 */
async function statsOf(
  source: MetadataSource,
  snapshot: TaskMetadataSnapshot,
  runtimeId: string,
): Promise<object | undefined> {
  const sandboxId = snapshot.network?.sandboxId;
  const [stats, sandbox] = await Promise.all([
    source.stats(runtimeId),
    sandboxId ? source.stats(sandboxId).catch(() => undefined) : undefined,
  ]);
  if (!stats) return undefined;
  const networks = (sandbox as { networks?: unknown } | undefined)?.networks;
  if (networks && !('networks' in stats)) return { ...stats, networks };
  return stats;
}

function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function sameToken(given: string, expected: string): boolean {
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Listens on every address on one port. With port 0 the first listener picks it and the others
 * follow; if another process holds it on a later address, everything starts over on a new port.
 */
async function listenAll(
  options: MetadataServerOptions,
  handler: http.RequestListener,
): Promise<{ servers: http.Server[]; port: number; addresses: MetadataAddresses }> {
  let port = options.port;
  for (let attempt = 0; ; attempt += 1) {
    const servers: http.Server[] = [];
    const reachable: Record<string, string | undefined> = {};
    try {
      const roles = Object.entries(options.addresses).filter((entry): entry is [string, string] => !!entry[1]);
      const listening = new Map<string, boolean>();
      for (const [role, address] of roles) {
        if (!listening.has(address)) {
          const server = http.createServer(handler);
          const bound = await listen(server, address, port);
          if (bound === undefined) {
            options.log?.warn({ address }, 'this host has no such address: no task metadata endpoint on it');
            listening.set(address, false);
            continue;
          }
          servers.push(server);
          port = bound;
          listening.set(address, true);
        }
        if (listening.get(address)) reachable[role] = address;
      }
      return { servers, port, addresses: { ...reachable, host: reachable.host ?? options.addresses.host } };
    } catch (error) {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
      if (attempt === 0 && options.port !== 0) {
        options.log?.warn(
          { port },
          'the task metadata port is taken: containers started before the agent restarted lose their endpoint',
        );
      }
      port = 0;
    }
  }
}

/** Resolves with the port, or undefined when the host has no such address. */
function listen(server: http.Server, address: string, port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRNOTAVAIL') resolve(undefined);
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, address, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
