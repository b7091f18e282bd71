import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RepositoryRecord } from '../store/index.ts';
import { MAX_MANIFEST_BYTES, MEDIA_TYPES, RegistryError, type Registry } from '../ecr/index.ts';
import { callerAddress, parseRangeHeader } from '../http/index.ts';
import { parseContentRange } from './byte-ranges.ts';
import { readLimited, redirectToBlob, sendBlob } from './transfer.ts';
import { sendRegistryError, toRegistryError } from './errors.ts';
import { parseRegistryPath, type RegistryRoute } from './routes.ts';

/** Who is calling, once their registry password checked out. */
export interface RegistryPrincipal {
  readonly accessKeyId: string;
  readonly arn: string;
}

/** The principal with where its request came from (aws:SourceIp, aws:SecureTransport). */
export interface RegistryCaller extends RegistryPrincipal {
  readonly sourceIp?: string;
  readonly secureTransport: boolean;
}

/** The ECR action a registry request performs, as repository policies name it (ecr:BatchGetImage...). */
export type RegistryAction = `ecr:${string}`;

export interface RegistryHttpOptions {
  readonly registry: Registry;
  /** Checks the caller's credentials (Basic, or a presigned URL); throws UNAUTHORIZED or DENIED. */
  readonly authenticate: (request: IncomingMessage, path: string, query: URLSearchParams) => Promise<RegistryPrincipal>;
  /**
   * Undefined when the principal may perform the action on the repository, else the denial as the
   * access control words it (ECR's registry answers DENIED with that text).
   */
  readonly authorize: (
    caller: RegistryCaller,
    action: RegistryAction,
    repository: RepositoryRecord,
  ) => Promise<string | undefined>;
  /** The realm of the Basic challenge: the registry's URL, as the request addressed it (scheme and host). */
  readonly realm: (request: IncomingMessage) => string;
}

export interface RegistryOutcome {
  readonly operation: string;
  readonly errorCode?: string | undefined;
}

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

/**
 * The OCI distribution API (Docker Registry HTTP API v2) under /v2/, on the server's one listener.
 * Authentication is ECR's: Basic with user AWS and a GetAuthorizationToken password.
 */
export function createRegistryHandler(options: RegistryHttpOptions) {
  return async function serveRegistry(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    search: string,
  ): Promise<RegistryOutcome> {
    const route = parseRegistryPath(path);
    const operation = route ? operationName(route, request.method ?? 'GET') : 'unknown';
    try {
      const query = new URLSearchParams(search);
      const principal: RegistryCaller = {
        ...(await options.authenticate(request, path, query)),
        ...callerAddress(request),
      };
      if (!route) throw new RegistryError('NAME_INVALID', `no registry route for ${path}`);
      await dispatch(options, principal, route, request, response, query);
      return { operation };
    } catch (caught) {
      const error = toRegistryError(caught);
      if (!error) throw caught;
      if (!response.headersSent) {
        sendRegistryError(response, error, { ...API_VERSION, ...errorHeaders(options, error, request) });
      } else {
        response.destroy();
      }
      request.resume(); // drain what the client still sends, so the answer reaches it
      return { operation, errorCode: error.code };
    }
  };
}

/** A Basic challenge with UNAUTHORIZED; with RANGE_INVALID, what the client should know of the size. */
function errorHeaders(
  options: RegistryHttpOptions,
  error: RegistryError,
  request: IncomingMessage,
): Record<string, string> {
  if (error.code === 'UNAUTHORIZED') {
    return { 'www-authenticate': `Basic realm="${options.realm(request)}",service="ecr.amazonaws.com"` };
  }
  if (error.code !== 'RANGE_INVALID') return {};
  const detail = (error.detail ?? {}) as { size?: number; blob?: boolean };
  return detail.blob ? { 'content-range': `bytes */${detail.size ?? 0}` } : rangeHeader(detail.size ?? 0);
}

async function require(
  options: RegistryHttpOptions,
  principal: RegistryCaller,
  action: RegistryAction,
  repository: RepositoryRecord,
): Promise<void> {
  const denial = await options.authorize(principal, action, repository);
  if (denial !== undefined) throw new RegistryError('DENIED', denial);
}

/** What ECR calls each registry request, for repository policies. */
function actionOf(route: RegistryRoute, method: string): RegistryAction {
  const read = method === 'GET' || method === 'HEAD';
  switch (route.kind) {
    case 'manifest':
      return read ? 'ecr:BatchGetImage' : method === 'DELETE' ? 'ecr:BatchDeleteImage' : 'ecr:PutImage';
    case 'blob':
      return method === 'GET'
        ? 'ecr:GetDownloadUrlForLayer'
        : method === 'HEAD'
          ? 'ecr:BatchCheckLayerAvailability'
          : 'ecr:BatchDeleteImage';
    case 'uploads':
      return 'ecr:InitiateLayerUpload';
    case 'upload':
      return method === 'PATCH'
        ? 'ecr:UploadLayerPart'
        : method === 'PUT'
          ? 'ecr:CompleteLayerUpload'
          : 'ecr:InitiateLayerUpload';
    case 'tags':
      return 'ecr:ListImages';
    default:
      return 'ecr:BatchGetImage';
  }
}

