import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../blob-store.ts';
import { blobPath, uploadPath } from '../layout.ts';
import { PEER_HEADER, verifyPeerRequest } from './peer-auth.ts';
import type { ReplicatedBlobStore } from './replicated-blob-store.ts';

export interface PeerRoutesOptions {
  readonly store: ReplicatedBlobStore;
  /** The local blob store's folder (layout.ts). */
  readonly root: string;
  readonly key: KeyObject;
  readonly now: () => number;
}

const BLOB = /^\/berth\/peer\/blobs\/(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
const UPLOAD = /^\/berth\/peer\/uploads\/([A-Za-z0-9-]{1,64})$/;

/**
 * The server-to-server endpoints of replicated blobs, under /berth/peer/ (authenticated with the
 * shared token key, peer-auth.ts):
 *
 *   GET    /berth/peer/blobs/<digest>             this server's copy of a blob (404 if none)
 *   PUT    /berth/peer/blobs/<digest>             take a copy: 201 once verified and stored, 400 on a digest mismatch
 *   DELETE /berth/peer/blobs/<digest>             drop this server's copy (garbage collection)
 *   GET    /berth/peer/uploads/<id>?size=<n>      the first n bytes of an upload held here
 *   DELETE /berth/peer/uploads/<id>               drop an upload's bytes held here
 *
 * Resolves with the operation's name, or undefined when the path is not a peer endpoint.
 */
export function createPeerRoutes(options: PeerRoutesOptions) {
  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<string | undefined> => {
    if (!path.startsWith('/berth/peer/')) return undefined;
    const method = request.method ?? 'GET';
    const url = request.url ?? path;
    if (verifyPeerRequest(options.key, header(request), method, url, options.now()) === undefined) {
      request.resume();
      answer(response, 403, 'the peer signature is missing, expired or wrong (servers must share keys/)');
      return 'PeerDenied';
    }
    const blob = BLOB.exec(path);
    if (blob) return blobRoute(options, parseDigest(blob[1]!), request, response);
    const upload = UPLOAD.exec(path);
    if (upload) return uploadRoute(options, upload[1]!, request, response);
    request.resume();
    answer(response, 404, `no peer endpoint ${method} ${path}`);
    return 'PeerUnknown';
  };
}

async function blobRoute(
  options: PeerRoutesOptions,
  digest: Digest,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<string> {
  switch (request.method) {
    case 'GET': {
      if (!(await sendFile(response, blobPath(options.root, digest)))) {
        answer(response, 404, 'no such blob here');
      }
      return 'PeerGetBlob';
    }
    case 'PUT': {
      const stored = await options.store.receive(digest, request);
      if (stored) answer(response, 201, '');
      else answer(response, 400, 'the bytes do not match the digest');
      return 'PeerPutBlob';
    }
    case 'DELETE':
      await options.store.forget(digest);
      answer(response, 204, '');
      return 'PeerDeleteBlob';
    default:
      request.resume();
      answer(response, 405, `${request.method} is not supported here`);
      return 'PeerUnsupported';
  }
}

async function uploadRoute(
  options: PeerRoutesOptions,
  id: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<string> {
  request.resume();
  if (request.method === 'DELETE') {
    await options.store.deleteUploadBytes(id);
    answer(response, 204, '');
    return 'PeerDeleteUpload';
  }
  if (request.method !== 'GET') {
    answer(response, 405, `${request.method} is not supported here`);
    return 'PeerUnsupported';
  }
  const size = Number(new URL(request.url ?? '', 'http://peer').searchParams.get('size'));
  const held = await options.store.localUploadSize(id);
  if (!Number.isSafeInteger(size) || size < 0 || held === undefined || held < size) {
    answer(response, 404, `this server does not hold ${size} bytes of upload ${id}`);
  } else if (!(await sendFile(response, uploadPath(options.root, id), size))) {
    answer(response, 404, `upload ${id} has no bytes here`);
  }
  return 'PeerGetUpload';
}

/** Streams a file (its first `length` bytes); false if it does not exist. */
async function sendFile(response: ServerResponse, path: string, length?: number): Promise<boolean> {
  const stream = createReadStream(path, length === undefined ? {} : { start: 0, end: length - 1 });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  if (length === 0) {
    stream.destroy();
    response.end();
    return true;
  }
  await pipeline(stream, response).catch(() => response.destroy());
  return true;
}

function answer(response: ServerResponse, status: number, message: string): void {
  const body = message === '' ? '' : JSON.stringify({ message });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function header(request: IncomingMessage): string | undefined {
  const value = request.headers[PEER_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

function parseDigest(text: string): Digest {
  const [algorithm, hex] = text.split(':') as ['sha256' | 'sha512', string];
  return { algorithm, hex };
}
