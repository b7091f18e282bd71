import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { test } from 'node:test';
import { createAuthority, issueCertificate } from '../../pki/index.ts';
import { ListenerTlsContexts } from './listener-tls.ts';

const HOUR = 3_600_000;

async function listenerWith(protocols: string[]) {
  const now = Date.now();
  const validity = { notBefore: new Date(now - HOUR), notAfter: new Date(now + HOUR) };
  const ca = await createAuthority({ commonName: 'test ca', ...validity });
  const leaf = await issueCertificate(ca, { names: ['lb.test'], keyAlgorithm: 'EC_prime256v1', ...validity });
  const contexts = new ListenerTlsContexts({
    sslPolicy: 'test',
    protocols,
    ciphers: ['TLS_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    certificates: [{ certificateArn: 'arn:test', names: ['lb.test'], ...leaf }],
  });
  const server = createServer((socket) => {
    const secure = contexts.wrap(socket);
    secure.on('error', () => secure.destroy());
    secure.on('secure', () => secure.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, ca: ca.certificatePem };
}

/** The group the handshake settled on, or the error's message. */
async function handshake(
  port: number,
  ca: string,
  ecdhCurve: string,
  maxVersion: 'TLSv1.2' | 'TLSv1.3',
): Promise<{ name?: string; error?: string }> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'lb.test', ca, ecdhCurve, maxVersion });
  try {
    await once(socket, 'secureConnect');
    const info = socket.getEphemeralKeyInfo() as { name?: string };
    return info.name === undefined ? {} : { name: info.name };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    socket.destroy();
  }
}

test('HTTPS listeners negotiate ALB policies key exchange groups, not the post-quantum one OpenSSL prefers', async (t) => {
  const { server, port, ca } = await listenerWith(['TLSv1.2', 'TLSv1.3']);
  t.after(() => server.close());
  // A client preferring X25519MLKEM768 (Node's default) settles on X25519, as with an ALB non-PQ policy.
  assert.equal((await handshake(port, ca, 'X25519MLKEM768:X25519', 'TLSv1.3')).name, 'X25519');
  assert.equal((await handshake(port, ca, 'P-384', 'TLSv1.3')).name, 'secp384r1');
  assert.equal((await handshake(port, ca, 'P-256', 'TLSv1.2')).name, 'prime256v1');
  // Only the post-quantum group offered: no common group, the handshake fails.
  assert.notEqual((await handshake(port, ca, 'X25519MLKEM768', 'TLSv1.3')).error, undefined);
});
