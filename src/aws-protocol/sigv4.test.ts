import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { FakeClock } from '../shared/clock.ts';
import { verifySignature, type SignedRequest } from './sigv4.ts';

const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const secrets = {
  secretFor: (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined),
  principalOf: () => undefined,
};
const signedAt = new Date('2026-03-01T12:00:00Z');

function signer(secretAccessKey = KEY.secretAccessKey, region = 'us-east-1', service = 'ecs'): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
  });
}

const baseRequest = {
  method: 'POST',
  protocol: 'http:',
  hostname: '127.0.0.1:4510',
  path: '/',
  query: {},
  headers: {
    host: '127.0.0.1:4510',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
  },
  body: '{}',
};

async function signed(options: { secret?: string; region?: string; service?: string } = {}): Promise<SignedRequest> {
  const out = await signer(options.secret, options.region, options.service).sign(baseRequest, {
    signingDate: signedAt,
  });
  const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', path: '/', query: {}, headers, body: Buffer.from('{}') };
}

function verify(request: SignedRequest, now = signedAt) {
  return verifySignature(request, { secrets, clock: new FakeClock(now), region: 'us-east-1', service: 'ecs' });
}

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message: string }) => {
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('verifySignature (header form)', () => {
  it('accepts a request signed by the AWS SDK signer', async () => {
    const caller = await verify(await signed());
    assert.deepEqual(caller, { accessKeyId: KEY.accessKeyId, service: 'ecs' });
  });

  it('accepts a request signed up to 15 minutes ago or ahead', async () => {
    const request = await signed();
    await verify(request, new Date(signedAt.getTime() + 14 * 60_000));
    await verify(request, new Date(signedAt.getTime() - 14 * 60_000));
  });

  it('refuses a request signed more than 15 minutes ago', async () => {
    await rejects(
      verify(await signed(), new Date(signedAt.getTime() + 16 * 60_000)),
      'InvalidSignatureException',
      /Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z/,
    );
  });

  it('refuses a request signed more than 15 minutes in the future', async () => {
    await rejects(
      verify(await signed(), new Date(signedAt.getTime() - 16 * 60_000)),
      'InvalidSignatureException',
      /Signature not yet current/,
    );
  });

  it('refuses a wrong secret', async () => {
    await rejects(
      verify(await signed({ secret: 'not-the-secret' })),
      'InvalidSignatureException',
      /does not match the signature you provided/,
    );
  });

  it('refuses a body changed after signing', async () => {
    const request = await signed();
    await rejects(verify({ ...request, body: Buffer.from('{"maxResults":1}') }), 'InvalidSignatureException');
  });

  it('refuses a signed header changed after signing', async () => {
    const request = await signed();
    const headers = { ...request.headers, 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DeleteCluster' };
    await rejects(verify({ ...request, headers }), 'InvalidSignatureException');
  });

  it('refuses an unknown access key', async () => {
    const request = await signed();
    const authorization = request.headers.authorization!.replace(KEY.accessKeyId, 'AKIAUNKNOWNUNKNOWN00');
    await rejects(
      verify({ ...request, headers: { ...request.headers, authorization } }),
      'UnrecognizedClientException',
    );
  });

  it('refuses a session token Berth never issued', async () => {
    const request = await signed();
    await rejects(
      verify({ ...request, headers: { ...request.headers, 'x-amz-security-token': 'x' } }),
      'UnrecognizedClientException',
    );
  });

  it('refuses a scope for another service or region', async () => {
    await rejects(
      verify(await signed({ service: 'ecr' })),
      'InvalidSignatureException',
      /scoped to correct service: 'ecs'/,
    );
    await rejects(verify(await signed({ region: 'eu-west-1' })), 'InvalidSignatureException', /valid region/);
  });

  it('asks for authentication when there is none', async () => {
    const request = await signed();
    const headers = { ...request.headers };
    delete headers.authorization;
    await rejects(
      verify({ ...request, headers }),
      'MissingAuthenticationTokenException',
      /missing Authentication Token/,
    );
  });

  const malformed: [string, string][] = [
    ['another algorithm', 'AWS4-HMAC-SHA512 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00'],
    [
      'no Signature',
      `AWS4-HMAC-SHA256 Credential=${KEY.accessKeyId}/20260301/us-east-1/ecs/aws4_request, SignedHeaders=host`,
    ],
    ['a short Credential', 'AWS4-HMAC-SHA256 Credential=AKIA/20260301/ecs, SignedHeaders=host, Signature=00'],
  ];
  for (const [what, authorization] of malformed) {
    it(`calls an Authorization header with ${what} incomplete`, async () => {
      const request = await signed();
      await rejects(
        verify({ ...request, headers: { ...request.headers, authorization } }),
        'IncompleteSignatureException',
      );
    });
  }
});

describe('verifySignature (query form, presigned)', () => {
  async function presigned(expiresIn: number): Promise<SignedRequest> {
    const out = await signer().presign(
      { ...baseRequest, method: 'GET', body: undefined, headers: { host: '127.0.0.1:4510' } },
      { signingDate: signedAt, expiresIn },
    );
    return {
      method: 'GET',
      path: '/',
      query: out.query as Record<string, string>,
      headers: { host: '127.0.0.1:4510' },
      body: undefined,
    };
  }

  it('accepts a URL presigned by the AWS SDK signer within its lifetime', async () => {
    await verify(await presigned(600), new Date(signedAt.getTime() + 599_000));
  });

  it('refuses it once expired', async () => {
    await rejects(
      verify(await presigned(600), new Date(signedAt.getTime() + 601_000)),
      'InvalidSignatureException',
      /expired/,
    );
  });

  it('refuses a tampered query', async () => {
    const request = await presigned(600);
    await rejects(verify({ ...request, query: { ...request.query, extra: '1' } }), 'InvalidSignatureException');
  });
});

describe('verifySignature with temporary credentials (X-Amz-Security-Token)', () => {
  const SESSION = {
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
    sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN',
  };
  // Within the 15 minutes of clock skew a signature is good for, and the presigned URLs' 600 s.
  const expiresAt = new Date(signedAt.getTime() + 300_000);
  const sessions = {
    secretFor: (id: string) => (id === SESSION.accessKeyId ? SESSION.secretAccessKey : secrets.secretFor(id)),
    principalOf: () => undefined,
    sessionOf: (id: string) =>
      id === SESSION.accessKeyId
        ? { expiresAt, hasToken: (token: string) => token === SESSION.sessionToken, refusedServices: ['iam'] }
        : undefined,
  };
  const verifyAt = (request: SignedRequest, now = signedAt, service = 'ecs') =>
    verifySignature(request, { secrets: sessions, clock: new FakeClock(now), region: 'us-east-1', service });

  function sessionSigner(sessionToken: string | undefined, service = 'ecs'): SignatureV4 {
    const { accessKeyId, secretAccessKey } = SESSION;
    return new SignatureV4({
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) },
      region: 'us-east-1',
      service,
      sha256: Hash.bind(null, 'sha256'),
    });
  }

  async function signedWith(sessionToken: string | undefined, service = 'ecs'): Promise<SignedRequest> {
    const out = await sessionSigner(sessionToken, service).sign(baseRequest, { signingDate: signedAt });
    const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: 'POST', path: '/', query: {}, headers, body: Buffer.from('{}') };
  }

  async function presignedWith(sessionToken: string | undefined): Promise<SignedRequest> {
    const out = await sessionSigner(sessionToken).presign(
      { ...baseRequest, method: 'GET', body: undefined, headers: { host: '127.0.0.1:4510' } },
      { signingDate: signedAt, expiresIn: 600 },
    );
    const query = out.query as Record<string, string>;
    return { method: 'GET', path: '/', query, headers: { host: '127.0.0.1:4510' }, body: undefined };
  }

  it("accepts the session's key with its token in the header, until the session expires", async () => {
    const request = await signedWith(SESSION.sessionToken);
    assert.equal(request.headers['x-amz-security-token'], SESSION.sessionToken);
    const caller = await verifyAt(request, new Date(expiresAt.getTime() - 1000));
    assert.deepEqual(caller, { accessKeyId: SESSION.accessKeyId, service: 'ecs' });
  });

  it('answers ExpiredTokenException from the expiry on', async () => {
    await rejects(
      verifyAt(await signedWith(SESSION.sessionToken), expiresAt),
      'ExpiredTokenException',
      /^The security token included in the request is expired$/,
    );
  });

  it('refuses the key without its token, or with another', async () => {
    for (const token of [undefined, 'IQoJb3JpZ2luX2VjOTHERTOKEN']) {
      await rejects(
        verifyAt(await signedWith(token)),
        'UnrecognizedClientException',
        /^The security token included in the request is invalid\.$/,
      );
    }
  });

  it('checks the token before the expiry: a wrong token never learns that the session expired', async () => {
    await rejects(verifyAt(await signedWith('wrong'), expiresAt), 'UnrecognizedClientException');
  });

  it('refuses a long-term key sent with a session token, as AWS does', async () => {
    const request = await signed();
    const headers = { ...request.headers, 'x-amz-security-token': SESSION.sessionToken };
    await rejects(verifyAt({ ...request, headers }), 'UnrecognizedClientException');
  });

  it('accepts the token as X-Amz-Security-Token of a presigned URL, and refuses it wrong or missing', async () => {
    const request = await presignedWith(SESSION.sessionToken);
    assert.equal(request.query['X-Amz-Security-Token'], SESSION.sessionToken);
    await verifyAt(request, new Date(signedAt.getTime() + 1000));
    await rejects(verifyAt(await presignedWith('wrong')), 'UnrecognizedClientException');
    await rejects(verifyAt(await presignedWith(undefined)), 'UnrecognizedClientException');
    await rejects(verifyAt(request, expiresAt), 'ExpiredTokenException');
  });

  it('refuses the services the session may not call', async () => {
    await rejects(
      verifyAt(await signedWith(SESSION.sessionToken, 'iam'), signedAt, 'iam'),
      'UnrecognizedClientException',
    );
  });
});