async function dispatch(
  options: RegistryHttpOptions,
  principal: RegistryCaller,
  route: RegistryRoute,
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const method = request.method ?? 'GET';
  const { registry } = options;
  if (route.kind === 'base') {
    if (method !== 'GET' && method !== 'HEAD') throw unsupported(method);
    return send(response, 200, { 'content-type': 'application/json' }, method === 'HEAD' ? undefined : '{}');
  }
  const read = method === 'GET' || method === 'HEAD';
  await require(options, principal, actionOf(route, method), await registry.requireRepository(route.name));
  switch (route.kind) {
    case 'manifest':
      return manifestRoute(registry, route, request, response);
    case 'blob':
      return blobRoute(registry, route, request, response);
    case 'uploads':
      if (method === 'POST') return startUpload(options, principal, route, request, response, query);
      throw unsupported(method);
    case 'upload':
      return continueUpload(registry, route, request, response, query);
    case 'tags':
      if (!read) throw unsupported(method);
      return listTags(registry, route, response, query, method);
    case 'referrers':
      if (!read) throw unsupported(method);
      return listReferrers(registry, route, response, query, method);
  }
}

async function manifestRoute(
  registry: Registry,
  route: { name: string; reference: string },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return getManifest(registry, route, request, response);
    case 'PUT':
      return putManifest(registry, route, request, response);
    case 'DELETE':
      await registry.deleteManifest(route.name, route.reference);
      return send(response, 202, {});
    default:
      throw unsupported(request.method ?? '');
  }
}

async function blobRoute(
  registry: Registry,
  route: { name: string; digest: string },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return getBlob(registry, route, request, response);
    case 'DELETE':
      await registry.deleteBlob(route.name, route.digest);
      return send(response, 202, {});
    default:
      throw unsupported(request.method ?? '');
  }
}

async function getManifest(
  registry: Registry,
  route: { name: string; reference: string },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const accept = (request.headers.accept ?? '')
    .split(',')
    .map((t) => t.split(';')[0]!.trim())
    .filter((t) => t !== '');
  const manifest = await registry
    .getManifest(route.name, route.reference, accept, { pull: request.method === 'GET' })
    .catch((error: unknown) => {
      // The spec's pull endpoint (end-3) answers 200 or 404 only: a reference that is neither a
      // digest nor a valid tag names no manifest. TAG_INVALID stays PUT's answer.
      if (error instanceof RegistryError && error.code === 'TAG_INVALID')
        throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: ${error.message}`);
      throw error;
    });
  const headers = {
    'content-type': manifest.mediaType,
    'docker-content-digest': manifest.digest,
    etag: `"${manifest.digest}"`,
  };
  if (request.method === 'HEAD') return send(response, 200, { ...headers, 'content-length': String(manifest.size) });
  return send(
    response,
    200,
    headers,
    Buffer.from(manifest.body.buffer, manifest.body.byteOffset, manifest.body.byteLength),
  );
}

async function putManifest(
  registry: Registry,
  route: { name: string; reference: string },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readLimited(request, MAX_MANIFEST_BYTES);
  const manifest = await registry.putManifest(route.name, route.reference, request.headers['content-type'], body);
  send(response, 201, {
    location: `/v2/${route.name}/manifests/${manifest.digest}`,
    'docker-content-digest': manifest.digest,
    ...(manifest.subject ? { 'oci-subject': manifest.subject } : {}),
  });
}

async function getBlob(
  registry: Registry,
  route: { name: string; digest: string },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { digest, size } = await registry.blobSize(route.name, route.digest);
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': route.digest,
    etag: `"${route.digest}"`,
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=31536000',
  };
  const range = parseRangeHeader(request.headers.range, size);
  if (range === 'unsatisfiable') {
    throw new RegistryError('RANGE_INVALID', `range ${request.headers.range} is outside the blob's ${size} bytes`, {
      size,
      blob: true,
    });
  }
  if (request.method === 'GET' && (await redirectToBlob(registry, digest, response, API_VERSION))) return;
  const status = range ? 206 : 200;
  const length = range ? range.end - range.start + 1 : size;
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
  const reader = request.method === 'HEAD' || length === 0 ? undefined : await registry.openBlob(digest);
  response.writeHead(status, { ...API_VERSION, ...headers, 'content-length': String(length) });
  if (reader) await sendBlob(reader, response, range ?? { start: 0, end: size - 1 });
  else response.end();
}

