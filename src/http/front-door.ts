import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { callerAddress } from './caller-address.ts';
import {
  claimedCredential,
  isRpcV2CborRequest,
  JSON_CONTENT_TYPE,
  RequestEntityTooLargeException,
  QUERY_CONTENT_TYPE,
  XML_CONTENT_TYPE,
  type JsonProtocol,
  type QueryProtocol,
  type RpcV2CborProtocol,
  type SignedRequest,
} from '../aws-protocol/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newRequestId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { Metrics } from './metrics.ts';
import { readBody } from './read-body.ts';

/**
 * The one HTTP listener. Routes:
 *   POST /            AWS JSON 1.1 APIs (ECS, ECR, ...), dispatched on X-Amz-Target; with an
 *                     x-www-form-urlencoded body, AWS query APIs (ELBv2), dispatched on Action
 *   GET /?Action=...  AWS query APIs
 *   POST /service/<Service>/operation/<Operation> with smithy-protocol: rpc-v2-cbor: Smithy RPC v2 CBOR
 *   any path, signed for the service s3 (Authorization or X-Amz-Credential): S3's REST API
 *   /v2/...           the registry (its own issue)
 *   GET /berth/ca.pem the Berth CA's certificate (public), when the server has one
 *   GET /healthz      liveness; GET /readyz: store reachable, data volume writable (and, among several
 *                     servers, this one's leases); GET /metrics: Prometheus
 *   WebSocket upgrades: `upgrade` (ECS Exec's data channel streams), else 404
 * Every response carries x-amzn-RequestId; every request is logged and counted once.
 */
export interface FrontDoorOptions {
  readonly json: JsonProtocol;
  /** The query/XML protocol (ELBv2); without it, form-encoded calls go to the JSON protocol. */
  readonly query?: QueryProtocol;
  /** Smithy RPC v2 CBOR (CloudWatch): POST /service/<Service>/operation/<Operation>. */
  readonly cbor?: RpcV2CborProtocol;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Whether to answer /readyz 200; `details` go into its JSON beside the status. */
  readonly ready: () => Promise<boolean | { readonly ready: boolean; readonly details: object }>;
  /** JSON API bodies above this answer 413. */
  readonly maxJsonBodyBytes: number;
  /**
   * Whether an access key is one the server knows. A call signed with no key, or an unknown one,
   * may not make the server buffer more than PRE_AUTHENTICATION_BODY_BYTES: its body is cut there
   * and the protocol answers its authentication error.
   */
  readonly isKnownAccessKey: (accessKeyId: string) => boolean;
  /** The server's time, sent in every Date header (clients correct their clock skew from it). */
  readonly clock: Clock;
  /** Berth's own operations; resolves with the operation's name, or undefined when the path is not one. */
  readonly admin?: (request: IncomingMessage, response: ServerResponse, path: string) => Promise<string | undefined>;
  /** Serves /v2/ (the OCI distribution API). */
  readonly registry?: (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    search: string,
  ) => Promise<{ operation: string; errorCode?: string | undefined }>;
  /**
   * WebSocket upgrades (ECS Exec): takes over the socket and resolves with the operation's name, or
   * undefined when the path is not one (answered 404).
   */
  readonly upgrade?: (
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    path: string,
  ) => Promise<string | undefined>;
  /** S3's REST API: every request whose SigV4 scope names the service s3, whatever its path. */
  /**
   * The HTTPS side: a second server answering the same routes over TLS. `caCertificatePem` (the
   * Berth CA that issued its certificate) is served at GET /berth/ca.pem on both sides.
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly caCertificatePem?: string | undefined };
  readonly s3?: {
    matches(request: IncomingMessage, search: string): boolean;
    handle(
      request: IncomingMessage,
      response: ServerResponse,
      path: string,
      search: string,
    ): Promise<{ operation: string; errorCode?: string | undefined }>;
  };
}

export const DEFAULT_MAX_JSON_BODY_BYTES = 10 * 1024 * 1024;
/** The most a request whose access key is not known yet may make the server buffer. */
export const PRE_AUTHENTICATION_BODY_BYTES = 64 * 1024;

export interface FrontDoor {
  readonly server: Server;
  /** The HTTPS server, when `tls` was given (not listening yet, like `server`). */
  readonly secureServer: Server | undefined;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  drain(deadlineMs: number): Promise<void>;
}

export function createFrontDoor(options: FrontDoorOptions): FrontDoor {
  let draining = false;
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (draining) response.setHeader('connection', 'close');
    void route(options, request, response);
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (draining) socket.destroy();
    else void routeUpgrade(options, request, socket, head);
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, onRequest);
  const secureServer = options.tls
    ? createSecureServer({ keepAliveTimeout: 65_000, cert: options.tls.cert, key: options.tls.key }, onRequest)
    : undefined;
  const servers = secureServer ? [server, secureServer] : [server];
  for (const each of servers) each.on('upgrade', onUpgrade);
  return {
    server,
    secureServer,
    drain: async (deadlineMs) => {
      draining = true;
      await Promise.all(servers.map((each) => drainServer(each, deadlineMs)));
    },
  };
}

