import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Where the S3 blob store's bucket is, and who it is as (config: --blob-store s3://bucket/prefix). */
export interface S3Location {
  /** The S3 endpoint, e.g. https://s3.us-east-1.amazonaws.com or a Ceph/Garage/SeaweedFS/Berth URL. */
  readonly endpoint: URL;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** An S3 error answer: the status and S3's <Code>. */
export class S3RequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(`S3 ${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/**
 * The few S3 REST calls the blob store makes (PutObject, GetObject with a Range, HeadObject,
 * DeleteObject, ListObjectsV2, presigned GetObject URLs), signed with SigV4 by the smithy signer the
 * AWS SDKs use. Path-style addressing (endpoint/bucket/key), which every S3-compatible server
 * answers. Bodies stream: PutObject sends a known length with an UNSIGNED-PAYLOAD hash, so nothing
 * is held in memory whole.
 */
export class S3Client {
  readonly #location: S3Location;
  readonly #signer: SignatureV4;

  constructor(location: S3Location) {
    this.#location = location;
    this.#signer = new SignatureV4({
      credentials: {
        accessKeyId: location.accessKeyId,
        secretAccessKey: location.secretAccessKey,
        ...(location.sessionToken ? { sessionToken: location.sessionToken } : {}),
      },
      region: location.region,
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
  }

  /** PutObject from a stream of `length` bytes. */
  async put(key: string, body: Readable | Buffer, length: number): Promise<void> {
    const response = await this.#send('PUT', key, {}, { 'content-length': String(length) }, body);
    await expectOk(response);
  }

  /** GetObject (the range's bytes, inclusive), or undefined when there is no such key. */
  async get(key: string, range?: { start: number; end?: number }): Promise<IncomingMessage | undefined> {
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {};
    const response = await this.#send('GET', key, {}, headers);
    if (response.statusCode === 404) {
      response.resume();
      return undefined;
    }
    if (response.statusCode !== 200 && response.statusCode !== 206) await expectOk(response);
    return response;
  }

  /** HeadObject's Content-Length, or undefined when there is no such key. */
  async size(key: string): Promise<number | undefined> {
    const headers = await this.#head(key);
    return headers && Number(headers['content-length']);
  }

  /** HeadObject's Last-Modified (epoch ms), or undefined when there is no such key. */
  async lastModified(key: string): Promise<number | undefined> {
    const headers = await this.#head(key);
    const time = Date.parse(String(headers?.['last-modified'] ?? ''));
    return Number.isNaN(time) ? undefined : time;
  }

  /** HeadObject's headers, or undefined when there is no such key. */
  async #head(key: string): Promise<IncomingHttpHeaders | undefined> {
    const response = await this.#send('HEAD', key, {}, {});
    response.resume();
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) throw new S3RequestError(response.statusCode ?? 0, 'HeadObject', 'failed');
    return response.headers;
  }

  async delete(key: string): Promise<void> {
    const response = await this.#send('DELETE', key, {}, {});
    if (response.statusCode === 404) {
      response.resume();
      return;
    }
    await expectOk(response);
  }

  /** Every object under `prefix` (ListObjectsV2, page after page), in key order. */
  async *list(prefix: string): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix, 'max-keys': '1000' };
      if (token) query['continuation-token'] = token;
      const response = await this.#send('GET', '', query, {});
      const xml = await expectOk(response);
      for (const [, body] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = /<Key>([\s\S]*?)<\/Key>/.exec(body!)?.[1];
        const size = /<Size>(\d+)<\/Size>/.exec(body!)?.[1];
        if (key !== undefined && size !== undefined) yield { key: unescapeXml(key), size: Number(size) };
      }
      const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
      token = truncated
        ? unescapeXml(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '')
        : undefined;
    } while (token);
  }

  /** A presigned GetObject URL valid for `expiresSeconds` (what ECR's layer redirects point at). */
  async presignGet(key: string, expiresSeconds: number): Promise<string> {
    const { endpoint } = this.#location;
    const path = this.#path(key);
    const presigned = await this.#signer.presign(
      {
        method: 'GET',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path,
        query: {},
        // As the SDK's S3 presigner: the payload is not signed (the URL's holder GETs it).
        headers: { host: endpoint.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      {
        expiresIn: expiresSeconds,
        unhoistableHeaders: new Set(['x-amz-content-sha256']),
        unsignableHeaders: new Set(['x-amz-content-sha256']),
      },
    );
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(presigned.query ?? {})) {
      if (typeof value === 'string') query.set(name, value);
    }
    return `${endpoint.origin}${path}?${query.toString().replace(/\+/g, '%20')}`;
  }

  #path(key: string): string {
    const base = this.#location.endpoint.pathname.replace(/\/$/, '');
    const segments = key === '' ? [] : key.split('/').map(encodeSegment);
    return `${base}/${encodeSegment(this.#location.bucket)}${segments.length ? '/' + segments.join('/') : ''}`;
  }

  async #send(
    method: string,
    key: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body?: Readable | Buffer,
  ): Promise<IncomingMessage> {
    const { endpoint } = this.#location;
    const path = this.#path(key);
    const signed = await this.#signer.sign({
      method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path,
      query,
      headers: { host: endpoint.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
    });
    const search = new URLSearchParams(query).toString().replace(/\+/g, '%20');
    const request = (endpoint.protocol === 'https:' ? httpsRequest : httpRequest)({
      method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port || undefined,
      path: search ? `${path}?${search}` : path,
      headers: signed.headers as OutgoingHttpHeaders,
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
    if (body === undefined) request.end();
    else if (Buffer.isBuffer(body)) request.end(body);
    else await pipeline(body, request);
    return answered;
  }
}

/** Reads an answer's body; throws S3RequestError unless it is a 2xx. */
async function expectOk(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return text;
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'Error';
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text.slice(0, 200);
  throw new S3RequestError(status, code, unescapeXml(message));
}

function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity]!;
  });
}
