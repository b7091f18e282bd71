import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { startTestServer, type TestServer } from '../../testing/server.ts';

const KiB = 1024;
const UNSIGNED = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };

describe('S3 GetObject ranges and object keys, with the AWS SDK v3', () => {
  let server: TestServer;
  let s3: S3Client;
  const object = randomBytes(200 * KiB + 7); // spans several of the server's 64 KiB chunks
  const size = object.length;

  /**
   * A presigned URL for a raw request (a path the SDK would not send, or a socket to reset). S3
   * signs presigned URLs' payload as UNSIGNED-PAYLOAD: the header says so, and is signed too.
   */
  const presign = async (method: string, path: string): Promise<URL> => {
    const url = new URL(server.url);
    const signer = new SignatureV4({
      credentials: server.credentials,
      region: server.region,
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false, // S3 signs the path as sent
    });
    const signed = await signer.presign(
      {
        method,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path,
        query: {},
        headers: { host: url.host, ...UNSIGNED },
      },
      { unhoistableHeaders: new Set(['x-amz-content-sha256']) },
    );
    const query = new URLSearchParams(signed.query as Record<string, string>);
    return new URL(`${path}?${query.toString()}`, server.url);
  };

  const errorOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof S3ServiceException, String(error));
      return { name: error.name, status: error.$metadata.httpStatusCode };
    }
    assert.fail('expected an error');
  };

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    s3 = new S3Client({
      endpoint: server.url,
      region: server.region,
      forcePathStyle: true,
      credentials: server.credentials,
      maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'ranges' }));
    await s3.send(new PutObjectCommand({ Bucket: 'ranges', Key: 'data.bin', Body: object }));
  });
  after(async () => {
    s3.destroy();
    await server.stop();
  });

  const get = async (range: string) => {
    const out = await s3.send(new GetObjectCommand({ Bucket: 'ranges', Key: 'data.bin', Range: range }));
    return {
      status: out.$metadata.httpStatusCode,
      contentRange: out.ContentRange,
      contentLength: out.ContentLength,
      body: Buffer.from(await out.Body!.transformToByteArray()),
    };
  };

  const satisfiable: [string, number, number][] = [
    ['bytes=100-199', 100, 199],
    ['bytes=65530-131080', 65530, 131080], // across chunk boundaries
    [`bytes=${size - 10}-`, size - 10, size - 1],
    ['bytes=-10', size - 10, size - 1], // the last 10 bytes
    [`bytes=0-${size + 1000}`, 0, size - 1], // an end past the object is clamped
  ];
  for (const [range, start, end] of satisfiable) {
    it(`answers ${range} with 206, Content-Range and those bytes`, async () => {
      const out = await get(range);
      assert.equal(out.status, 206);
      assert.equal(out.contentRange, `bytes ${start}-${end}/${size}`);
      assert.equal(out.contentLength, end - start + 1);
      assert.deepEqual(out.body, object.subarray(start, end + 1));
    });
  }

  it('answers several ranges, as S3 does, with the whole object (200)', async () => {
    const out = await get('bytes=0-1,5-6');
    assert.equal(out.status, 200);
    assert.equal(out.contentRange, undefined);
    assert.deepEqual(out.body, object);
  });

  it('answers an unsatisfiable range with 416 InvalidRange and the size in Content-Range', async () => {
    assert.deepEqual(await errorOf(get(`bytes=${size}-`)), { name: 'InvalidRange', status: 416 });
    const response = await fetch(await presign('GET', '/ranges/data.bin'), {
      headers: { range: `bytes=${size}-`, ...UNSIGNED },
    });
    assert.equal(response.status, 416);
    assert.equal(response.headers.get('content-range'), `bytes */${size}`);
    const body = await response.text();
    assert.match(body, /<Code>InvalidRange<\/Code>/);
    assert.match(body, new RegExp(`<RangeRequested>bytes=${size}-</RangeRequested><ActualObjectSize>${size}</`));
  });

  it('answers HeadObject with a Range with 206 and the range length', async () => {
    const out = await s3.send(new HeadObjectCommand({ Bucket: 'ranges', Key: 'data.bin', Range: 'bytes=10-19' }));
    assert.equal(out.$metadata.httpStatusCode, 206);
    assert.equal(out.ContentLength, 10);
    assert.equal(out.ContentRange, `bytes 10-19/${size}`);
  });

  it('keeps serving after ranged GETs are reset mid-body', async () => {
    const url = await presign('GET', '/ranges/data.bin');
    const resets = Array.from(
      { length: 20 },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(Number(url.port), url.hostname, () =>
            socket.write(
              `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nRange: bytes=10-\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n`,
            ),
          );
          socket.once('data', (head: Buffer) => {
            socket.resetAndDestroy();
            if (head.toString('latin1').startsWith('HTTP/1.1 206 ')) resolve();
            else reject(new Error(`expected a 206, got ${head.toString('latin1').split('\r\n')[0]}`));
          });
          socket.once('error', reject);
        }),
    );
    await Promise.all(resets);
    const out = await get('bytes=10-');
    assert.deepEqual(out.body, object.subarray(10));
  });

  it('stores keys with control characters, as S3 does, and refuses NUL with InvalidURI', async () => {
    const key = 'dir/line\r\nbreak\tand\x1bescape.env';
    await s3.send(new PutObjectCommand({ Bucket: 'ranges', Key: key, Body: 'A=1\n' }));
    const out = await s3.send(new GetObjectCommand({ Bucket: 'ranges', Key: key }));
    assert.equal(await out.Body!.transformToString(), 'A=1\n');
    assert.deepEqual(await errorOf(s3.send(new PutObjectCommand({ Bucket: 'ranges', Key: 'a\0b', Body: 'x' }))), {
      name: 'InvalidURI',
      status: 400,
    });
  });

  it('refuses a key whose bytes are not UTF-8 with InvalidURI, before storing anything', async () => {
    const response = await fetch(await presign('PUT', '/ranges/latin1-%E9t%E9.env'), {
      method: 'PUT',
      body: 'x',
      headers: UNSIGNED,
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /<Code>InvalidURI<\/Code><Message>Couldn&apos;t parse the specified URI.</);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'ranges', Prefix: 'latin1' }));
    assert.equal(listed.KeyCount, 0); // not stored under its percent-encoded spelling either
  });
});
