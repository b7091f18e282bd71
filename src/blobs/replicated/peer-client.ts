import type { KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import { PEER_HEADER, signPeerRequest } from './peer-auth.ts';

/** A peer answered with an error status (or not at all). */
export class PeerError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls to the other servers' peer endpoints (peer-routes.ts), signed with the shared token key:
 * fetch a blob or an upload's first bytes, push a blob, delete one.
 */
export class PeerClient {
  readonly #key: KeyObject;
  readonly #self: string;

  constructor(key: KeyObject, self: string) {
    this.#key = key;
    this.#self = self;
  }

  /** GETs a peer path; resolves with the body's chunks (status 200), else throws PeerError. */
  async get(base: string, path: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.#call(base, 'GET', path);
    if (response.status !== 200 || !response.body) throw await failure(response, path);
    return response.body as AsyncIterable<Uint8Array>;
  }

  /** PUTs `size` bytes to a peer path. */
  async put(base: string, path: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const response = await this.#call(base, 'PUT', path, body);
    if (response.status !== 201) throw await failure(response, path);
    await response.body?.cancel();
  }

  async delete(base: string, path: string): Promise<void> {
    const response = await this.#call(base, 'DELETE', path);
    if (response.status !== 204 && response.status !== 404) throw await failure(response, path);
    await response.body?.cancel();
  }

  async #call(base: string, method: string, path: string, body?: AsyncIterable<Uint8Array>): Promise<Response> {
    const headers = { [PEER_HEADER]: signPeerRequest(this.#key, this.#self, method, path, Date.now()) };
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body
          ? { body: Readable.toWeb(Readable.from(body)) as unknown as RequestInit['body'], duplex: 'half' }
          : {}),
      } as RequestInit);
    } catch (error) {
      throw new PeerError(0, `${method} ${base}${path}: ${(error as Error).message}`);
    }
  }
}

async function failure(response: Response, path: string): Promise<PeerError> {
  const text = await response.text().catch(() => '');
  return new PeerError(response.status, `peer ${path} answered ${response.status}: ${text.slice(0, 300)}`);
}