/** Stops accepting, closes idle connections as they become idle, and the rest at the deadline. */
function drainServer(server: Server, deadlineMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const hard = setTimeout(() => server.closeAllConnections(), deadlineMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(hard);
      resolve();
    });
    server.closeIdleConnections();
  });
}

interface Outcome {
  service: string;
  operation: string;
  errorCode?: string | undefined;
}

async function route(options: FrontDoorOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  const requestId = newRequestId();
  response.setHeader('x-amzn-RequestId', requestId);
  response.setHeader('date', httpDate(options.clock));
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  let outcome: Outcome = { service: 'http', operation: path };
  try {
    outcome = await dispatch(options, request, response, { requestId, path, search: q === -1 ? '' : url.slice(q + 1) });
  } catch (error) {
    options.logger.error({ err: error, requestId }, 'request failed');
    if (!response.headersSent)
      send(response, 500, 'application/json', '{"__type":"InternalFailure","message":"internal error"}');
    else response.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  options.metrics.observe(outcome.service, outcome.operation, response.statusCode, seconds);
  options.logger.info(
    {
      requestId,
      method: request.method,
      path,
      service: outcome.service,
      operation: outcome.operation,
      status: response.statusCode,
      ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
      ms: Math.round(seconds * 1e4) / 10,
    },
    'request',
  );
}

/** A WebSocket upgrade: to `upgrade`, logged once like any request; 404 when nothing takes it. */
async function routeUpgrade(options: FrontDoorOptions, request: IncomingMessage, socket: Duplex, head: Buffer) {
  const started = performance.now();
  const requestId = newRequestId();
  const url = request.url ?? '/';
  const path = url.split('?', 1)[0]!;
  socket.on('error', () => socket.destroy());
  let operation: string | undefined;
  try {
    operation = await options.upgrade?.(request, socket, head, path);
  } catch (error) {
    options.logger.error({ err: error, requestId }, 'upgrade failed');
    socket.destroy();
    operation = 'unknown';
  }
  if (operation === undefined) {
    const body = JSON.stringify({ message: `No route for ${request.method} ${path}` });
    socket.end(
      `HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  options.logger.info(
    {
      requestId,
      method: request.method,
      path,
      service: 'berth',
      operation: operation ?? 'unknown',
      upgrade: true,
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
    'request',
  );
}

/** Serves the request on its route and says what it was. */
async function dispatch(
  options: FrontDoorOptions,
  request: IncomingMessage,
  response: ServerResponse,
  target: { requestId: string; path: string; search: string },
): Promise<Outcome> {
  const { requestId, path, search } = target;
  if (options.s3?.matches(request, search)) {
    const served = await options.s3.handle(request, response, path, search);
    return { service: 's3', operation: served.operation, errorCode: served.errorCode };
  }
  if (isApiCall(options, request, path, search)) {
    return serveApi(options, request, response, requestId, path, search);
  }
  if (options.registry && (path === '/v2' || path.startsWith('/v2/'))) {
    const served = await options.registry(request, response, path, search);
    return { service: 'registry', operation: served.operation, errorCode: served.errorCode };
  }
  if (path === '/berth/ca.pem' && isRead(request) && options.tls?.caCertificatePem) {
    send(response, 200, 'application/x-pem-file', options.tls.caCertificatePem);
    return { service: 'http', operation: path };
  }
  if (path.startsWith('/berth/') && options.admin) {
    const operation = await options.admin(request, response, path);
    if (operation === undefined)
      send(response, 404, 'application/json', JSON.stringify({ message: `No route for ${request.method} ${path}` }));
    return { service: 'berth', operation: operation ?? 'unknown' };
  }
  if (isRead(request) && (await serveOperations(options, path, response))) return { service: 'http', operation: path };
  send(response, 404, 'application/json', JSON.stringify({ message: `No route for ${request.method} ${path}` }));
  return { service: 'http', operation: 'unknown' };
}

/** /healthz, /readyz and /metrics; false for any other path. */
async function serveOperations(options: FrontDoorOptions, path: string, response: ServerResponse): Promise<boolean> {
  if (path === '/healthz') {
    send(response, 200, 'application/json', '{"status":"ok"}');
  } else if (path === '/readyz') {
    const answer = await options.ready().catch(() => false);
    const { ready, details } = typeof answer === 'boolean' ? { ready: answer, details: {} } : answer;
    const body = JSON.stringify({ status: ready ? 'ready' : 'not ready', ...details });
    send(response, ready ? 200 : 503, 'application/json', body);
  } else if (path === '/metrics') {
    send(response, 200, options.metrics.contentType, await options.metrics.text());
  } else {
    return false;
  }
  return true;
}

async function serveApi(
  options: FrontDoorOptions,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  path: string,
  search: string,
): Promise<Outcome> {
  const target = request.headers['x-amz-target'];
  const call = {
    method: request.method ?? 'POST',
    path,
    query: parseQuery(search),
    headers: request.headers as Record<string, string | undefined>,
    ...callerAddress(request),
  };
  const claimed = claimedCredential(call);
  if (claimed === undefined || !options.isKnownAccessKey(claimed.accessKeyId)) {
    // Not authenticated and cannot be: read no more than a small bound, then let the protocol
    // answer the authentication error (it needs no body for that).
    const small = await readBody(request, PRE_AUTHENTICATION_BODY_BYTES, PRE_AUTHENTICATION_BODY_BYTES);
    if (small.kind === 'too-large') {
      response.setHeader('connection', 'close');
      request.resume();
    }
    const body = small.kind === 'ok' ? small.body : Buffer.alloc(0);
    return answerApi(options, request, response, { ...call, body }, { requestId, search });
  }
  const body = await readBody(request, options.maxJsonBodyBytes);
  if (body.kind === 'too-large') {
    const error = new RequestEntityTooLargeException(
      `The request body (${body.bytes} bytes) is larger than the ${options.maxJsonBodyBytes}-byte limit for JSON APIs.`,
    );
    if (!request.complete) response.setHeader('connection', 'close');
    send(response, 413, JSON_CONTENT_TYPE, JSON.stringify({ __type: error.code, message: error.message }));
    return { service: 'unknown', operation: typeof target === 'string' ? target : 'unknown', errorCode: error.code };
  }
  return answerApi(options, request, response, { ...call, body: body.body }, { requestId, search });
}

async function answerApi(
  options: FrontDoorOptions,
  request: IncomingMessage,
  response: ServerResponse,
  signed: SignedRequest,
  call: { requestId: string; search: string },
): Promise<Outcome> {
  const { requestId, search } = call;
  if (options.cbor && isRpcV2CborRequest(signed.path, request.headers)) {
    const result = await options.cbor.handle(signed, requestId);
    if (result.fault !== undefined) {
      options.logger.error({ err: result.fault, requestId, operation: result.operation }, 'operation failed');
    }
    send(response, result.status, result.contentType ?? 'application/cbor', result.body, result.headers);
    return { service: result.service, operation: result.operation, errorCode: result.errorCode };
  }
  const query =
    options.query !== undefined && (request.method === 'GET' || isForm(request)) ? options.query : undefined;
  const result = query ? await query.handle(signed, search, requestId) : await options.json.handle(signed, requestId);
  if (result.fault !== undefined) {
    options.logger.error({ err: result.fault, requestId, operation: result.operation }, 'operation failed');
  }
  send(
    response,
    result.status,
    query ? XML_CONTENT_TYPE : (result.contentType ?? JSON_CONTENT_TYPE),
    result.body,
    result.headers,
  );
  return { service: result.service, operation: result.operation, errorCode: result.errorCode };
}

function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (search === '') return query;
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else query[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

let cachedSecond = -1;
let cachedDate = '';
/** The Date header, formatted once per second of the server's clock. */
function httpDate(clock: Clock): string {
  const now = clock.now().getTime();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(now).toUTCString();
  }
  return cachedDate;
}

function isForm(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith(QUERY_CONTENT_TYPE);
}

/** POST / (JSON, query), GET /?Action=... (query), or POST /service/.../operation/... (RPC v2 CBOR). */
function isApiCall(options: FrontDoorOptions, request: IncomingMessage, path: string, search: string): boolean {
  if (path === '/') return request.method === 'POST' || isQueryGet(request, search);
  return options.cbor !== undefined && request.method === 'POST' && isRpcV2CborRequest(path, request.headers);
}

/** GET /?Action=...: a query API call (any other GET / is not an API call). */
function isQueryGet(request: IncomingMessage, search: string): boolean {
  return request.method === 'GET' && search !== '' && new URLSearchParams(search).has('Action');
}

function isRead(request: IncomingMessage): boolean {
  return request.method === 'GET' || request.method === 'HEAD';
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
