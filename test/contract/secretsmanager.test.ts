import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { aws, awsCliSkipReason, type CliResult } from '../../testing/aws-cli.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * Secrets Manager through the AWS CLI v2 and the SDK: a secret with versions and stages, deletion
 * and restore, listing with filters, random passwords, and reading a value under a customer managed
 * key, which needs the caller's kms:Decrypt on the key as on AWS.
 */
describe('Secrets Manager', { skip: awsCliSkipReason(), timeout: 300_000 }, () => {
  let server: TestServer;
  let root: Record<string, string>;
  before(async () => {
    server = await startTestServer({});
    root = env(server.credentials);
  });
  after(() => server?.stop());

  function env(keys: { accessKeyId: string; secretAccessKey: string }): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
  }
  const cli = (environment: Record<string, string>, ...args: string[]): Promise<CliResult> =>
    aws(['--endpoint-url', server.url, '--output', 'json', ...args], environment);
  async function json<T>(environment: Record<string, string>, ...args: string[]): Promise<T> {
    const result = await cli(environment, ...args);
    assert.equal(result.code, 0, result.stderr);
    return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
  }
  const sm = (...args: string[]) => json<Record<string, unknown>>(root, 'secretsmanager', ...args);

  it('keeps versions with AWSCURRENT and AWSPREVIOUS, moves stages, and reads by id or stage', async () => {
    const created = await sm('create-secret', '--name', 'app/db', '--secret-string', '{"password":"one"}');
    assert.match(String(created.ARN), /^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/db-[A-Za-z0-9]{6}$/);
    const first = String(created.VersionId);
    const put = await sm('put-secret-value', '--secret-id', 'app/db', '--secret-string', '{"password":"two"}');
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    assert.equal((await sm('get-secret-value', '--secret-id', 'app/db')).SecretString, '{"password":"two"}');
    const previous = await sm('get-secret-value', '--secret-id', String(created.ARN), '--version-stage', 'AWSPREVIOUS');
    assert.equal(previous.SecretString, '{"password":"one"}');
    assert.equal(previous.VersionId, first);
    await sm(
      'update-secret-version-stage',
      '--secret-id',
      'app/db',
      '--version-stage',
      'AWSCURRENT',
      '--move-to-version-id',
      first,
      '--remove-from-version-id',
      String(put.VersionId),
    );
    assert.equal((await sm('get-secret-value', '--secret-id', 'app/db')).SecretString, '{"password":"one"}');
    const described = await sm('describe-secret', '--secret-id', 'app/db');
    assert.deepEqual(described.VersionIdsToStages, {
      [first]: ['AWSCURRENT'],
      [String(put.VersionId)]: ['AWSPREVIOUS'],
    });
    const versions = await sm('list-secret-version-ids', '--secret-id', 'app/db');
    assert.equal((versions.Versions as unknown[]).length, 2);
    const again = await cli(root, 'secretsmanager', 'create-secret', '--name', 'app/db', '--secret-string', 'x');
    assert.match(again.stderr, /ResourceExistsException/);
  });

  it('deletes with a recovery window, refuses reads in AWS words, restores, and forgets on force', async () => {
    await sm('create-secret', '--name', 'to-delete', '--secret-string', 'v', '--tags', 'Key=team,Value=web');
    const deleted = await sm('delete-secret', '--secret-id', 'to-delete', '--recovery-window-in-days', '7');
    assert.ok(deleted.DeletionDate);
    const read = await cli(root, 'secretsmanager', 'get-secret-value', '--secret-id', 'to-delete');
    assert.match(
      read.stderr,
      /InvalidRequestException.*You can't perform this operation on the secret because it was marked for deletion\./,
    );
    const listed = await sm('list-secrets', '--filters', 'Key=tag-key,Values=team');
    assert.deepEqual(listed.SecretList, []);
    const planned = await sm('list-secrets', '--include-planned-deletion', '--filters', 'Key=tag-key,Values=team');
    assert.equal((planned.SecretList as unknown[]).length, 1);
    await sm('restore-secret', '--secret-id', 'to-delete');
    assert.equal((await sm('get-secret-value', '--secret-id', 'to-delete')).SecretString, 'v');
    await sm('delete-secret', '--secret-id', 'to-delete', '--force-delete-without-recovery');
    const gone = await cli(root, 'secretsmanager', 'describe-secret', '--secret-id', 'to-delete');
    assert.match(gone.stderr, /ResourceNotFoundException/);
    const window = await cli(
      root,
      'secretsmanager',
      'delete-secret',
      '--secret-id',
      'app/db',
      '--recovery-window-in-days',
      '3',
    );
    assert.match(window.stderr, /InvalidParameterException/);
  });

  it('makes random passwords from the types asked', async () => {
    const { RandomPassword } = await sm('get-random-password', '--password-length', '40', '--exclude-punctuation');
    assert.match(String(RandomPassword), /^[A-Za-z0-9]{40}$/);
    assert.match(String(RandomPassword), /[a-z]/);
    assert.match(String(RandomPassword), /[0-9]/);
  });

  it('a user allowed GetSecretValue needs kms:Decrypt on a customer managed key, and not on aws/secretsmanager', async () => {
    const { KeyMetadata } = await json<{ KeyMetadata: { Arn: string } }>(root, 'kms', 'create-key');
    await sm('create-secret', '--name', 'cmk-secret', '--secret-string', 'under cmk', '--kms-key-id', KeyMetadata.Arn);
    await sm('create-secret', '--name', 'default-secret', '--secret-string', 'under aws/secretsmanager');
    const reader = await createUser(server, 'reader', {
      statements: [allowStatement('secretsmanager:GetSecretValue')],
    });
    const decrypter = await createUser(server, 'decrypter', {
      statements: [
        allowStatement('secretsmanager:GetSecretValue'),
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KeyMetadata.Arn,
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        },
      ],
    });
    const denied = await cli(env(reader), 'secretsmanager', 'get-secret-value', '--secret-id', 'cmk-secret');
    assert.match(denied.stderr, /AccessDeniedException.*kms:Decrypt/);
    const plain = await json<{ SecretString: string }>(
      env(reader),
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'default-secret',
    );
    assert.equal(plain.SecretString, 'under aws/secretsmanager');
    const client = new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials: decrypter });
    try {
      const value = await client.send(new GetSecretValueCommand({ SecretId: 'cmk-secret' }));
      assert.equal(value.SecretString, 'under cmk');
    } finally {
      client.destroy();
    }
  });
});
