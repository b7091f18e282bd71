import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  BLOB_TEST_CREDENTIALS,
  registryPassword,
  startBlobServers,
  type BlobServer,
} from '../../testing/blob-servers.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { postgresTestUrl, PostgresTestSchemas } from '../../testing/postgres.ts';
import { RegistryClient, sha256 } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const target = postgresTestUrl();

/** Polls `read` until `done` holds, or fails after `ms`. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Where a server keeps a blob (blobs/layout.ts). */
function blobFile(server: BlobServer, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(server.dataDir, 'registry', 'blobs', 'sha256', hex.slice(0, 2), hex);
}

if ('skip' in target) {
  describe('registry blobs on several servers', () => it.skip(target.skip));
} else {
  describe(
    'registry blobs on several servers without an object store (BERTH_BLOB_COPIES=2)',
    { timeout: 600_000 },
    () => {
      const schemas = new PostgresTestSchemas(target.url);
      const schema = schemas.newSchema();
      let servers: BlobServer[] = [];
      let stop: (() => Promise<void>) | undefined;
      let password = '';
      const client = (server: BlobServer) => new RegistryClient(server.url, password);
      /** Which servers the store records as holding a blob (their ids). */
      const holders = async (digest: string) =>
        (
          await schemas.query<{ server: string }>(`select server from "${schema}".blob_holders where digest = $1`, [
            digest,
          ])
        ).map((r) => r.server);
      const idOf = async (server: BlobServer) => {
        const { readFileSync } = await import('node:fs');
        return readFileSync(join(server.dataDir, 'registry', 'server-id'), 'utf8').trim();
      };
      /** Waits until all three servers have announced themselves (they take pushes' copies then). */
      const allLive = () =>
        eventually(
          async () => (await schemas.query<{ n: string }>(`select count(*) as n from "${schema}".blob_servers`))[0]!.n,
          (n) => Number(n) === 3,
          15_000,
        );

      before(async () => {
        await schemas.query(`create schema "${schema}"`);
        ({ servers, stop } = await startBlobServers(3, { postgresUrl: target.url, schema }));
        const ecr = new ECRClient({
          endpoint: servers[0]!.url,
          region: 'us-east-1',
          credentials: BLOB_TEST_CREDENTIALS,
          maxAttempts: 1,
        });
        await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shared' }));
        ecr.destroy();
        password = await registryPassword(servers[1]!.url);
        await allLive();
      });
      after(async () => {
        await stop?.();
        await schemas.dropAll();
      });

      it('acknowledges a push once two servers hold the blob, and a third serves it by fetching a copy', async () => {
        const data = randomBytes(300_000);
        const digest = await client(servers[0]!).pushBlob('shared', data);
        const held = await holders(digest);
        assert.equal(held.length, 2, `held by ${held.join(', ')}`);
        const ids = await Promise.all(servers.map(idOf));
        const lacking = servers.find((_, i) => !held.includes(ids[i]!))!;
        assert.ok(!existsSync(blobFile(lacking, digest)));
        const got = await client(lacking).request('GET', `/v2/shared/blobs/${digest}`);
        assert.equal(got.status, 200);
        assert.equal(sha256(got.body), digest);
        assert.ok(existsSync(blobFile(lacking, digest)), 'the server kept the copy it fetched');
        assert.equal((await holders(digest)).length, 3);
        const range = await client(lacking).request('GET', `/v2/shared/blobs/${digest}`, {
          headers: { range: 'bytes=10-19' },
        });
        assert.equal(range.status, 206);
        assert.deepEqual(range.body, data.subarray(10, 20));
      });

      it('continues a chunked upload on another server: started on A, a chunk on B, completed on C', async () => {
        const [a, b, c] = servers as [BlobServer, BlobServer, BlobServer];
        const first = randomBytes(70_000);
        const second = randomBytes(50_000);
        const started = await client(a).request('POST', '/v2/shared/blobs/uploads/');
        assert.equal(started.status, 202);
        const location = started.headers.get('location')!;
        const one = await client(a).request('PATCH', location, {
          body: first,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${first.length - 1}` },
        });
        assert.equal(one.status, 202, one.body.toString());
        const status = await client(b).request('GET', location);
        assert.equal(status.status, 204);
        assert.equal(status.headers.get('range'), `0-${first.length - 1}`);
        const two = await client(b).request('PATCH', location, {
          body: second,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${first.length}-${first.length + second.length - 1}`,
          },
        });
        assert.equal(two.status, 202, two.body.toString());
        assert.equal(two.headers.get('range'), `0-${first.length + second.length - 1}`);
        const whole = Buffer.concat([first, second]);
        const digest = sha256(whole);
        const done = await client(c).request('PUT', `${location}?digest=${digest}`);
        assert.equal(done.status, 201, done.body.toString());
        assert.ok((await holders(digest)).length >= 2);
        for (const server of servers) {
          const got = await client(server).request('GET', `/v2/shared/blobs/${digest}`);
          assert.equal(got.status, 200);
          assert.equal(sha256(got.body), digest);
        }
      });

      it("refuses a peer's copy whose bytes do not match the digest", async () => {
        const data = randomBytes(20_000);
        const digest = await client(servers[0]!).pushBlob('shared', data);
        const held = await holders(digest);
        const ids = await Promise.all(servers.map(idOf));
        const lacking = servers.find((_, i) => !held.includes(ids[i]!))!;
        // Both copies rot on disk (same length, other bytes).
        for (const [i, server] of servers.entries()) {
          if (held.includes(ids[i]!)) writeFileSync(blobFile(server, digest), randomBytes(data.length));
        }
        const got = await client(lacking).request('GET', `/v2/shared/blobs/${digest}`);
        assert.equal(got.status, 503);
        assert.equal(got.errorCode, 'UNAVAILABLE');
        assert.match(String((got.json?.errors as { message: string }[])[0]!.message), /matching its digest/);
        assert.ok(!existsSync(blobFile(lacking, digest)), 'nothing kept');
        assert.equal((await holders(digest)).length, 2);
      });

      it(
        'docker pushes through one server and pulls through another, which fetches the blobs it lacks',
        { skip: dockerSkipReason() || busyboxSkipReason() },
        async () => {
          const session = new DockerSession();
          try {
            const a = servers[0]!;
            const image = await session.buildBusyboxImage(`berth-blobs-${randomUUID().slice(0, 8)}:v1`);
            for (const server of servers) {
              const login = await session.docker(
                ['login', '--username', 'AWS', '--password-stdin', `localhost:${server.port}`],
                { input: password },
              );
              assert.equal(login.code, 0, login.stderr);
            }
            const pushed = `localhost:${a.port}/shared:v1`;
            assert.equal((await session.tag(image.tag, pushed)).code, 0);
            const push = await session.docker(['push', pushed]);
            assert.equal(push.code, 0, push.stderr);
            // The image's own blobs, and the server holding the fewest of them (each is on two of three).
            const manifest = await client(a).request('GET', '/v2/shared/manifests/v1', {
              headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
            });
            const body = manifest.json as { config: { digest: string }; layers: { digest: string }[] };
            // The config and the /hello.txt layer are this run's own (the busybox layer may be in the
            // engine already, from another image: docker would not download it).
            const blobs = [body.config.digest, body.layers.at(-1)!.digest];
            const ids = await Promise.all(servers.map(idOf));
            const held = await Promise.all(blobs.map(holders));
            const counts = ids.map((id) => held.filter((h) => h.includes(id)).length);
            const reader = servers[counts.indexOf(Math.min(...counts))]!;
            assert.ok(Math.min(...counts) < blobs.length, `counts ${counts.join(',')}`);
            await session.docker(['rmi', '--force', image.tag, pushed, image.id]);
            const pulled = `localhost:${reader.port}/shared:v1`;
            session.track(pulled);
            const pull = await session.docker(['pull', pulled]);
            assert.equal(pull.code, 0, pull.stderr);
            const inspect = await session.docker(['image', 'inspect', '--format', '{{.Id}}', pulled]);
            assert.equal(inspect.stdout.trim(), image.id);
            const run = await session.docker(['run', '--rm', pulled, 'cat', '/hello.txt']);
            assert.equal(run.stdout, image.hello);
            for (const digest of blobs) assert.ok(existsSync(blobFile(reader, digest)), `${digest} kept`);
          } finally {
            await session.cleanup();
          }
        },
      );

      it('refuses a push (503) while fewer servers than the copies it needs are live', async () => {
        const [a, b, c] = servers as [BlobServer, BlobServer, BlobServer];
        for (const server of [b, c]) server.process.child.kill('SIGKILL');
        await Promise.all([b.process.exited, c.process.exited]);
        const data = randomBytes(1000);
        const refused = await eventually(
          () =>
            client(a).request('POST', `/v2/shared/blobs/uploads/?digest=${sha256(data)}`, {
              body: data,
              headers: { 'content-type': 'application/octet-stream' },
            }),
          (r) => r.status !== 201 || false,
          20_000,
        );
        assert.equal(refused.status, 503, refused.body.toString());
        assert.equal(refused.errorCode, 'UNAVAILABLE');
        assert.match(refused.body.toString(), /BERTH_BLOB_COPIES/);
      });
    },
  );

  describe('an S3 bucket shared by two servers', { timeout: 300_000 }, () => {
    const schemas = new PostgresTestSchemas(target.url);
    const schema = schemas.newSchema();
    let objectStore: TestServer;
    let servers: BlobServer[] = [];
    let stop: (() => Promise<void>) | undefined;
    let password = '';
    const bucket = `berth-shared-${randomUUID().slice(0, 8)}`;

    before(async () => {
      objectStore = await startTestServer();
      const s3 = new S3Client({
        endpoint: objectStore.url,
        region: objectStore.region,
        credentials: objectStore.credentials,
        forcePathStyle: true,
      });
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      s3.destroy();
      await schemas.query(`create schema "${schema}"`);
      ({ servers, stop } = await startBlobServers(2, {
        postgresUrl: target.url,
        schema,
        env: {
          BERTH_BLOB_STORE: `s3://${bucket}/registry`,
          BERTH_BLOB_STORE_ENDPOINT: objectStore.url.replace('localhost', '127.0.0.1'),
          BERTH_BLOB_STORE_ACCESS_KEY_ID: objectStore.credentials.accessKeyId,
          BERTH_BLOB_STORE_SECRET_ACCESS_KEY: objectStore.credentials.secretAccessKey,
        },
      }));
      const ecr = new ECRClient({
        endpoint: servers[0]!.url,
        region: 'us-east-1',
        credentials: BLOB_TEST_CREDENTIALS,
        maxAttempts: 1,
      });
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'bucketed' }));
      ecr.destroy();
      password = await registryPassword(servers[0]!.url);
    });
    after(async () => {
      await stop?.();
      await schemas.dropAll();
      await objectStore?.stop();
    });

    it('continues an upload on the other server (its chunks are objects), and both redirect its GETs', async () => {
      const [a, b] = servers as [BlobServer, BlobServer];
      const first = randomBytes(30_000);
      const second = randomBytes(20_000);
      const started = await new RegistryClient(a.url, password).request('POST', '/v2/bucketed/blobs/uploads/');
      const location = started.headers.get('location')!;
      const patch = (server: BlobServer, body: Buffer, from: number) =>
        new RegistryClient(server.url, password).request('PATCH', location, {
          body,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${from}-${from + body.length - 1}` },
        });
      assert.equal((await patch(a, first, 0)).status, 202);
      assert.equal((await patch(b, second, first.length)).status, 202);
      const digest = sha256(Buffer.concat([first, second]));
      const done = await new RegistryClient(b.url, password).request('PUT', `${location}?digest=${digest}`);
      assert.equal(done.status, 201, done.body.toString());
      for (const server of servers) {
        const got = await new RegistryClient(server.url, password).request('GET', `/v2/bucketed/blobs/${digest}`);
        assert.equal(got.status, 307);
        const followed = await fetch(got.headers.get('location')!);
        assert.equal(sha256(Buffer.from(await followed.arrayBuffer())), digest);
        assert.ok(!existsSync(blobFile(server, digest)), 'no copy on the server');
      }
    });
  });
}
