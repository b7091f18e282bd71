import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { FakeClock } from '../../src/shared/clock.ts';
import { createRepository, RegistryClient, sha256 } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// Protocol-level checks of the OCI distribution API, grouped as the conformance suite groups them.
describe('registry protocol: authentication, push, blobs', () => {
  let server: TestServer;
  let client: RegistryClient;
  let ecr: ECRClient;
  const clock = new FakeClock(new Date());

  before(async () => {
    server = await startTestServer({}, { clock });
    ({ client, ecr } = await RegistryClient.forServer(server));
    for (const name of ['pull', 'push', 'other', 'team/app/web', 'immutable']) {
      await createRepository(ecr, name, name === 'immutable' ? { imageTagMutability: 'IMMUTABLE' } : {});
    }
  });
  after(async () => {
    ecr.destroy();
    await server.stop();
  });

  describe('authentication', () => {
    it('challenges a request without credentials with Basic, as ECR does', async () => {
      const response = await new RegistryClient(server.url, undefined).request('GET', '/v2/');
      assert.equal(response.status, 401);
      assert.equal(response.errorCode, 'UNAUTHORIZED');
      assert.equal(
        response.headers.get('www-authenticate'),
        // The realm is the registry as the client addressed it (its scheme and Host).
        `Basic realm="${server.url}/",service="ecr.amazonaws.com"`,
      );
      assert.equal(response.headers.get('docker-distribution-api-version'), 'registry/2.0');
    });

    it('answers GET /v2/ for a valid token', async () => {
      const response = await client.request('GET', '/v2/');
      assert.equal(response.status, 200);
      assert.deepEqual(response.json, {});
    });

    it('refuses a forged token, another user name and a password with a colon', async () => {
      for (const password of ['not-a-token', `${client.authorization!.slice(6)}x`]) {
        assert.equal((await new RegistryClient(server.url, password).request('GET', '/v2/')).status, 401);
      }
      const other = await fetch(`${server.url}/v2/`, {
        headers: { authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
      });
      assert.equal(other.status, 401);
    });

    it('refuses an expired token with DENIED', async () => {
      clock.advance(12 * 60 * 60 * 1000 + 1000); // tokens live 12 hours
      try {
        const response = await client.request('GET', '/v2/pull/tags/list');
        assert.equal(response.status, 403);
        assert.equal(response.errorCode, 'DENIED');
        assert.match(
          String((response.json?.errors as { message: string }[])[0]!.message),
          /authorization token has expired/,
        );
      } finally {
        clock.set(new Date());
      }
    });
  });

  describe('push', () => {
    it('accepts a monolithic upload (POST ?digest=) and verifies its digest', async () => {
      const data = randomBytes(4096);
      const response = await client.request('POST', `/v2/push/blobs/uploads/?digest=${sha256(data)}`, { body: data });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('location'), `/v2/push/blobs/${sha256(data)}`);
      assert.equal(response.headers.get('docker-content-digest'), sha256(data));
      const head = await client.request('HEAD', `/v2/push/blobs/${sha256(data)}`);
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '4096');
    });

    it('accepts POST then PUT with the body', async () => {
      const data = randomBytes(100);
      const started = await client.request('POST', '/v2/push/blobs/uploads/');
      assert.equal(started.status, 202);
      assert.equal(started.headers.get('range'), '0-0');
      assert.match(started.headers.get('docker-upload-uuid') ?? '', /^[0-9a-f-]{36}$/);
      const location = started.headers.get('location')!;
      const done = await client.request('PUT', `${location}?digest=${sha256(data)}`, { body: data });
      assert.equal(done.status, 201);
    });

    it('accepts chunks in order, reports progress and refuses a chunk out of order with 416', async () => {
      const data = randomBytes(3000);
      const location = (await client.request('POST', '/v2/push/blobs/uploads/')).headers.get('location')!;
      const first = await client.request('PATCH', location, {
        body: data.subarray(0, 1000),
        headers: { 'content-range': '0-999', 'content-type': 'application/octet-stream' },
      });
      assert.equal(first.status, 202);
      assert.equal(first.headers.get('range'), '0-999');
      const gap = await client.request('PATCH', location, {
        body: data.subarray(2000),
        headers: { 'content-range': '2000-2999' },
      });
      assert.equal(gap.status, 416);
      assert.equal(gap.errorCode, 'RANGE_INVALID');
      assert.equal(gap.headers.get('range'), '0-999');
      const second = await client.request('PATCH', location, {
        body: data.subarray(1000, 2000),
        headers: { 'content-range': '1000-1999' },
      });
      assert.equal(second.headers.get('range'), '0-1999');
      const status = await client.request('GET', location);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), '0-1999');
      const done = await client.request('PUT', `${location}?digest=${sha256(data)}`, { body: data.subarray(2000) });
      assert.equal(done.status, 201);
      const blob = await client.request('GET', `/v2/push/blobs/${sha256(data)}`);
      assert.deepEqual(blob.body, data);
    });

    it('refuses a digest that does not match, and stores nothing', async () => {
      const data = randomBytes(64);
      const wrong = sha256('something else');
      const response = await client.request('POST', `/v2/push/blobs/uploads/?digest=${wrong}`, { body: data });
      assert.equal(response.status, 400);
      assert.equal(response.errorCode, 'DIGEST_INVALID');
      assert.equal((await client.request('HEAD', `/v2/push/blobs/${wrong}`)).status, 404);
      assert.equal((await client.request('HEAD', `/v2/push/blobs/${sha256(data)}`)).status, 404);
    });

    it('refuses a malformed digest', async () => {
      const response = await client.request('POST', '/v2/push/blobs/uploads/?digest=sha256:xyz', { body: 'a' });
      assert.equal(response.errorCode, 'DIGEST_INVALID');
    });

    it('verifies sha512 digests too', async () => {
      const data = randomBytes(500);
      const { createHash } = await import('node:crypto');
      const digest = `sha512:${createHash('sha512').update(data).digest('hex')}`;
      assert.equal(
        (await client.request('POST', `/v2/push/blobs/uploads/?digest=${digest}`, { body: data })).status,
        201,
      );
      assert.deepEqual((await client.request('GET', `/v2/push/blobs/${digest}`)).body, data);
    });

    it('cancels an upload with DELETE', async () => {
      const location = (await client.request('POST', '/v2/push/blobs/uploads/')).headers.get('location')!;
      assert.equal((await client.request('DELETE', location)).status, 204);
      const gone = await client.request('GET', location);
      assert.equal(gone.status, 404);
      assert.equal(gone.errorCode, 'BLOB_UPLOAD_UNKNOWN');
    });

    it('mounts a blob from another repository, and falls back to an upload when it cannot', async () => {
      const digest = await client.pushBlob('other', randomBytes(256));
      const mounted = await client.request('POST', `/v2/push/blobs/uploads/?mount=${digest}&from=other`);
      assert.equal(mounted.status, 201);
      assert.equal(mounted.headers.get('docker-content-digest'), digest);
      assert.equal((await client.request('HEAD', `/v2/push/blobs/${digest}`)).status, 200);
      const missing = await client.request('POST', `/v2/push/blobs/uploads/?mount=${sha256('nope')}&from=other`);
      assert.equal(missing.status, 202);
      assert.ok(missing.headers.get('location'));
    });

    it('refuses pushes to a repository that was not created, and invalid names', async () => {
      const unknown = await client.request('POST', '/v2/never-created/blobs/uploads/');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.errorCode, 'NAME_UNKNOWN');
      const invalid = await client.request('POST', '/v2/Upper/blobs/uploads/');
      assert.equal(invalid.status, 400);
      assert.equal(invalid.errorCode, 'NAME_INVALID');
    });

    it('keeps repositories apart: a blob is readable only where it was pushed or mounted', async () => {
      const digest = await client.pushBlob('other', randomBytes(128));
      const response = await client.request('GET', `/v2/pull/blobs/${digest}`);
      assert.equal(response.status, 404);
      assert.equal(response.errorCode, 'BLOB_UNKNOWN');
    });
  });

  describe('blobs', () => {
    it('serves byte ranges with 206 and refuses unsatisfiable ones with 416', async () => {
      const data = randomBytes(1000);
      const digest = await client.pushBlob('pull', data);
      const part = await client.request('GET', `/v2/pull/blobs/${digest}`, { headers: { range: 'bytes=100-199' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), 'bytes 100-199/1000');
      assert.deepEqual(part.body, data.subarray(100, 200));
      assert.equal(part.headers.get('etag'), `"${digest}"`);
      const tail = await client.request('GET', `/v2/pull/blobs/${digest}`, { headers: { range: 'bytes=-10' } });
      assert.deepEqual(tail.body, data.subarray(990));
      const outside = await client.request('GET', `/v2/pull/blobs/${digest}`, { headers: { range: 'bytes=2000-' } });
      assert.equal(outside.status, 416);
      assert.equal(outside.headers.get('content-range'), 'bytes */1000');
    });
  });
});

describe('registry uploads across a restart', () => {
  it('resumes a chunked upload after the server restarts', async () => {
    const first = await startTestServer();
    const { client, ecr, password } = await RegistryClient.forServer(first);
    await createRepository(ecr, 'resume');
    ecr.destroy();
    const data = randomBytes(5000);
    const location = (await client.request('POST', '/v2/resume/blobs/uploads/')).headers.get('location')!;
    await client.request('PATCH', location, { body: data.subarray(0, 3000), headers: { 'content-range': '0-2999' } });
    await first.close();

    const second = await startTestServer({}, { dataDir: first.dataDir });
    try {
      const resumed = new RegistryClient(second.url, password); // tokens outlive restarts: the key is kept
      const status = await resumed.request('GET', location);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), '0-2999');
      await resumed.request('PATCH', location, {
        body: data.subarray(3000),
        headers: { 'content-range': '3000-4999' },
      });
      const done = await resumed.request('PUT', `${location}?digest=${sha256(data)}`);
      assert.equal(done.status, 201);
      assert.deepEqual((await resumed.request('GET', `/v2/resume/blobs/${sha256(data)}`)).body, data);
    } finally {
      await second.stop();
    }
  });
});
