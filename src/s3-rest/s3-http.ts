import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataVolumeFullError, isStorageFull } from '../shared/storage-full.ts';
import { AccessDeniedException, type Denial } from '../shared/access-denied.ts';
import type { AccessControl, AccessRequest } from '../shared/authorization.ts';
import type { Principal } from '../shared/principal.ts';
import { s3Access } from './access.ts';
import { verifySignature, type SecretLookup, type SignedRequest } from '../aws-protocol/index.ts';
import {
  AccessDenied,
  InvalidRange,
  InvalidRequest,
  InvalidURI,
  MethodNotAllowed,
  NotImplemented,
  parseMaxKeys,
  S3Error,
  type S3,
} from '../s3/index.ts';
import type { ByteRange } from '../blobs/index.ts';
import { callerAddress, parseRangeHeader, sendRange } from '../http/index.ts';
import type { Clock } from '../shared/clock.ts';
import { AwsChunkedDecoder } from './aws-chunked.ts';
import { payloadCheck, streamingMode } from './checksums.ts';
import { routeS3, type S3Operation } from './routes.ts';
import { s3AuthError } from './auth-errors.ts';
import {
  errorDocument,
  listBucketsDocument,
  listObjectsV2Document,
  locationConstraintOf,
  locationDocument,
} from './xml.ts';

export interface S3HttpOptions {
  readonly s3: S3;
  readonly secrets: SecretLookup;
  readonly accessControl: AccessControl;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** Where failures that are not S3 errors are logged (they answer InternalError). */
  readonly log: { error(obj: object, msg: string): void };
}

export interface S3Outcome {
  readonly operation: string;
  readonly errorCode?: string | undefined;
}

type Handler = (call: Call) => Promise<void>;

interface Call {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly bucket: string;
  readonly key: string;
  readonly query: URLSearchParams;
}

const XML = 'application/xml';
/** Headers stored with an object and returned on GET and HEAD, as S3 does. */
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

/** True when the request is SigV4-signed for the service `s3` (header or presigned form). */
export function isS3Request(request: IncomingMessage, search: string): boolean {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return /Credential=[^/,]+\/\d{8}\/[^/,]+\/s3\/aws4_request/.test(authorization);
  return (
    search.includes('X-Amz-Credential=') &&
    /\/s3\/aws4_request/.test(new URLSearchParams(search).get('X-Amz-Credential') ?? '')
  );
}

/**
 * S3's REST API on the front door: authenticate (SigV4, service s3), route, authorize through the
 * one access control (access.ts), call the S3 service, and answer in S3's XML with its headers.
 */
export function createS3Handler(options: S3HttpOptions) {
  const handlers = operationHandlers(options);
  return async (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    search: string,
  ): Promise<S3Outcome> => {
    const query = new URLSearchParams(search);
    const route = routeS3(request.method ?? 'GET', path, query, request.headers.host);
    const operation =
      'operation' in route ? route.operation : 'unsupported' in route ? route.unsupported : route.invalidUri;
    const requestId = String(response.getHeader('x-amzn-RequestId') ?? '');
    response.setHeader('x-amz-request-id', requestId);
    try {
      if ('invalidUri' in route) throw new InvalidURI(); // before authentication, as S3 parses the URI first
      const principal = await authenticate(request, path, query, options);
      if (!('operation' in route)) {
        throw request.method === 'POST' ||
          request.method === 'PUT' ||
          request.method === 'GET' ||
          request.method === 'DELETE' ||
          request.method === 'HEAD'
          ? new NotImplemented('A header you provided implies functionality that is not implemented.', {
              Operation: route.unsupported,
            })
          : new MethodNotAllowed();
      }
      await authorize(
        options,
        { principal, ...callerAddress(request) },
        s3Access(route.operation, route.bucket, route.key, { query, headers: request.headers }),
      );
      await handlers[route.operation]({ request, response, bucket: route.bucket, key: route.key, query });
      return { operation };
    } catch (error) {
      const s3Error = toS3Error(error);
      if (!(error instanceof S3Error) && !isStorageFull(error))
        options.log.error({ err: error, requestId, operation }, 'S3 request failed');
      if (!request.complete) {
        request.resume();
        response.setHeader('connection', 'close');
      }
      const body =
        request.method === 'HEAD'
          ? ''
          : errorDocument({ code: s3Error.code, message: s3Error.message, details: s3Error.details, requestId });
      if (!response.headersSent) {
        response.writeHead(s3Error.httpStatus, {
          'content-type': XML,
          'content-length': Buffer.byteLength(body),
          ...(s3Error instanceof InvalidRange ? { 'content-range': `bytes */${s3Error.size}` } : {}),
        });
        response.end(body);
      } else response.destroy();
      return { operation, errorCode: s3Error.code };
    }
  };
}

