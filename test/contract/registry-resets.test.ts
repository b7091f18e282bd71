import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createRepository, RegistryClient, sha256 } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

const MiB = 1024 * 1024;

/**
 * Opens a GET over a raw socket, reads the first bytes of the answer, then resets the connection
 * (RST, not FIN), as an interrupted `docker pull` does. Resolves once the reset is sent.
 */
function getThenReset(url: URL, path: string, authorization: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${authorization}\r\n\r\n`);
    });
    socket.once('data', () => {
      socket.resetAndDestroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('registry: clients that reset blob downloads', () => {
  let server: TestServer;
  let client: RegistryClient;
  let ecr: ECRClient;
  // A failed socket write nobody handles surfaces here; in `berth server` it ends the process.
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown): void => void unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', recordUnhandled);
    server = await startTestServer();
    ({ client, ecr } = await RegistryClient.forServer(server));
    await createRepository(ecr, 'resets');
  });
  after(async () => {
    process.off('unhandledRejection', recordUnhandled);
    ecr.destroy();
    await server.stop();
  });

  it('keeps serving after 100 parallel blob GETs are reset mid-body', async () => {
    const blob = randomBytes(3 * MiB);
    const digest = await client.pushBlob('resets', blob);
    const path = `/v2/resets/blobs/${digest}`;
    const url = new URL(server.url);
    await Promise.all(Array.from({ length: 100 }, () => getThenReset(url, path, client.authorization!)));
    // The server's side of those writes fails (EPIPE, ECONNRESET) while it reads the next chunk
    // from disk: give those failures time to surface before checking it is still there.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(unhandled, []);

    const base = await client.request('GET', '/v2/');
    assert.equal(base.status, 200);
    const full = await client.request('GET', path);
    assert.equal(full.status, 200);
    assert.equal(full.body.length, blob.length);
    assert.equal(sha256(full.body), digest);
  });

  it('keeps serving after manifest and ranged blob GETs are reset', async () => {
    const image = await client.pushImage('resets', 'v1', { layer: randomBytes(2 * MiB) });
    const url = new URL(server.url);
    const paths = [`/v2/resets/manifests/v1`, `/v2/resets/blobs/${image.layerDigest}`];
    await Promise.all(Array.from({ length: 50 }, (_, i) => getThenReset(url, paths[i % 2]!, client.authorization!)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(unhandled, []);
    const ranged = await client.request('GET', `/v2/resets/blobs/${image.layerDigest}`, {
      headers: { range: `bytes=${MiB}-` },
    });
    assert.equal(ranged.status, 206);
    assert.deepEqual(ranged.body, Buffer.from(image.layer.subarray(MiB)));
  });
});
