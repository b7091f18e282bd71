/**
 * Which Berth server a `berth agent` calls: one URL, or several servers sharing one PostgreSQL
 * (docs/multi-server.md), any of which answers any call. Every client of the agent (its poll and
 * reports, ECR tokens, logs, credentials, environment files, exec) asks `endpointNow()` at each
 * call, so all of them follow the same choice, and tells `endpointFailed()` when a server gave no
 * answer (refused, reset, timed out) or a 5xx: the choice moves to the next server, and stays
 * there while it answers (as the ECS agent keeps the endpoint that works).
 */
export interface EndpointChoice {
  /** The server calls go to now. */
  current(): URL;
  /** A call to `url` got no answer or a 5xx; moves on from it if it is still the current one. */
  failed(url: URL, reason: string): void;
}

/** One server, or a choice among several. */
export type ServerEndpoint = URL | EndpointChoice;

export function endpointNow(endpoint: ServerEndpoint): URL {
  return endpoint instanceof URL ? endpoint : endpoint.current();
}

export function endpointFailed(endpoint: ServerEndpoint, url: URL, reason: string): void {
  if (!(endpoint instanceof URL)) endpoint.failed(url, reason);
}

/** Every server of the endpoint (one URL: itself). */
export function endpointServers(endpoint: ServerEndpoint): readonly URL[] {
  if (endpoint instanceof URL) return [endpoint];
  return endpoint instanceof FailoverEndpoints ? endpoint.servers : [endpoint.current()];
}

/** Servers taken in turn: the current one until it fails, then the next (wrapping around). */
export class FailoverEndpoints implements EndpointChoice {
  readonly servers: readonly URL[];
  readonly #onFailover: (from: URL, to: URL, reason: string) => void;
  #index = 0;

  constructor(servers: readonly URL[], onFailover: (from: URL, to: URL, reason: string) => void = () => {}) {
    if (servers.length === 0) throw new Error('no server endpoint');
    this.servers = servers;
    this.#onFailover = onFailover;
  }

  current(): URL {
    return this.servers[this.#index]!;
  }

  failed(url: URL, reason: string): void {
    if (this.servers.length === 1 || url !== this.current()) return; // another call moved on already
    this.#index = (this.#index + 1) % this.servers.length;
    this.#onFailover(url, this.current(), reason);
  }
}

/** The error's network code (fetch's TypeError carries it in `cause`), if any. */
function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** True when a caller's own abort (the agent stopping), not a timeout, ended the request. */
function abortedByCaller(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (signal.reason as Error | undefined)?.name !== 'TimeoutError';
}

/**
 * Sends one request to the server chosen now (`send` signs and fetches for that URL). A server
 * that gives no answer or a 5xx is reported failed; a refused connection (nothing was sent, so
 * nothing can be applied twice) is tried at once on the next server, each server at most once.
 * Other failures are thrown: the caller's own retry (with its backoff) reaches the next server.
 */
export async function fetchThrough(
  endpoint: ServerEndpoint,
  send: (url: URL) => Promise<Response>,
  signal?: AbortSignal,
): Promise<Response> {
  const tries = endpointServers(endpoint).length;
  for (let attempt = 1; ; attempt++) {
    const url = endpointNow(endpoint);
    let response: Response;
    try {
      response = await send(url);
    } catch (error) {
      if (abortedByCaller(signal)) throw error;
      const code = networkCode(error);
      endpointFailed(endpoint, url, code ?? (error as Error).name ?? String(error));
      if (code === 'ECONNREFUSED' && attempt < tries) continue;
      throw error;
    }
    if (response.status >= 500) endpointFailed(endpoint, url, `HTTP ${response.status}`);
    return response;
  }
}