async function startUpload(
  options: RegistryHttpOptions,
  principal: RegistryCaller,
  route: { name: string },
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const { registry } = options;
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount !== null && from !== null) {
    const mounted = await registry.mount(
      route.name,
      mount,
      from,
      async (source) => (await options.authorize(principal, 'ecr:GetDownloadUrlForLayer', source)) === undefined,
    );
    if (mounted) return blobCreated(response, route.name, mount);
    // Not readable or not there: a normal upload, as the spec says.
  }
  const digest = query.get('digest');
  const upload = await registry.uploads.start(route.name, digest?.startsWith('sha512:') ? 'sha512' : 'sha256');
  if (digest !== null) {
    const committed = await registry.uploads.complete(route.name, upload.id, digest, request);
    return blobCreated(response, route.name, `${committed.algorithm}:${committed.hex}`);
  }
  request.resume();
  send(response, 202, { ...uploadHeaders(route.name, upload.id, 0), 'content-length': '0' });
}

async function continueUpload(
  registry: Registry,
  route: { name: string; id: string },
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  switch (request.method) {
    case 'GET':
    case 'HEAD': {
      const upload = await registry.uploads.get(route.name, route.id);
      return send(response, 204, uploadHeaders(route.name, upload.id, upload.size));
    }
    case 'PATCH': {
      const range = parseContentRange(request.headers['content-range']);
      if (range === 'invalid') {
        const upload = await registry.uploads.get(route.name, route.id);
        throw new RegistryError('RANGE_INVALID', `invalid Content-Range '${request.headers['content-range']}'`, {
          size: upload.size,
        });
      }
      const upload = await registry.uploads.append(route.name, route.id, request, range);
      return send(response, 202, { ...uploadHeaders(route.name, upload.id, upload.size), 'content-length': '0' });
    }
    case 'PUT': {
      const digest = query.get('digest');
      if (digest === null)
        throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload');
      const committed = await registry.uploads.complete(route.name, route.id, digest, request);
      return blobCreated(response, route.name, `${committed.algorithm}:${committed.hex}`);
    }
    case 'DELETE':
      await registry.uploads.cancel(route.name, route.id);
      return send(response, 204, {});
    default:
      throw unsupported(request.method ?? '');
  }
}

async function listTags(
  registry: Registry,
  route: { name: string },
  response: ServerResponse,
  query: URLSearchParams,
  method: string,
): Promise<void> {
  const n = query.get('n');
  if (n !== null && !/^\d{1,6}$/.test(n))
    throw new RegistryError('PAGINATION_NUMBER_INVALID', `invalid number of results requested: '${n}'`);
  const limit = n === null ? undefined : Number(n);
  const last = query.get('last') ?? undefined;
  const { tags, more } = limit === 0 ? { tags: [], more: false } : await registry.tags(route.name, limit, last);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (more) {
    const next = new URLSearchParams({ n: String(limit ?? tags.length), last: tags.at(-1)! });
    headers.link = `</v2/${route.name}/tags/list?${next.toString()}>; rel="next"`;
  }
  send(response, 200, headers, method === 'HEAD' ? undefined : JSON.stringify({ name: route.name, tags }));
}

async function listReferrers(
  registry: Registry,
  route: { name: string; digest: string },
  response: ServerResponse,
  query: URLSearchParams,
  method: string,
): Promise<void> {
  const artifactType = query.get('artifactType') ?? undefined;
  const manifests = await registry.referrers(route.name, route.digest, artifactType);
  const body = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests });
  send(
    response,
    200,
    {
      'content-type': MEDIA_TYPES.ociIndex,
      ...(artifactType !== undefined ? { 'oci-filters-applied': 'artifactType' } : {}),
    },
    method === 'HEAD' ? undefined : body,
  );
}

function blobCreated(response: ServerResponse, name: string, digest: string): void {
  send(response, 201, {
    location: `/v2/${name}/blobs/${digest}`,
    'docker-content-digest': digest,
    'content-length': '0',
  });
}

function uploadHeaders(name: string, id: string, size: number): Record<string, string> {
  return { location: `/v2/${name}/blobs/uploads/${id}`, 'docker-upload-uuid': id, ...rangeHeader(size) };
}

/** The bytes an upload holds, as distribution reports them: "0-<last>" ("0-0" when empty). */
function rangeHeader(size: number): Record<string, string> {
  return { range: `0-${Math.max(0, size - 1)}` };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  const length = body === undefined ? undefined : Buffer.byteLength(body);
  response.writeHead(status, {
    ...API_VERSION,
    ...(length !== undefined ? { 'content-length': String(length) } : {}),
    ...headers,
  });
  response.end(body);
}

function unsupported(method: string): RegistryError {
  return new RegistryError('UNSUPPORTED', `${method} is not supported here`);
}

function operationName(route: RegistryRoute, method: string): string {
  const verb = method === 'HEAD' ? 'Head' : method === 'GET' ? 'Get' : method.charAt(0) + method.slice(1).toLowerCase();
  const noun = {
    base: 'Base',
    manifest: 'Manifest',
    blob: 'Blob',
    uploads: 'Upload',
    upload: 'Upload',
    tags: 'Tags',
    referrers: 'Referrers',
  }[route.kind];
  return `${verb}${noun}`;
}
