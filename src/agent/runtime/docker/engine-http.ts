import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

// The transport under DockerEngine: one HTTP request to the daemon over its unix socket or TCP,
// every path pinned to API v1.41 (Docker 20.10), and errors carrying the daemon's message.

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

export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface CallOptions {
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** JSON-encoded unless a Buffer. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Socket idle timeout; 0 for none. */
  readonly timeoutMs?: number;
}

export interface EngineRequest extends CallOptions {
  readonly method: string;
  /** Below the API version: `/containers/json`. */
  readonly path: string;
  readonly agent?: http.Agent;
}

/** Sends one request; resolves with the response once its status is below 400. */
export function engineRequest(endpoint: DockerEndpoint, options: EngineRequest): Promise<IncomingMessage> {
  const { method, path } = options;
  const body =
    options.body === undefined || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(typeof body === 'string' && { 'Content-Type': 'application/json' }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        ...endpoint,
        ...(options.agent && { agent: options.agent }),
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

/**
 * Sends a request the daemon answers by hijacking the connection (POST /exec/{id}/start): resolves
 * with the raw connection once it answers 101, on a connection of its own (never a pooled one).
 */
export function engineUpgrade(
  endpoint: DockerEndpoint,
  options: { readonly method: string; readonly path: string; readonly body: unknown },
): Promise<Duplex> {
  const body = JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request({
      ...endpoint,
      agent: false,
      method: options.method,
      path: `${API}${options.path}`,
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        Connection: 'Upgrade',
        Upgrade: 'tcp',
      },
    });
    request.setTimeout(CALL_TIMEOUT_MS, () =>
      request.destroy(new Error(`Docker ${options.method} ${options.path}: no answer in ${CALL_TIMEOUT_MS} ms`)),
    );
    request.on('upgrade', (_response, socket, head) => {
      request.setTimeout(0);
      socket.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      readText(response).then((text) => reject(new DockerEngineError(status, daemonMessage(text, status))), reject);
    });
    request.on('error', reject);
    request.end(body);
  });
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

function daemonMessage(text: string, status: number): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return text.trim() || `Docker engine answered HTTP ${status}`;
}

export async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function drain(response: IncomingMessage): Promise<void> {
  await readText(response);
}

export async function unlessNotFound<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof DockerEngineError && error.statusCode === 404) return undefined;
    throw error;
  }
}
