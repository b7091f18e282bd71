import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createRepository, OCI_MANIFEST, RegistryClient } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// The OCI distribution spec's pull endpoint (end-3, GET and HEAD /v2/<name>/manifests/<reference>)
// answers 200 or 404: a reference that is neither a digest nor a valid tag names no manifest, so
// it is MANIFEST_UNKNOWN (404), while a PUT to such a reference stays TAG_INVALID (400).
describe('registry pull: manifest references that name nothing', () => {
  let server: TestServer;
  let client: RegistryClient;
  let ecr: ECRClient;

  before(async () => {
    server = await startTestServer();
    ({ client, ecr } = await RegistryClient.forServer(server));
    await createRepository(ecr, 'refs');
  });
  after(async () => {
    ecr.destroy();
    await server.stop();
  });

  // A tag starts with a word character and has at most 128; a digest is algorithm:hex.
  const invalid = ['-dash-first', '.dot-first', 'x'.repeat(129), 'sha256:not-hex', 'tag%20with%20space'];

  for (const reference of invalid) {
    it(`GET and HEAD of ${reference.length > 20 ? `${reference.slice(0, 20)}…` : reference} answer 404 MANIFEST_UNKNOWN`, async () => {
      const got = await client.request('GET', `/v2/refs/manifests/${reference}`, { headers: { accept: OCI_MANIFEST } });
      assert.equal(got.status, 404, got.body.toString());
      assert.equal(got.errorCode, 'MANIFEST_UNKNOWN');
      const head = await client.request('HEAD', `/v2/refs/manifests/${reference}`);
      assert.equal(head.status, 404);
      assert.equal(head.body.length, 0);
    });
  }

  it('still answers a PUT to an invalid tag with 400 TAG_INVALID, and serves valid references as before', async () => {
    const image = await client.pushImage('refs', 'v1');
    const put = await client.putManifest('refs', '-dash-first', image.body);
    assert.equal(put.status, 400);
    assert.equal(put.errorCode, 'TAG_INVALID');
    for (const reference of ['v1', image.digest]) {
      const got = await client.request('GET', `/v2/refs/manifests/${reference}`, { headers: { accept: OCI_MANIFEST } });
      assert.equal(got.status, 200);
    }
    const missing = await client.request('GET', '/v2/refs/manifests/v2', { headers: { accept: OCI_MANIFEST } });
    assert.equal(missing.status, 404);
    assert.equal(missing.errorCode, 'MANIFEST_UNKNOWN');
  });
});
