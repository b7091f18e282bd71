import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import {
  ResourceInitializationError,
  resolveRepositoryCredentials,
  resolveSecrets,
  staticCredentials,
} from '../agent/index.ts';
import { httpSecretsApi, SecretsApiError } from './secrets-api.ts';
import { signedJsonClient } from './signed-fetch.ts';

/** The agent's secrets through the server's own Secrets Manager and SSM, over signed JSON 1.1. */
describe('httpSecretsApi against the server', () => {
  let server: TestServer;
  let client: (service: 'secretsmanager' | 'ssm') => ReturnType<typeof signedJsonClient>;
  const send = (service: 'secretsmanager' | 'ssm', target: string, body: object) =>
    client(service)<{ ARN?: string }>('/', body, {
      'x-amz-target': target,
      'content-type': 'application/x-amz-json-1.1',
    });
  let dbArn: string;
  let hubArn: string;

  before(async () => {
    server = await startTestServer();
    const credentials = staticCredentials(server.credentials);
    client = (service) =>
      signedJsonClient({ endpoint: new URL(server.url), credentials, region: server.region, service });
    dbArn = (
      await send('secretsmanager', 'secretsmanager.CreateSecret', {
        Name: 'app/db',
        SecretString: '{"user":"app","password":"s3cret","port":5432}',
      })
    ).ARN!;
    hubArn = (
      await send('secretsmanager', 'secretsmanager.CreateSecret', {
        Name: 'hub',
        SecretString: '{"username":"me","password":"pw"}',
      })
    ).ARN!;
    await send('ssm', 'AmazonSSM.PutParameter', { Name: '/app/key', Value: 'k3y', Type: 'SecureString' });
    await send('ssm', 'AmazonSSM.PutParameter', { Name: 'plain', Value: 'one', Type: 'String' });
  });
  after(() => server?.stop());

  it('resolves every valueFrom form, decrypting SecureStrings', async () => {
    const parameterArn = `arn:aws:ssm:${server.region}:000000000000:parameter/app/key`;
    const resolved = await resolveSecrets(
      [
        {
          name: 'web',
          image: 'app:1',
          secrets: [
            { name: 'ALL', valueFrom: dbArn },
            { name: 'PASSWORD', valueFrom: `${dbArn}:password:AWSCURRENT:` },
            { name: 'PORT', valueFrom: `${dbArn}:port::` },
            { name: 'KEY', valueFrom: '/app/key' },
            { name: 'KEY_BY_ARN', valueFrom: parameterArn },
            { name: 'PLAIN', valueFrom: 'plain' },
          ],
        },
      ],
      httpSecretsApi(client),
    );
    assert.deepEqual(resolved.environment, {
      web: {
        ALL: '{"user":"app","password":"s3cret","port":5432}',
        PASSWORD: 's3cret',
        PORT: '5432',
        KEY: 'k3y',
        KEY_BY_ARN: 'k3y',
        PLAIN: 'one',
      },
    });
  });

  it('reads repository credentials by ARN and by name', async () => {
    const api = httpSecretsApi(client);
    const pull = (credentialsParameter: string) =>
      resolveRepositoryCredentials(
        { name: 'c', image: 'private/app', repositoryCredentials: { credentialsParameter } },
        api,
      );
    assert.deepEqual(await pull(hubArn), { username: 'me', password: 'pw' });
    assert.deepEqual(await pull('hub'), { username: 'me', password: 'pw' });
  });

  it("maps the service's refusal to its code and bare message", async () => {
    await assert.rejects(
      httpSecretsApi(client).getSecretValue({ SecretId: 'nope' }),
      (error: unknown) =>
        error instanceof SecretsApiError &&
        error.code === 'ResourceNotFoundException' &&
        !error.message.startsWith('ResourceNotFoundException'),
    );
  });

  it('stops the task with the reasons ECS gives', async () => {
    const reason = async (valueFrom: string) => {
      try {
        await resolveSecrets([{ name: 'c', image: 'i', secrets: [{ name: 'X', valueFrom }] }], httpSecretsApi(client));
      } catch (error) {
        assert.ok(error instanceof ResourceInitializationError);
        return error.message;
      }
      assert.fail('expected a failure');
    };
    const missing = `arn:aws:secretsmanager:${server.region}:000000000000:secret:gone-AbCdEf`;
    assert.match(
      await reason(missing),
      /^unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time\(s\): ResourceNotFoundException: [^:]/,
    );
    assert.equal(
      await reason('/app/missing'),
      'unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /app/missing',
    );
  });
});
