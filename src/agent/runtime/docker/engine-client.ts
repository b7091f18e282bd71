import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  ContainerInspect,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  EventOptions,
  ImageInspect,
  LogOptions,
  NetworkInspect,
  RegistryAuth,
  WaitResult,
} from './engine-types.ts';
import {
  DockerEngineError,
  dockerEndpoint,
  drain,
  engineRequest,
  engineUpgrade,
  readText,
  unlessNotFound,
} from './engine-http.ts';
import type { CallOptions, DockerEndpoint, QueryValue } from './engine-http.ts';
import { parseImageReference, pullTag } from './image-reference.ts';
import { jsonLines, LogCursor, logLines } from './log-stream.ts';
import type { LogLine } from './log-stream.ts';

// A small Docker Engine API client: JSON in and out, streams as async iterables. The transport
// (engine-http.ts) pins every path to API v1.41, so a newer daemon answers the same shapes.

export { DockerEngineError, dockerEndpoint };
export type { DockerEndpoint };

export type Labels = Readonly<Record<string, string>>;

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

  /**
   * One sample of a container's resource usage (`docker stats --no-stream`): Docker's stats document
   * as it sends it, with `precpu_stats` filled, so the call takes about a second. Undefined if gone.
   */
  containerStats(id: string): Promise<Record<string, unknown> | undefined> {
    return unlessNotFound(this.json('GET', `/containers/${id}/stats`, { query: { stream: false } }));
  }

  /** POST /containers/{id}/exec: an exec instance's ID (409 when the container is not running). */
  async createExec(containerId: string, body: object): Promise<string> {
    return (await this.json<{ Id: string }>('POST', `/containers/${containerId}/exec`, { body })).Id;
  }

  /** POST /exec/{id}/start, hijacked: the process's stdin and (multiplexed unless Tty) output. */
  startExec(execId: string, options: { readonly tty: boolean }): Promise<Duplex> {
    return engineUpgrade(this.endpoint, {
      method: 'POST',
      path: `/exec/${execId}/start`,
      body: { Detach: false, Tty: options.tty },
    });
  }

  async resizeExec(execId: string, size: { readonly cols: number; readonly rows: number }): Promise<void> {
    await drain(await this.call('POST', `/exec/${execId}/resize`, { query: { h: size.rows, w: size.cols } }));
  }

  inspectExec(execId: string): Promise<{ Running: boolean; ExitCode: number | null } | undefined> {
    return unlessNotFound(this.json('GET', `/exec/${execId}/json`));
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
    return (await this.inspectNetwork(name))?.Id;
  }

  /** The network named exactly `name` (its subnets and gateways), or undefined. */
  async inspectNetwork(name: string): Promise<NetworkInspect | undefined> {
    const found = await unlessNotFound(this.json<NetworkInspect>('GET', `/networks/${encodeURIComponent(name)}`));
    return found?.Name === name ? found : undefined;
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
    const cursor = new LogCursor();
    for await (const entry of this.readLogs(id, options)) {
      cursor.record(entry);
      yield entry;
    }
    if (!options.follow || options.signal?.aborted) return;
    // Docker 20.10 can end a follow as the container exits, before the output it wrote last (a line
    // without a newline, say) reaches the log file. Once the container is stopped the file is
    // complete: read it again from the last line delivered, skipping what was delivered.
    await unlessNotFound(this.waitContainer(id, options.signal ? { signal: options.signal } : {}));
    const since = cursor.since ?? options.since;
    const rest = this.readLogs(id, {
      ...options,
      follow: false,
      ...(since && { since }),
      ...(cursor.since && { tail: 'all' }),
    });
    for await (const entry of rest) if (!cursor.isRepeat(entry)) yield entry;
  }

  private async *readLogs(id: string, options: LogOptions): AsyncGenerator<LogLine> {
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

  private call(method: string, path: string, options: CallOptions = {}): Promise<IncomingMessage> {
    return engineRequest(this.endpoint, { ...options, method, path, agent: this.agent });
  }

  private async json<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const text = await readText(await this.call(method, path, options));
    return (text ? JSON.parse(text) : undefined) as T;
  }
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

/** Seconds since the epoch with milliseconds, the form Docker's `since` takes. */
function unixSeconds(time: Date): string {
  const ms = time.getTime();
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}
