import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { httpEnvironmentFiles } from '../../src/cmd/environment-file-readers.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

describe('S3 with the AWS SDK v3', () => {
  let server: TestServer;
  let s3: S3Client;

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    s3 = new S3Client({
      endpoint: server.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: server.credentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    s3.destroy();
    await server.stop();
  });

  const errorOf = async (promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof S3ServiceException, String(error));
      return { name: error.name, status: error.$metadata.httpStatusCode };
    }
    assert.fail('expected an error');
  };

  it('creates, lists, heads and deletes buckets, with S3 error codes', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'team-config' }));
    assert.deepEqual(await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'team-config' }))), {
      name: 'BucketAlreadyOwnedByYou',
      status: 409,
    });
    assert.deepEqual(await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))), {
      name: 'InvalidBucketName',
      status: 400,
    });
    const listed = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(
      listed.Buckets?.map((b) => b.Name),
      ['team-config'],
    );
    assert.ok(listed.Buckets?.[0]?.CreationDate instanceof Date);
    await s3.send(new HeadBucketCommand({ Bucket: 'team-config' }));
    assert.deepEqual(await errorOf(s3.send(new HeadBucketCommand({ Bucket: 'missing' }))), {
      name: 'NotFound',
      status: 404,
    });
    await s3.send(new PutObjectCommand({ Bucket: 'team-config', Key: 'x', Body: 'y' }));
    assert.deepEqual(await errorOf(s3.send(new DeleteBucketCommand({ Bucket: 'team-config' }))), {
      name: 'BucketNotEmpty',
      status: 409,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: 'team-config', Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'team-config' }));
    assert.deepEqual(await errorOf(s3.send(new DeleteBucketCommand({ Bucket: 'team-config' }))), {
      name: 'NoSuchBucket',
      status: 404,
    });
  });

  it('puts, gets, heads and deletes objects (plain and aws-chunked bodies)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'dir/app file.env',
        Body: 'A=1\n',
        ContentType: 'text/plain',
        Metadata: { team: 'web' },
      }),
    );
    // MD5("A=1\n")
    assert.equal(put.ETag, '"7b9ee9647aa60af266c790de3f659403"');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/app file.env' }));
    assert.equal(await got.Body?.transformToString(), 'A=1\n');
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.ContentLength, 4);
    assert.equal(got.ETag, put.ETag);
    assert.deepEqual(got.Metadata, { team: 'web' });
    assert.ok(got.LastModified instanceof Date);

    // A stream of unknown length: the SDK sends it aws-chunked, with a CRC32 trailer.
    const streamed = Readable.from([Buffer.from('hello '), Buffer.from('world')]);
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'stream', Body: streamed, ContentLength: 11 }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'stream' }));
    assert.equal(head.ContentLength, 11);
    // MD5("hello world")
    assert.equal(head.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const back = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'stream' }));
    assert.equal(await back.Body?.transformToString(), 'hello world');

    // An overwrite replaces the bytes whole.
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'stream', Body: 'second' }));
    const again = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'stream' }));
    assert.equal(await again.Body?.transformToString(), 'second');

    assert.deepEqual(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'nope' }))), {
      name: 'NoSuchKey',
      status: 404,
    });
    assert.deepEqual(await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'nope' }))), {
      name: 'NotFound',
      status: 404,
    });
    assert.deepEqual(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'nobucket', Key: 'k' }))), {
      name: 'NoSuchBucket',
      status: 404,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'stream' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'stream' })); // gone: still 204
    assert.deepEqual(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'stream' }))), {
      name: 'NoSuchKey',
      status: 404,
    });
  });

  it('lists objects with prefix, delimiter, max-keys and continuation tokens', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    const keys = ['a.env', 'b/1.env', 'b/2.env', 'c/x/1.env', 'c/y.env', 'd.env'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'listing', Key: key, Body: key }));

    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'listing' }));
    assert.deepEqual(
      all.Contents?.map((o) => o.Key),
      keys,
    );
    assert.equal(all.KeyCount, 6);
    assert.equal(all.IsTruncated, false);

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    assert.deepEqual(
      top.Contents?.map((o) => o.Key),
      ['a.env', 'd.env'],
    );
    assert.deepEqual(
      top.CommonPrefixes?.map((p) => p.Prefix),
      ['b/', 'c/'],
    );

    const underC = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'c/', Delimiter: '/' }));
    assert.deepEqual(
      underC.Contents?.map((o) => o.Key),
      ['c/y.env'],
    );
    assert.deepEqual(
      underC.CommonPrefixes?.map((p) => p.Prefix),
      ['c/x/'],
    );

    // Pages of two with a delimiter: a.env, b/ | c/, d.env
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/', MaxKeys: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.KeyCount, 2);
    const second = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'listing',
        Delimiter: '/',
        MaxKeys: 2,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    assert.deepEqual(
      second.CommonPrefixes?.map((p) => p.Prefix),
      ['c/'],
    );
    assert.deepEqual(
      second.Contents?.map((o) => o.Key),
      ['d.env'],
    );
    assert.equal(second.IsTruncated, false);
    assert.equal(second.NextContinuationToken, undefined);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch, and an unknown key with InvalidAccessKeyId', async () => {
    const wrong = new S3Client({
      endpoint: server.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
      maxAttempts: 1,
    });
    assert.deepEqual(await errorOf(wrong.send(new ListBucketsCommand({}))), {
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    const unknown = new S3Client({
      endpoint: server.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    assert.deepEqual(await errorOf(unknown.send(new ListBucketsCommand({}))), {
      name: 'InvalidAccessKeyId',
      status: 403,
    });
    wrong.destroy();
    unknown.destroy();
  });

  it('serves berth agent’s environment file reads (GetObject signed with the agent’s keys)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'agent-files' }));
    await s3.send(new PutObjectCommand({ Bucket: 'agent-files', Key: 'dir/a b+c.env', Body: 'X=1\n' }));
    const read = httpEnvironmentFiles({ endpoint: new URL(server.url), region: 'us-east-1', ...server.credentials });
    assert.equal(Buffer.from(await read('agent-files', 'dir/a b+c.env')).toString(), 'X=1\n');
    await assert.rejects(read('agent-files', 'missing.env'), {
      message: 'NoSuchKey: The specified key does not exist. status code: 404',
    });
    await assert.rejects(read('no-bucket', 'x.env'), {
      message: 'NoSuchBucket: The specified bucket does not exist status code: 404',
    });
  });

  it('keeps buckets and objects across a restart', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
    await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'k.env', Body: 'KEEP=1\n' }));
    await server.close();
    const restarted = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataDir: server.dataDir });
    const client = new S3Client({
      endpoint: restarted.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: restarted.credentials,
      maxAttempts: 1,
    });
    const got = await client.send(new GetObjectCommand({ Bucket: 'durable', Key: 'k.env' }));
    assert.equal(await got.Body?.transformToString(), 'KEEP=1\n');
    client.destroy();
    server = restarted;
  });
});
