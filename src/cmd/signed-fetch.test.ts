import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { staticCredentials } from '../agent/index.ts';
import { HttpControlPlane } from './control-planes.ts';
import { httpEnvironmentFiles } from './environment-file-readers.ts';
import { httpLogSink } from './log-sinks.ts';
import { ecrRegistryCredentials } from './registry-credentials.ts';
import { ServerError, signedJsonClient, signedQueryClient } from './signed-fetch.ts';

/** Every signed call of `berth agent` carries a session's token, and its scope names the service. */
describe('the agent signs every call with its session token', () => {
  const seen: IncomingHttpHeaders[] = [];
  let answer: { status: number; body: string } = { status: 200, body: '{}' };
  const server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => response.writeHead(answer.status).end(answer.body));
  });
  let endpoint: URL;
  const credentials = staticCredentials({
    accessKeyId: 'ASIAEXAMPLEEXAMPLE00',
    secretAccessKey: 'secret',
    sessionToken: 'the-session-token',
  });
  const client = (service: string) => signedJsonClient({ endpoint, credentials, region: 'us-east-1', service });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(() => server.close());

  function lastCall(): { token: string | undefined; service: string | undefined } {
    const headers = seen.at(-1)!;
    return {
      token: headers['x-amz-security-token'] as string | undefined,
      service: /Credential=ASIAEXAMPLEEXAMPLE00\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(headers.authorization))?.[1],
    };
  }

  const calls: [string, string, () => Promise<unknown>][] = [
    ['poll', 'ecs', () => new HttpControlPlane(client('ecs'), 'c', 'ci').poll(undefined, 0)],
    ['task report', 'ecs', () => new HttpControlPlane(client('ecs'), 'c', 'ci').report('c', {} as never)],
    [
      'task protection',
      'ecs',
      () => new HttpControlPlane(client('ecs'), 'c', 'ci').taskProtection({ cluster: 'c', taskArn: 't' }),
    ],
    [
      'log shipping',
      'logs',
      () => httpLogSink(client('logs')).append('g', 's', [{ timestamp: 1, message: 'm' }], { createGroup: false }),
    ],
    [
      'environment files',
      's3',
      () => httpEnvironmentFiles({ endpoint, credentials, region: 'us-east-1' })('bucket', 'web.env'),
    ],
    [
      'STS',
      'sts',
      () =>
        signedQueryClient({ endpoint, credentials, region: 'us-east-1', service: 'sts', version: '2011-06-15' })(
          'GetCallerIdentity',
          {},
        ),
    ],
  ];
  for (const [name, service, call] of calls) {
    it(name, async () => {
      answer = { status: 200, body: '{}' };
      await call();
      assert.deepEqual(lastCall(), { token: 'the-session-token', service });
    });
  }

  it('the registry login (GetAuthorizationToken)', async () => {
    const token = Buffer.from('AWS:password').toString('base64');
    const expiresAt = Date.now() / 1000 + 43_200;
    answer = {
      status: 200,
      body: JSON.stringify({
        authorizationData: [{ authorizationToken: token, expiresAt, proxyEndpoint: 'http://localhost:4510' }],
      }),
    };
    const lookup = ecrRegistryCredentials(client('ecr'), credentials);
    assert.deepEqual(await lookup('localhost:4510/app:1'), {
      username: 'AWS',
      password: 'password',
      serveraddress: 'localhost:4510',
    });
    assert.deepEqual(lastCall(), { token: 'the-session-token', service: 'ecr' });
  });

  it('asks for a new registry token once the session is renewed (the old one ends with its session)', async () => {
    const token = Buffer.from('AWS:password').toString('base64');
    answer = {
      status: 200,
      body: JSON.stringify({
        authorizationData: [
          { authorizationToken: token, expiresAt: Date.now() / 1000 + 43_200, proxyEndpoint: 'http://localhost:4510' },
        ],
      }),
    };
    let keyId = 'ASIAEXAMPLEEXAMPLE00';
    const renewing = { current: () => credentials.current().then((keys) => ({ ...keys, accessKeyId: keyId })) };
    const lookup = ecrRegistryCredentials(
      signedJsonClient({ endpoint, credentials: renewing, region: 'us-east-1', service: 'ecr' }),
      renewing,
    );
    const before = seen.length;
    await lookup('localhost:4510/app:1');
    await lookup('localhost:4510/app:1');
    assert.equal(seen.length - before, 1, 'cached while the session lasts');
    keyId = 'ASIAEXAMPLEEXAMPLE01';
    await lookup('localhost:4510/app:1');
    assert.equal(seen.length - before, 2, 'a new session, a new token');
  });

  it("reads a query protocol error's Code and Message", async () => {
    answer = {
      status: 403,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: a &amp; b is not authorized</Message></Error></ErrorResponse>',
    };
    const sts = signedQueryClient({
      endpoint,
      credentials,
      region: 'us-east-1',
      service: 'sts',
      version: '2011-06-15',
    });
    await assert.rejects(
      sts('AssumeRole', { RoleArn: 'arn:aws:iam::000000000000:role/r', RoleSessionName: 'i-1' }),
      (error: unknown) =>
        error instanceof ServerError &&
        error.code === 'AccessDenied' &&
        error.message === 'AccessDenied: User: a & b is not authorized',
    );
  });
});
