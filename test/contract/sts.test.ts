import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { aws, awsCliSkipReason, type CliResult } from '../../testing/aws-cli.ts';
import { DockerSession, dockerSkipReason } from '../../testing/docker.ts';
import { createUser } from '../../testing/iam-users.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import type { Clock } from '../../src/shared/clock.ts';

/**
 * STS through the AWS CLI v2 and the SDK: who a caller is (what Terraform asks first), session
 * credentials used against ECS, ECR and the registry, and what their holders hear once the session
 * expires. The server's clock runs ahead on demand (the CLI signs with the real one): a session of
 * 900 s expires when the clock is 901 s ahead, without waiting.
 */

class AheadClock implements Clock {
  aheadMs = 0;
  now(): Date {
    return new Date(Date.now() + this.aheadMs);
  }
}

interface SessionKeys {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

describe('STS', { skip: awsCliSkipReason(), timeout: 300_000 }, () => {
  let server: TestServer;
  const clock = new AheadClock();
  let root: Record<string, string>;

  before(async () => {
    server = await startTestServer({}, { clock });
    root = env(server.credentials);
  });
  after(() => server?.stop());

  function env(keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      ...(keys.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: keys.sessionToken }),
      AWS_DEFAULT_REGION: 'us-east-1',
    };
  }
  const cli = (environment: Record<string, string>, ...args: string[]): Promise<CliResult> =>
    aws(['--endpoint-url', server.url, '--output', 'json', ...args], environment);
  async function json<T>(environment: Record<string, string>, ...args: string[]): Promise<T> {
    const result = await cli(environment, ...args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as T;
  }
  async function sessionOf(environment: Record<string, string>, ...args: string[]): Promise<Record<string, string>> {
    const { Credentials } = await json<{ Credentials: SessionKeys }>(environment, 'sts', 'get-session-token', ...args);
    assert.match(Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    return env({
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
    });
  }

  it('get-caller-identity answers for the root and for a user, as AWS does', async () => {
    const account = '000000000000';
    assert.deepEqual(await json(root, 'sts', 'get-caller-identity'), {
      UserId: account,
      Account: account,
      Arn: `arn:aws:iam::${account}:root`,
    });
    const user = await createUser(server, 'terraform');
    const identity = await json<{ UserId: string; Arn: string; Account: string }>(
      env(user),
      'sts',
      'get-caller-identity',
    );
    assert.equal(identity.Arn, `arn:aws:iam::${account}:user/terraform`);
    assert.equal(identity.Account, account);
    assert.match(identity.UserId, /^AIDA/);
    const sdk = new STSClient({ endpoint: server.url, region: 'us-east-1', credentials: user });
    assert.equal((await sdk.send(new GetCallerIdentityCommand({}))).Arn, identity.Arn);
    sdk.destroy();
  });

  it('session credentials (AWS_SESSION_TOKEN) act as their owner on ECS and ECR, and only with their token', async () => {
    const session = await sessionOf(root, '--duration-seconds', '900');
    assert.equal(
      (await json<{ Arn: string }>(session, 'sts', 'get-caller-identity')).Arn,
      'arn:aws:iam::000000000000:root',
    );
    await json(session, 'ecs', 'create-cluster', '--cluster-name', 'by-session');
    const clusters = await json<{ clusterArns: string[] }>(session, 'ecs', 'list-clusters');
    assert.ok(clusters.clusterArns.some((arn) => arn.endsWith(':cluster/by-session')));
    await json(session, 'ecr', 'create-repository', '--repository-name', 'by-session');

    const wrong = await cli({ ...session, AWS_SESSION_TOKEN: 'not-the-token' }, 'ecs', 'list-clusters');
    assert.match(
      wrong.stderr,
      /\(UnrecognizedClientException\).*The security token included in the request is invalid\./,
    );
    const missing = await cli({ ...session, AWS_SESSION_TOKEN: '' }, 'sts', 'get-caller-identity');
    assert.match(missing.stderr, /\(InvalidClientTokenId\).*The security token included in the request is invalid\./);
    // A long-term key with a stale session token beside it is refused, as AWS refuses it.
    const stale = await cli({ ...root, AWS_SESSION_TOKEN: session.AWS_SESSION_TOKEN! }, 'ecs', 'list-clusters');
    assert.match(stale.stderr, /UnrecognizedClientException/);
  });

  it('GetSessionToken credentials may not get another session, nor call IAM (no MFA)', async () => {
    const session = await sessionOf(root);
    const again = await cli(session, 'sts', 'get-session-token');
    assert.match(again.stderr, /\(AccessDenied\).*Cannot call GetSessionToken with session credentials/);
    const iam = await cli(session, 'iam', 'list-users');
    assert.match(iam.stderr, /\(InvalidClientTokenId\).*The security token included in the request is invalid/);
  });

  it('AssumeRole: the root may not, and a user without permission is denied', async () => {
    const args = [
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::000000000000:role/deploy',
      '--role-session-name',
      'ci',
    ];
    const byRoot = await cli(root, ...args);
    assert.match(byRoot.stderr, /\(AccessDenied\).*Roles may not be assumed by root accounts\./);
    const user = await createUser(server, 'no-roles');
    const byUser = await cli(env(user), ...args);
    assert.match(byUser.stderr, /\(AccessDenied\).*user\/no-roles is not authorized to perform: sts:AssumeRole/);
    // Authorized first: the root reaches the member check, which names what Berth does not do.
    const transitive = await cli(root, ...args, '--tags', 'Key=team,Value=web', '--transitive-tag-keys', 'team');
    assert.match(transitive.stderr, /TransitiveTagKeys/);
  });

  it(
    'docker logs in with the registry password of a session, which ends with the session',
    { skip: dockerSkipReason() },
    async () => {
      const session = await sessionOf(root, '--duration-seconds', '900');
      const password = (await cli(session, 'ecr', 'get-login-password')).stdout.trim();
      assert.ok(password.length > 0);
      const docker = new DockerSession();
      try {
        const registry = `localhost:${server.port}`;
        const login = await docker.docker(['login', '--username', 'AWS', '--password-stdin', registry], {
          input: password,
        });
        assert.equal(login.code, 0, login.stderr);
        const auth = { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` };
        assert.equal((await fetch(`${server.url}/v2/by-session/tags/list`, { headers: auth })).status, 200);

        clock.aheadMs = 901_000; // the session's 900 s are over
        const expired = await fetch(`${server.url}/v2/`, { headers: auth });
        assert.equal(expired.status, 403);
        assert.match(await expired.text(), /Your authorization token has expired/);
        const ecs = await cli(session, 'ecs', 'list-clusters');
        assert.match(ecs.stderr, /\(ExpiredTokenException\).*The security token included in the request is expired/);
        const sts = await cli(session, 'sts', 'get-caller-identity');
        assert.match(sts.stderr, /\(ExpiredToken\).*The security token included in the request is expired/);
        const sdk = new ECSClient({
          endpoint: server.url,
          region: 'us-east-1',
          maxAttempts: 1,
          credentials: {
            accessKeyId: session.AWS_ACCESS_KEY_ID!,
            secretAccessKey: session.AWS_SECRET_ACCESS_KEY!,
            sessionToken: session.AWS_SESSION_TOKEN!,
          },
        });
        await assert.rejects(sdk.send(new ListClustersCommand({})), { name: 'ExpiredTokenException' });
        sdk.destroy();
      } finally {
        clock.aheadMs = 0;
        await docker.cleanup();
      }
    },
  );

  it('the SDK gets a session token, and the root gets at most an hour', async () => {
    const sdk = new STSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
    const out = await sdk.send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    const lasts = out.Credentials!.Expiration!.getTime() - Date.now();
    assert.ok(lasts > 3500_000 && lasts <= 3601_000, `${lasts} ms`);
    sdk.destroy();
  });
});
