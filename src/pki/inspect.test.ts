import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certificateFacts, checkImport } from './inspect.ts';
import { createAuthority, issueCertificate, type KeyedCertificate } from './issue.ts';

const DAY = 86_400_000;
const now = new Date('2026-06-01T00:00:00Z');
const problem = (message: string) => new Error(message);

async function fixtures() {
  const root = await createAuthority({
    commonName: 'Root',
    notBefore: new Date(+now - DAY),
    notAfter: new Date(+now + 365 * DAY),
  });
  const other = await createAuthority({
    commonName: 'Other',
    notBefore: new Date(+now - DAY),
    notAfter: new Date(+now + 365 * DAY),
  });
  const leaf = (names: string[], from = +now - DAY, to = +now + 30 * DAY): Promise<KeyedCertificate> =>
    issueCertificate(root, { names, notBefore: new Date(from), notAfter: new Date(to), keyAlgorithm: 'RSA_2048' });
  return { root, other, leaf };
}

describe('checkImport', async () => {
  const { root, other, leaf } = await fixtures();
  const good = await leaf(['www.example.com', 'example.com']);
  const expired = await leaf(['old.example.com'], +now - 60 * DAY, +now - DAY);
  const early = await leaf(['soon.example.com'], +now + DAY, +now + 60 * DAY);

  it('takes a certificate, its key and the chain that signed it, and describes it as ACM does', () => {
    const imported = checkImport(
      { certificate: good.certificatePem, privateKey: good.privateKeyPem, chain: root.certificatePem },
      now,
      problem,
    );
    assert.equal(imported.facts.domainName, 'www.example.com');
    assert.deepEqual(imported.facts.subjectAlternativeNames, ['www.example.com', 'example.com']);
    assert.equal(imported.facts.keyAlgorithm, 'RSA_2048');
    assert.equal(imported.facts.signatureAlgorithm, 'SHA256WITHECDSA'); // the CA's key is P-256
    assert.deepEqual(imported.facts.keyUsages, ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT']);
    assert.deepEqual(
      imported.facts.extendedKeyUsages.map((usage) => usage.name),
      ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION'],
    );
    assert.match(imported.facts.serial, /^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
    assert.equal(imported.chainPem, root.certificatePem);
  });

  it('takes a self-signed certificate without a chain', () => {
    const facts = checkImport(
      { certificate: root.certificatePem, privateKey: root.privateKeyPem, chain: undefined },
      now,
      problem,
    ).facts;
    assert.equal(facts.keyAlgorithm, 'EC_prime256v1');
    assert.deepEqual(facts.keyUsages, ['CERTIFICATE_SIGNING', 'CRL_SIGNING']);
  });

  const refusals: [string, () => Parameters<typeof checkImport>[0], RegExp][] = [
    [
      'not PEM',
      () => ({ certificate: 'hello', privateKey: good.privateKeyPem, chain: undefined }),
      /Unable to parse certificate/,
    ],
    [
      'two certificates',
      () => ({
        certificate: good.certificatePem + root.certificatePem,
        privateKey: good.privateKeyPem,
        chain: undefined,
      }),
      /more than one certificate/,
    ],
    [
      'another key',
      () => ({ certificate: good.certificatePem, privateKey: other.privateKeyPem, chain: root.certificatePem }),
      /does not match/,
    ],
    [
      'a key that is not one',
      () => ({ certificate: good.certificatePem, privateKey: 'junk', chain: undefined }),
      /Unable to parse key/,
    ],
    [
      'an expired certificate',
      () => ({ certificate: expired.certificatePem, privateKey: expired.privateKeyPem, chain: root.certificatePem }),
      /expired/,
    ],
    [
      'a certificate not valid yet',
      () => ({ certificate: early.certificatePem, privateKey: early.privateKeyPem, chain: root.certificatePem }),
      /not yet valid/,
    ],
    [
      'no chain for a CA-signed certificate',
      () => ({ certificate: good.certificatePem, privateKey: good.privateKeyPem, chain: undefined }),
      /not a valid self signed/,
    ],
    [
      'a chain that did not sign it',
      () => ({ certificate: good.certificatePem, privateKey: good.privateKeyPem, chain: other.certificatePem }),
      /Could not validate the certificate with the certificate chain/,
    ],
  ];
  for (const [what, input, message] of refusals) {
    it(`refuses ${what}`, () => assert.throws(() => checkImport(input(), now, problem), message));
  }

  it('reads an IP address SAN as such', async () => {
    const issued = await leaf(['berth.local', '10.0.0.5']);
    assert.deepEqual(certificateFacts(issued.certificatePem).subjectAlternativeNames, ['berth.local', '10.0.0.5']);
  });
});
