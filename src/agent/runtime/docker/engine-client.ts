import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type {
  ContainerInspect,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  ImageInspect,
} from './engine-types.ts';
import { parseImageReference, pullTag } from './image-reference.ts';
import { jsonLines, logLines } from './log-stream.ts';
import type { LogLine } from './log-stream.ts';

// A small Docker Engine API client over node:http: JSON in and out, streams as async iterables.
// Every path is pinned to API v1.41 (Docker 20.10), so a newer daemon answers the same shapes.

const API = '/v1.41';
const DEFAULT_SOCKET = '/var/run/docker.sock';
/** Idle timeout of ordinary calls; streams (pull, logs, events, wait) have none. */
const CALL_TIMEOUT_MS = 120_000;

/** A non-2xx answer, with the daemon's `message`; statusCode 500 for a failure reported mid-stream. */
export class DockerEngineError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'DockerEngineError';
    this.statusCode = statusCode;
  }
}

export interface DockerEndpoint {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
}

/** Where DOCKER_HOST points: `unix:///path` or `tcp://host:port`; the default socket when unset. */
export function dockerEndpoint(dockerHost: string | undefined = process.env.DOCKER_HOST): DockerEndpoint {
  if (!dockerHost) return { socketPath: DEFAULT_SOCKET };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const match = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(dockerHost);
  if (!match) throw new Error(`unsupported DOCKER_HOST ${dockerHost} (use unix:///path or tcp://host:port)`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2] ?? 2375) };
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

export type Labels = Readonly<Record<string, string>>;
type QueryValue = string | number | boolean | undefined | readonly string[];

interface CallOptions {
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** JSON-encoded unless a Buffer. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Socket idle timeout; 0 for none. */
  readonly timeoutMs?: number;
}

export class DockerEngine {
  private readonly endpoint: DockerEndpoint;
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly networksInFlight = new Map<string, Promise<string>>();

  constructor(options: { readonly dockerHost?: string } = {}) {
    this.endpoint = dockerEndpoint(options.dockerHost ?? process.env.DOCKER_HOST);
  }

  /** Closes idle keep-alive connections; calls in flight finish. */
  close(): void {
    this.agent.destroy();
  }

  async ping(): Promise<void> {
    await drain(await this.call('GET', '/_ping'));
  }

  async info(): Promise<EngineInfo> {
    const raw = await this.json<Record<string, unknown>>('GET', '/info');
    return {
      cpus: raw.NCPU as number,
      memoryBytes: raw.MemTotal as number,
      serverVersion: raw.ServerVersion as string,
      operatingSystem: raw.OperatingSystem as string,
      architecture: raw.Architecture as string,
      kernelVersion: raw.KernelVersion as string,
      name: raw.Name as string,
      loggingDriver: raw.LoggingDriver as string,
      ...(typeof raw.CgroupVersion === 'string' && { cgroupVersion: raw.CgroupVersion }),
    };
  }

  version(): Promise<EngineVersion> {
    return this.json('GET', '/version');
  }

  /**
   * Pulls `reference` to the end of the progress stream. The daemon reports most failures inside
   * the stream (`errorDetail`), which reject like an HTTP error. Resolves with the manifest digest.
   */
  async pullImage(reference: string, options: { readonly auth?: RegistryAuth } = {}): Promise<{ digest?: string }> {
    const parsed = parseImageReference(reference);
    const response = await this.call('POST', '/images/create', {
      query: { fromImage: parsed.name, tag: pullTag(parsed) },
      headers: options.auth ? { 'X-Registry-Auth': registryAuthHeader(options.auth) } : {},
      timeoutMs: 0,
    });
    let digest: string | undefined;
    for (const message of await progress(response)) {
      const status = (message as { status?: unknown }).status;
      if (typeof status === 'string' && status.startsWith('Digest: ')) digest = status.slice('Digest: '.length);
    }
    return digest === undefined ? {} : { digest };
  }

  async imageExists(reference: string): Promise<boolean> {
    return (await this.inspectImage(reference)) !== undefined;
  }

  inspectImage(reference: string): Promise<ImageInspect | undefined> {
    return unlessNotFound(this.json(`GET`, `/images/${encodeURIComponent(reference)}/json`));
  }

  /** `docker import`: a root filesystem tar becomes `repository:tag`; resolves with the image ID. */
  async importImage(
    tar: Buffer,
    options: { readonly repository: string; readonly tag: string; readonly changes?: readonly string[] },
  ): Promise<string> {
    const response = await this.call('POST', '/images/create', {
      query: { fromSrc: '-', repo: options.repository, tag: options.tag, changes: options.changes ?? [] },
      headers: { 'Content-Type': 'application/x-tar' },
      body: tar,
      timeoutMs: 0,
    });
    const messages = await progress(response);
    return String((messages.at(-1) as { status?: unknown } | undefined)?.status ?? '');
  }

