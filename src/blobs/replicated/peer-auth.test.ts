import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { signPeerRequest, verifyPeerRequest } from './peer-auth.ts';

describe('peer request signatures', () => {
  const key = createSecretKey(randomBytes(32));
  const now = 1_800_000_000_000;
  const path = '/berth/peer/blobs/sha256:' + 'a'.repeat(64);

  it('verifies a signature under the shared key, naming the calling server', () => {
    const header = signPeerRequest(key, 'server-a', 'GET', path, now);
    assert.equal(verifyPeerRequest(key, header, 'GET', path, now + 1000), 'server-a');
  });

  it('refuses another key, method, path, an expired or tampered signature, and none', () => {
    const header = signPeerRequest(key, 'server-a', 'GET', path, now);
    assert.equal(verifyPeerRequest(createSecretKey(randomBytes(32)), header, 'GET', path, now), undefined);
    assert.equal(verifyPeerRequest(key, header, 'DELETE', path, now), undefined);
    assert.equal(verifyPeerRequest(key, header, 'GET', `${path}x`, now), undefined);
    assert.equal(verifyPeerRequest(key, header, 'GET', path, now + 301_000), undefined);
    assert.equal(verifyPeerRequest(key, header.replace('server-a', 'server-b'), 'GET', path, now), undefined);
    assert.equal(
      verifyPeerRequest(key, header.slice(0, -1) + (header.endsWith('0') ? '1' : '0'), 'GET', path, now),
      undefined,
    );
    assert.equal(verifyPeerRequest(key, undefined, 'GET', path, now), undefined);
  });
});