async function authenticate(
  request: IncomingMessage,
  path: string,
  query: URLSearchParams,
  options: S3HttpOptions,
): Promise<Principal> {
  const signed: SignedRequest = {
    method: request.method ?? 'GET',
    path,
    query: Object.fromEntries(
      [...query.keys()].map((name) => [name, query.getAll(name).length > 1 ? query.getAll(name) : query.get(name)!]),
    ),
    headers: request.headers as Record<string, string | undefined>,
    body: undefined,
  };
  let caller;
  try {
    caller = await verifySignature(signed, {
      secrets: options.secrets,
      clock: options.clock,
      region: options.region,
      service: 's3',
      s3: true,
    });
  } catch (error) {
    throw s3AuthError(error, options.region);
  }
  if (request.headers.authorization !== undefined && request.headers['x-amz-content-sha256'] === undefined) {
    throw new InvalidRequest('Missing required header for this request: x-amz-content-sha256');
  }
  const principal = options.secrets.principalOf(caller.accessKeyId);
  if (!principal) throw new AccessDenied();
  return principal;
}

/** S3 answers a denial with its own bare AccessDenied (403 "Access Denied"), whatever the reason. */
async function authorize(
  options: S3HttpOptions,
  caller: { principal: Principal; sourceIp?: string; secureTransport: boolean },
  requests: readonly AccessRequest[],
) {
  try {
    await options.accessControl.authorize(caller, requests);
  } catch (error) {
    if (error instanceof AccessDeniedException) throw new AccessDenied(s3DenialWording(error.denial));
    throw error;
  }
}

/**
 * S3 gives a caller of the bucket owner's account the policy evaluation's reason, with the resource
 * in quotes ("Troubleshoot access denied (403 Forbidden) errors in Amazon S3"): `User: ARN is not
 * authorized to perform: s3:GetObject on resource: "arn:aws:s3:::bucket/key" because no
 * identity-based policy allows the s3:GetObject action`; anything else is a bare Access Denied.
 */