  async createContainer(name: string, body: object): Promise<string> {
    const created = await this.json<{ Id: string }>('POST', '/containers/create', { query: { name }, body });
    return created.Id;
  }

  /** 304 (already running) counts as started. */
  async startContainer(id: string): Promise<void> {
    await drain(await this.call('POST', `/containers/${id}/start`));
  }

  /** SIGTERM (or the image's stop signal), then SIGKILL after `timeoutSeconds`; 304 (not running) is fine. */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const timeoutMs = (timeoutSeconds + 60) * 1000;
    await drain(await this.call('POST', `/containers/${id}/stop`, { query: { t: timeoutSeconds }, timeoutMs }));
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    await drain(await this.call('POST', `/containers/${id}/kill`, { query: { signal } }));
  }

  /** Waits, without a timeout, until the container is not running (at once if it never started). */
  async waitContainer(id: string, options: { readonly signal?: AbortSignal } = {}): Promise<WaitResult> {
    const result = await this.json<{ StatusCode: number; Error?: { Message?: string } | null }>(
      'POST',
      `/containers/${id}/wait`,
      { query: { condition: 'not-running' }, timeoutMs: 0, ...(options.signal && { signal: options.signal }) },
    );
    const error = result.Error?.Message;
    return { exitCode: result.StatusCode, ...(error && { error }) };
  }

  inspectContainer(id: string): Promise<ContainerInspect | undefined> {
    return unlessNotFound(this.json('GET', `/containers/${id}/json`));
  }

  /** A container that is already gone counts as removed. */
  async removeContainer(
    id: string,
    options: { readonly force?: boolean; readonly volumes?: boolean } = {},
  ): Promise<void> {
    const query = { force: options.force ?? false, v: options.volumes ?? false };
    await unlessNotFound(this.call('DELETE', `/containers/${id}`, { query }).then(drain));
  }

  /** Containers carrying every label given; a label mapped to undefined only has to be present. */
  listContainers(
    options: { readonly all?: boolean; readonly labels?: Readonly<Record<string, string | undefined>> } = {},
  ): Promise<ContainerSummary[]> {
    const label = Object.entries(options.labels ?? {}).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
    return this.json('GET', '/containers/json', { query: { all: options.all ?? false, filters: filters({ label }) } });
  }

  /** The ID of the network named `name`, created if absent. Concurrent calls in one process share one create. */
  ensureNetwork(name: string, options: { readonly driver?: string; readonly labels?: Labels } = {}): Promise<string> {
    let ensured = this.networksInFlight.get(name);
    if (!ensured) {
      ensured = this.findOrCreateNetwork(name, options).finally(() => this.networksInFlight.delete(name));
      this.networksInFlight.set(name, ensured);
    }
    return ensured;
  }

  private async findOrCreateNetwork(name: string, options: { driver?: string; labels?: Labels }): Promise<string> {
    const existing = await this.networkId(name);
    if (existing) return existing;
    const body = { Name: name, Driver: options.driver ?? 'bridge', Labels: options.labels ?? {}, CheckDuplicate: true };
    try {
      return (await this.json<{ Id: string }>('POST', '/networks/create', { body })).Id;
    } catch (error) {
      // Another process created it between our look and our create.
      const raced = error instanceof DockerEngineError && error.statusCode === 409 && (await this.networkId(name));
      if (raced) return raced;
      throw error;
    }
  }

  /** GET /networks/{x} also matches ID prefixes: only an exact name counts. */
  private async networkId(name: string): Promise<string | undefined> {
    const found = await unlessNotFound(this.json<{ Id: string; Name: string }>('GET', `/networks/${name}`));
    return found?.Name === name ? found.Id : undefined;
  }

  /** A network that is already gone counts as removed. */
  async removeNetwork(nameOrId: string): Promise<void> {
    await unlessNotFound(this.call('DELETE', `/networks/${nameOrId}`).then(drain));
  }

  /** Creates a named volume (Docker answers with the existing one if the name is taken). */
  async createVolume(
    name: string,
    options: { readonly labels?: Labels; readonly driver?: string; readonly driverOpts?: Labels } = {},
  ): Promise<string> {
    const body = {
      Name: name,
      Driver: options.driver ?? 'local',
      DriverOpts: options.driverOpts ?? {},
      Labels: options.labels ?? {},
    };
    return (await this.json<{ Name: string }>('POST', '/volumes/create', { body })).Name;
  }

  async removeVolume(name: string, options: { readonly force?: boolean } = {}): Promise<void> {
    await unlessNotFound(
      this.call('DELETE', `/volumes/${name}`, { query: { force: options.force ?? false } }).then(drain),
    );
  }

  /**
   * A container's stdout and stderr as timestamped lines (Docker's timestamps are always requested).
   * With `follow` the iteration ends when the container stops, after its last line; `since` is
   * inclusive. Aborting `signal` ends the iteration quietly.
   */
  async *containerLogs(id: string, options: LogOptions = {}): AsyncGenerator<LogLine> {
    const since = options.since instanceof Date ? unixSeconds(options.since) : options.since;
    const query = {
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: options.follow ?? false,
      since,
      tail: options.tail,
    };
    yield* this.stream(`/containers/${id}/logs`, { query, signal: options.signal }, (body) =>
      logLines(body, { tty: options.tty ?? false }),
    );
  }

  /**
   * Engine events as they happen (and from `since`, if given), e.g.
   * `{ type: ['container'], event: ['die', 'health_status'], label: ['com.amazonaws.ecs.cluster=default'] }`.
   * Aborting `signal` ends the iteration quietly.
   */
  async *events(options: EventOptions = {}): AsyncGenerator<EngineEvent> {
    const since = options.since instanceof Date ? unixSeconds(options.since) : options.since;
    const query = { filters: filters(options.filters ?? {}), since };
    yield* this.stream(
      '/events',
      { query, signal: options.signal },
      (body) => jsonLines(body) as AsyncGenerator<EngineEvent>,
    );
  }

  private async *stream<T>(
    path: string,
    options: { query: Record<string, QueryValue>; signal: AbortSignal | undefined },
    decode: (body: IncomingMessage) => AsyncGenerator<T>,
  ): AsyncGenerator<T> {
    const { signal } = options;
    try {
      const response = await this.call('GET', path, { query: options.query, timeoutMs: 0, ...(signal && { signal }) });
      try {
        yield* decode(response);
      } finally {
        response.destroy();
      }
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }

  private async json<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const text = await readText(await this.call(method, path, options));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Sends one request; resolves with the response once its status is below 400. */
  private call(method: string, path: string, options: CallOptions = {}): Promise<IncomingMessage> {
    const body =
      options.body === undefined || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...(typeof body === 'string' && { 'Content-Type': 'application/json' }),
      ...options.headers,
    };
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          ...this.endpoint,
          agent: this.agent,
          method,
          path: `${API}${path}${queryString(options.query ?? {})}`,
          headers: { ...headers, ...(body !== undefined && { 'Content-Length': String(Buffer.byteLength(body)) }) },
          ...(options.signal && { signal: options.signal }),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status < 400) return resolve(response);
          readText(response).then((text) => reject(new DockerEngineError(status, daemonMessage(text, status))), reject);
        },
      );
      const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
      if (timeoutMs > 0) {
        request.setTimeout(timeoutMs, () =>
          request.destroy(new Error(`Docker ${method} ${path}: no answer in ${timeoutMs} ms`)),
        );
      }
      request.on('error', reject);
      request.end(body);
    });
  }
}

