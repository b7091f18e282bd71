import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkPassword, issuePassword, TOKEN_LIFETIME_MS } from './authorization-tokens.ts';

describe('registry passwords', () => {
  const key = randomBytes(32);
  const issuedAt = new Date('2026-06-01T00:00:00Z');
  const expiresAt = new Date(issuedAt.getTime() + TOKEN_LIFETIME_MS);
  const password = issuePassword(key, { accessKeyId: 'AKIAEXAMPLE000000000', expiresAt });

  it('never contains a colon (docker splits user:password on the first one)', () => {
    assert.doesNotMatch(password, /:/);
  });

  it('checks out until it expires, 12 hours after issue', () => {
    const ok = checkPassword(key, password, new Date(expiresAt.getTime() - 1000));
    assert.deepEqual(ok, { ok: true, claims: { accessKeyId: 'AKIAEXAMPLE000000000', expiresAt } });
    assert.equal(checkPassword(key, password, expiresAt).ok, false);
    assert.deepEqual(checkPassword(key, password, expiresAt), { ok: false, reason: 'expired', expiresAt });
  });

  it('is refused under another key, or with its payload changed', () => {
    assert.deepEqual(checkPassword(randomBytes(32), password, issuedAt), { ok: false, reason: 'forged' });
    const [payload, mac] = password.split('.') as [string, string];
    const tampered = Buffer.from(JSON.stringify({ v: 1, k: 'AKIAOTHER', e: 9999999999 })).toString('base64url');
    assert.equal(checkPassword(key, `${tampered}.${mac}`, issuedAt).ok, false);
    assert.equal(checkPassword(key, payload, issuedAt).ok, false);
  });
});