export function s3DenialWording(denial: Denial | undefined): string {
  if (denial === undefined) return 'Access Denied';
  const { principalArn, action, resource, reason } = denial;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: "${resource}" ${reason}`;
}

function operationHandlers(options: S3HttpOptions): Record<S3Operation, Handler> {
  const { s3 } = options;
  const owner = { id: options.accountId, displayName: 'berth' };
  return {
    ListBuckets: async ({ response }) => sendXml(response, 200, listBucketsDocument(await s3.listBuckets(), owner)),
    CreateBucket: async ({ request, response, bucket }) => {
      const constraint = locationConstraintOf(await readText(request));
      if (constraint !== undefined && constraint !== '' && constraint !== options.region) {
        throw new InvalidRequest(
          `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        );
      }
      await s3.createBucket(bucket);
      send(response, 200, { location: `/${bucket}` });
    },
    HeadBucket: async ({ response, bucket }) => {
      const found = await s3.headBucket(bucket);
      send(response, 200, { 'x-amz-bucket-region': found.region });
    },
    DeleteBucket: async ({ response, bucket }) => {
      await s3.deleteBucket(bucket);
      send(response, 204, {});
    },
    GetBucketLocation: async ({ response, bucket }) =>
      sendXml(response, 200, locationDocument((await s3.headBucket(bucket)).region)),
    ListObjectsV2: async ({ response, bucket, query }) => {
      const echo = {
        bucket,
        prefix: query.get('prefix') ?? '',
        delimiter: query.get('delimiter') ?? '',
        maxKeys: parseMaxKeys(query.get('max-keys') ?? undefined),
        continuationToken: query.get('continuation-token') ?? undefined,
        startAfter: query.get('start-after') ?? undefined,
        urlEncoded: query.get('encoding-type') === 'url',
      };
      const result = await s3.listObjectsV2(bucket, echo);
      sendXml(response, 200, listObjectsV2Document(echo, result));
    },
    PutObject: async ({ request, response, bucket, key }) => {
      if (request.headers['x-amz-copy-source'] !== undefined) {
        throw new NotImplemented('CopyObject is not implemented by this server.');
      }
      const chunked = streamingMode(request.headers) === 'aws-chunked';
      const decoder = chunked ? new AwsChunkedDecoder(request) : undefined;
      const check = payloadCheck(request.headers, () => decoder?.trailers ?? {});
      const record = await s3.putObject(bucket, key, {
        body: decoder ? decoder.decode() : request,
        contentType: request.headers['content-type'],
        headers: storedHeaders(request, chunked),
        check,
      });
      send(response, 200, { etag: `"${record.etag}"` });
    },
    GetObject: async ({ request, response, bucket, key }) => {
      const { record, open } = await s3.getObject(bucket, key);
      const range = requestedRange(request, record.size);
      const reader = await open();
      try {
        writeObjectHead(response, record, range);
        await sendRange(response, reader, range ?? { start: 0, end: record.size - 1 });
      } finally {
        await reader.close();
      }
    },
    HeadObject: async ({ request, response, bucket, key }) => {
      const record = await s3.headObject(bucket, key);
      writeObjectHead(response, record, requestedRange(request, record.size));
      response.end();
    },
    DeleteObject: async ({ response, bucket, key }) => {
      await s3.deleteObject(bucket, key);
      send(response, 204, {});
    },
  };
}

type ObjectRecord = Awaited<ReturnType<S3['headObject']>>;

/**
 * The one range a GET or HEAD asks for, if any. S3 reads Range as RFC 9110 does, but serves one
 * range only: several ranges, like a malformed header, get the whole object (200).
 */
function requestedRange(request: IncomingMessage, size: number): ByteRange | undefined {
  const range = parseRangeHeader(request.headers.range, size);
  if (range === 'unsatisfiable') throw new InvalidRange(request.headers.range ?? '', size);
  return range;
}

/** 200 with the object's headers, or 206 with the range's length and Content-Range. */
function writeObjectHead(response: ServerResponse, record: ObjectRecord, range: ByteRange | undefined): void {
  const headers: Record<string, string | number> = {
    'content-type': record.contentType,
    'content-length': range ? range.end - range.start + 1 : record.size,
    etag: `"${record.etag}"`,
    'last-modified': record.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    ...record.headers,
  };
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${record.size}`;
  response.writeHead(range ? 206 : 200, headers);
}

/** x-amz-meta-* and the standard headers S3 keeps (aws-chunked is the transfer's, not the object's). */
function storedHeaders(request: IncomingMessage, chunked: boolean): Record<string, string> {
  const stored: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value !== 'string') continue;
    if (name.startsWith('x-amz-meta-') || STORED_HEADERS.includes(name)) stored[name] = value;
  }
  if (chunked && stored['content-encoding'] !== undefined) {
    const rest = stored['content-encoding']
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== 'aws-chunked');
    if (rest.length > 0) stored['content-encoding'] = rest.join(', ');
    else delete stored['content-encoding'];
  }
  return stored;
}

class InternalError extends S3Error {
  readonly code = 'InternalError';
  override readonly httpStatus = 500;
  override readonly senderFault = false;
  constructor() {
    super('We encountered an internal error. Please try again.');
  }
}

/** S3's answer when it cannot take a write now (503); Berth's when its data volume is full. */
class ServiceUnavailable extends S3Error {
  readonly code = 'ServiceUnavailable';
  override readonly httpStatus = 503;
  override readonly senderFault = false;
}

function toS3Error(error: unknown): S3Error {
  if (error instanceof S3Error) return error;
  if (isStorageFull(error)) return new ServiceUnavailable(new DataVolumeFullError().message);
  return new InternalError();
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new InvalidRequest('The request body is too large for this operation.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, headers: Record<string, string>): void {
  response.writeHead(status, { ...headers, 'content-length': 0 });
  response.end();
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': XML, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