export interface WaitResult {
  readonly exitCode: number;
  readonly error?: string;
}

export interface LogOptions {
  readonly follow?: boolean;
  /** A time, or seconds since the epoch. */
  readonly since?: Date | number;
  /** How many of the last lines to start from: a number or `all` (the default). */
  readonly tail?: number | 'all';
  /** The container was created with Tty: its output is not multiplexed. */
  readonly tty?: boolean;
  readonly signal?: AbortSignal;
}

export interface EventOptions {
  /** Docker's event filters: type, event, container, image, label, network, volume, ... */
  readonly filters?: Readonly<Record<string, readonly string[]>>;
  readonly since?: Date | number;
  readonly signal?: AbortSignal;
}

/** X-Registry-Auth: base64url of the JSON credentials, padded as Docker 20.10's decoder requires. */
function registryAuthHeader(auth: RegistryAuth): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Reads a progress stream to its end; rejects with the first error it reports. */
async function progress(response: IncomingMessage): Promise<unknown[]> {
  const messages: unknown[] = [];
  for await (const message of jsonLines(response)) {
    const { error, errorDetail } = message as { error?: string; errorDetail?: { message?: string } };
    if (error || errorDetail) throw new DockerEngineError(500, errorDetail?.message ?? error ?? 'unknown error');
    messages.push(message);
  }
  return messages;
}

/** Docker's filters parameter in its map form: `{"label":{"a=b":true}}`. */
function filters(values: Readonly<Record<string, readonly string[]>>): string | undefined {
  const entries = Object.entries(values).filter(([, list]) => list.length > 0);
  if (entries.length === 0) return undefined;
  return JSON.stringify(
    Object.fromEntries(entries.map(([key, list]) => [key, Object.fromEntries(list.map((v) => [v, true]))])),
  );
}

function queryString(query: Readonly<Record<string, QueryValue>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Seconds since the epoch with milliseconds, the form Docker's `since` takes. */
function unixSeconds(time: Date): string {
  const ms = time.getTime();
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}

function daemonMessage(text: string, status: number): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return text.trim() || `Docker engine answered HTTP ${status}`;
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(response: IncomingMessage): Promise<void> {
  await readText(response);
}

async function unlessNotFound<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof DockerEngineError && error.statusCode === 404) return undefined;
    throw error;
  }
}
