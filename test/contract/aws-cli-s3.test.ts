import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

describe('AWS CLI v2: S3', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let s3: ReturnType<typeof awsCliFor>;
  let s3api: ReturnType<typeof awsCliFor>;
  const work = mkdtempSync(join(tmpdir(), 'berth-s3-cli-'));

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    s3 = awsCliFor(server, 's3');
    s3api = awsCliFor(server, 's3api');
  });
  after(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('makes a bucket, copies a file up and down, lists it and heads it', async () => {
    const made = await s3.run('mb', 's3://cli-config');
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /make_bucket: cli-config/);

    const file = join(work, 'app.env');
    writeFileSync(file, 'A=1\nB=2\n');
    const up = await s3.run('cp', file, 's3://cli-config/prod/app one.env');
    assert.equal(up.code, 0, up.stderr);

    const listed = await s3.run('ls', 's3://cli-config/prod/');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /\s8 app one\.env\n/);
    const top = await s3.run('ls', 's3://cli-config/');
    assert.match(top.stdout, /PRE prod\//);
    const buckets = await s3.run('ls');
    assert.match(buckets.stdout, /cli-config\n/);

    const down = join(work, 'down.env');
    const got = await s3.run('cp', 's3://cli-config/prod/app one.env', down);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(readFileSync(down, 'utf8'), 'A=1\nB=2\n');

    const head = await s3api.json<{ ContentLength: number; ETag: string; LastModified: string }>(
      'head-object',
      '--bucket',
      'cli-config',
      '--key',
      'prod/app one.env',
    );
    assert.equal(head.ContentLength, 8);
    // MD5("A=1\nB=2\n")
    assert.equal(head.ETag, '"1182cf6f64a0ed20b412bfd8ce1c49a5"');
    assert.ok(head.LastModified);

    const presigned = await s3.run('presign', 's3://cli-config/prod/app one.env');
    assert.equal(presigned.code, 0, presigned.stderr);
    const response = await fetch(presigned.stdout.trim());
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'A=1\nB=2\n');
  });

  it('reports S3 errors as the CLI expects them', async () => {
    const missing = await s3api.run('get-object', '--bucket', 'cli-config', '--key', 'nope', join(work, 'x'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchKey/);
    const noBucket = await s3.run('ls', 's3://no-such-bucket-here/');
    assert.notEqual(noBucket.code, 0);
    assert.match(noBucket.stderr, /NoSuchBucket/);
    const again = await s3.run('mb', 's3://cli-config');
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /BucketAlreadyOwnedByYou/);
    const notEmpty = await s3.run('rb', 's3://cli-config');
    assert.notEqual(notEmpty.code, 0);
    assert.match(notEmpty.stderr, /BucketNotEmpty/);
    const removed = await s3.run('rb', 's3://cli-config', '--force');
    assert.equal(removed.code, 0, removed.stderr);
  });
});
