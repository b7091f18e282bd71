import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * A request that is not authenticated may not make the server buffer more than a small bound: the
 * server answers once that bound is read, while the client still claims megabytes more are coming
 * (before, it waited for the whole body, holding it all in memory).
 */
function sendPartly(server: TestServer, head: string, bodyBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while we still write; what it answered first is what counts.
      if (answer.includes('\r\n\r\n')) resolve(answer);
      else if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    socket.write(head);
    // Only part of the declared body is ever sent: an answer can come only from the bound.
    socket.write(Buffer.alloc(bodyBytes, 0x20));
  });
}

const DECLARED = 100 * 1024 * 1024;
/** Within the 10 MiB a known caller may send: only the pre-authentication bound can answer early. */
const DECLARED_API = 5 * 1024 * 1024;

describe('bodies of unauthenticated requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
  });
  after(() => server.stop());

  const api = (authorization: string | undefined) =>
    `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-amz-json-1.1\r\n` +
    `x-amz-target: AmazonEC2ContainerServiceV20141113.ListClusters\r\n` +
    (authorization ? `authorization: ${authorization}\r\n` : '') +
    `content-length: ${DECLARED_API}\r\n\r\n`;

  it('answers a call signed with an unknown key after 64 KiB, not after its body', async () => {
    const answer = await sendPartly(
      server,
      api(
        'AWS4-HMAC-SHA256 Credential=AKIAUNKNOWNKEY000000/20261203/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=00',
      ),
      256 * 1024,
    );
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /connection: close/i);
  });

  it('answers an unsigned call after 64 KiB', async () => {
    const answer = await sendPartly(server, api(undefined), 256 * 1024);
    assert.match(answer, /^HTTP\/1\.1 (400|403) /);
  });

  it("answers Berth's own routes after 256 KiB", async () => {
    const answer = await sendPartly(
      server,
      `POST /berth/registry/garbage-collection HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${DECLARED}\r\n\r\n`,
      1024 * 1024,
    );
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });
});
