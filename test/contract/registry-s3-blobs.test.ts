import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { busyboxSkipReason, dockerSkipReason, DockerSession, skopeoSkipReason } from '../../testing/docker.ts';
import { RegistryClient, sha256 } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// The S3 blob store against "any S3 endpoint": here the S3 API of a second Berth server. The
// registry server keeps no blob bytes itself: commits are objects in the bucket, uploads in progress
// are chunk objects, and blob GETs answer 307 to a presigned URL (HEAD stays answered by Berth).
describe('registry blobs in an S3 bucket (--blob-store s3://bucket/prefix)', { timeout: 600_000 }, () => {
  let objectStore: TestServer;
  let server: TestServer;
  let s3: S3Client;
  let registry: RegistryClient;
  let password = '';
  const bucket = `berth-blobs-${randomUUID().slice(0, 8)}`;
  const keys = async (prefix: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

  before(async () => {
    objectStore = await startTestServer();
    s3 = new S3Client({
      endpoint: objectStore.url,
      region: objectStore.region,
      credentials: objectStore.credentials,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    server = await startTestServer({
      BERTH_BLOB_STORE: `s3://${bucket}/registry`,
      // 127.0.0.1, not localhost: clients reach the registry as localhost, so the redirect is to
      // another host and they send it no registry credentials (as with ECR and S3).
      BERTH_BLOB_STORE_ENDPOINT: objectStore.url.replace('localhost', '127.0.0.1'),
      BERTH_BLOB_STORE_ACCESS_KEY_ID: objectStore.credentials.accessKeyId,
      BERTH_BLOB_STORE_SECRET_ACCESS_KEY: objectStore.credentials.secretAccessKey,
    });
    const ecr = new ECRClient({ endpoint: server.url, region: server.region, credentials: server.credentials });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'stored' }));
    ({ client: registry, password } = await RegistryClient.forServer(server, ecr));
    ecr.destroy();
  });
  after(async () => {
    s3?.destroy();
    await server?.stop();
    await objectStore?.stop();
  });

  it('commits a blob as an object under its digest, and GET answers 307 to a presigned URL', async () => {
    const data = randomBytes(200_000);
    const digest = await registry.pushBlob('stored', data);
    const hex = digest.slice('sha256:'.length);
    assert.deepEqual(await keys('registry/blobs/'), [`registry/blobs/sha256/${hex}`]);
    assert.deepEqual(await keys('registry/uploads/'), []);
    assert.ok(!existsSync(join(server.dataDir, 'registry', 'blobs')), 'no blob in the data folder');

    const head = await registry.request('HEAD', `/v2/stored/blobs/${digest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(data.length));
    assert.equal(head.headers.get('docker-content-digest'), digest);

    const get = await registry.request('GET', `/v2/stored/blobs/${digest}`);
    assert.equal(get.status, 307);
    const location = new URL(get.headers.get('location')!);
    assert.equal(location.origin, objectStore.url.replace('localhost', '127.0.0.1'));
    assert.equal(location.pathname, `/${bucket}/registry/blobs/sha256/${hex}`);
    assert.ok(location.searchParams.get('X-Amz-Signature'));
    const followed = await fetch(location);
    assert.equal(followed.status, 200);
    assert.equal(sha256(Buffer.from(await followed.arrayBuffer())), digest);
    const ranged = await fetch(location, { headers: { range: 'bytes=100-199' } });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), data.subarray(100, 200));
  });

  it('keeps an upload in progress as chunk objects, and completes it from them', async () => {
    const first = randomBytes(40_000);
    const second = randomBytes(30_000);
    const started = await registry.request('POST', '/v2/stored/blobs/uploads/');
    assert.equal(started.status, 202);
    const location = started.headers.get('location')!;
    const id = started.headers.get('docker-upload-uuid')!;
    const patch = (body: Buffer, from: number) =>
      registry.request('PATCH', location, {
        body,
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${from}-${from + body.length - 1}` },
      });
    assert.equal((await patch(first, 0)).status, 202);
    assert.equal((await patch(second, first.length)).status, 202);
    assert.deepEqual(await keys(`registry/uploads/${id}/`), [
      `registry/uploads/${id}/${'0'.padStart(16, '0')}`,
      `registry/uploads/${id}/${String(first.length).padStart(16, '0')}`,
    ]);
    const whole = Buffer.concat([first, second]);
    const digest = sha256(whole);
    const wrong = await registry.request('PUT', `${location}?digest=${sha256('other')}`);
    assert.equal(wrong.errorCode, 'DIGEST_INVALID');
    // The refused completion discarded the upload (as the filesystem store does): start again.
    assert.deepEqual(await keys(`registry/uploads/${id}/`), []);
    const again = await registry.request('POST', '/v2/stored/blobs/uploads/');
    const next = again.headers.get('location')!;
    await registry.request('PATCH', next, { body: whole, headers: { 'content-type': 'application/octet-stream' } });
    const done = await registry.request('PUT', `${next}?digest=${digest}`);
    assert.equal(done.status, 201, done.body.toString());
    assert.deepEqual(await keys('registry/uploads/'), []);
    const get = await registry.request('GET', `/v2/stored/blobs/${digest}`);
    const followed = await fetch(get.headers.get('location')!);
    assert.equal(sha256(Buffer.from(await followed.arrayBuffer())), digest);
  });

  describe('docker and skopeo follow the redirects', { skip: dockerSkipReason() || busyboxSkipReason() }, () => {
    let session: DockerSession;
    let reference = '';
    let imageId = '';
    let hello = '';
    before(async () => {
      session = new DockerSession();
      const login = await session.docker(
        ['login', '--username', 'AWS', '--password-stdin', `localhost:${server.port}`],
        {
          input: password,
        },
      );
      assert.equal(login.code, 0, login.stderr);
      const image = await session.buildBusyboxImage(`berth-s3-blobs-${randomUUID().slice(0, 8)}:v1`);
      reference = `localhost:${server.port}/stored:v1`;
      assert.equal((await session.tag(image.tag, reference)).code, 0);
      const push = await session.docker(['push', reference]);
      assert.equal(push.code, 0, push.stderr);
      imageId = image.id;
      hello = image.hello;
      await session.docker(['rmi', '--force', image.tag, reference, image.id]);
    });
    after(async () => {
      await session?.cleanup();
    });

    it('docker pulls an image pushed into the bucket and runs it', async () => {
      session.track(reference);
      const pull = await session.docker(['pull', reference]);
      assert.equal(pull.code, 0, pull.stderr);
      const inspect = await session.docker(['image', 'inspect', '--format', '{{.Id}}', reference]);
      assert.equal(inspect.stdout.trim(), imageId);
      const run = await session.docker(['run', '--rm', reference, 'cat', '/hello.txt']);
      assert.equal(run.stdout, hello);
    });

    it(
      'skopeo copies the image out of the registry, every blob through a presigned URL',
      { skip: skopeoSkipReason() },
      async () => {
        const folder = mkdtempSync(join(tmpdir(), 'berth-s3-skopeo-'));
        try {
          const copied = await session.skopeo([
            'copy',
            '--src-creds',
            `AWS:${password}`,
            '--src-tls-verify=false',
            `docker://${reference}`,
            `dir:${folder}`,
          ]);
          assert.equal(copied.code, 0, copied.stderr);
          const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as {
            config: { digest: string };
            layers: { digest: string }[];
          };
          const files = readdirSync(folder);
          for (const digest of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
            const hex = digest.slice('sha256:'.length);
            assert.ok(files.includes(hex), `${hex} copied`);
            assert.equal(
              createHash('sha256')
                .update(readFileSync(join(folder, hex)))
                .digest('hex'),
              hex,
            );
          }
        } finally {
          rmSync(folder, { recursive: true, force: true });
        }
      },
    );
  });
});
