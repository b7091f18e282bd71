import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { aws, awsCliSkipReason, type CliResult } from '../../testing/aws-cli.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * KMS through the AWS CLI v2 and the SDK: keys, aliases, encryption with a context, data keys,
 * states, deletion windows, key policies (a key policy that does not name the account disables IAM
 * policies for the key), tags, and the AWS managed keys' aliases.
 */
describe('KMS', { skip: awsCliSkipReason(), timeout: 300_000 }, () => {
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
    aws(['--endpoint-url', server.url, '--output', 'json', 'kms', ...args], environment);
  async function json<T>(environment: Record<string, string>, ...args: string[]): Promise<T> {
    const result = await cli(environment, ...args);
    assert.equal(result.code, 0, result.stderr);
    return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
  }
  interface Metadata {
    KeyId: string;
    Arn: string;
    KeyState: string;
    Enabled: boolean;
    KeyManager: string;
    KeySpec: string;
  }

  it('creates a key, encrypts and decrypts through an alias with a context, and refuses the wrong context', async () => {
    const { KeyMetadata: key } = await json<{ KeyMetadata: Metadata }>(root, 'create-key', '--description', 'app');
    assert.equal(key.KeyState, 'Enabled');
    assert.equal(key.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(key.KeyManager, 'CUSTOMER');
    await json(root, 'create-alias', '--alias-name', 'alias/app', '--target-key-id', key.KeyId);
    const again = await cli(root, 'create-alias', '--alias-name', 'alias/app', '--target-key-id', key.KeyId);
    assert.match(again.stderr, /AlreadyExistsException/);
    const plaintext = Buffer.from('hello kms').toString('base64');
    const { CiphertextBlob, KeyId } = await json<{ CiphertextBlob: string; KeyId: string }>(
      root,
      'encrypt',
      '--key-id',
      'alias/app',
      '--plaintext',
      plaintext,
      '--encryption-context',
      'app=web',
    );
    assert.equal(KeyId, key.Arn);
    const opened = await json<{ Plaintext: string; KeyId: string }>(
      root,
      'decrypt',
      '--ciphertext-blob',
      CiphertextBlob,
      '--encryption-context',
      'app=web',
    );
    assert.equal(Buffer.from(opened.Plaintext, 'base64').toString(), 'hello kms');
    const wrong = await cli(root, 'decrypt', '--ciphertext-blob', CiphertextBlob, '--encryption-context', 'app=db');
    assert.match(wrong.stderr, /InvalidCiphertextException/);
    const { Aliases } = await json<{ Aliases: { AliasName: string; TargetKeyId?: string }[] }>(root, 'list-aliases');
    assert.deepEqual(
      Aliases.map((a) => [a.AliasName, a.TargetKeyId]),
      [
        ['alias/app', key.KeyId],
        ['alias/aws/secretsmanager', undefined],
        ['alias/aws/ssm', undefined],
      ],
    );
  });

  it('generates data keys, disables, schedules deletion (7 to 30 days) and cancels it', async () => {
    const { KeyMetadata: key } = await json<{ KeyMetadata: Metadata }>(root, 'create-key');
    const dataKey = await json<{ Plaintext: string; CiphertextBlob: string }>(
      root,
      'generate-data-key',
      '--key-id',
      key.KeyId,
      '--key-spec',
      'AES_256',
    );
    assert.equal(Buffer.from(dataKey.Plaintext, 'base64').length, 32);
    const opened = await json<{ Plaintext: string }>(root, 'decrypt', '--ciphertext-blob', dataKey.CiphertextBlob);
    assert.equal(opened.Plaintext, dataKey.Plaintext);
    await json(root, 'disable-key', '--key-id', key.KeyId);
    const disabled = await cli(root, 'encrypt', '--key-id', key.KeyId, '--plaintext', 'eA==');
    assert.match(disabled.stderr, new RegExp(`DisabledException.*${key.Arn} is disabled\\.`));
    assert.match(
      (await cli(root, 'schedule-key-deletion', '--key-id', key.KeyId, '--pending-window-in-days', '6')).stderr,
      /ValidationException/,
    );
    const scheduled = await json<{ KeyState: string; PendingWindowInDays: number }>(
      root,
      'schedule-key-deletion',
      '--key-id',
      key.KeyId,
      '--pending-window-in-days',
      '7',
    );
    assert.equal(scheduled.KeyState, 'PendingDeletion');
    assert.equal(scheduled.PendingWindowInDays, 7);
    const pending = await cli(root, 'decrypt', '--ciphertext-blob', dataKey.CiphertextBlob);
    assert.match(pending.stderr, new RegExp(`KMSInvalidStateException.*${key.Arn} is pending deletion\\.`));
    await json(root, 'cancel-key-deletion', '--key-id', key.KeyId);
    const described = await json<{ KeyMetadata: Metadata }>(root, 'describe-key', '--key-id', key.KeyId);
    assert.equal(described.KeyMetadata.KeyState, 'Disabled');
    await json(root, 'tag-resource', '--key-id', key.KeyId, '--tags', 'TagKey=team,TagValue=web');
    assert.deepEqual((await json<{ Tags: unknown[] }>(root, 'list-resource-tags', '--key-id', key.KeyId)).Tags, [
      { TagKey: 'team', TagValue: 'web' },
    ]);
    const refused = await cli(root, 'create-key', '--key-spec', 'RSA_2048', '--key-usage', 'SIGN_VERIFY');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /KeySpec|KeyUsage/);
  });

  it('DescribeKey of alias/aws/secretsmanager makes the AWS managed key', async () => {
    const { KeyMetadata } = await json<{ KeyMetadata: Metadata }>(
      root,
      'describe-key',
      '--key-id',
      'alias/aws/secretsmanager',
    );
    assert.equal(KeyMetadata.KeyManager, 'AWS');
    const { KeyMetadata: same } = await json<{ KeyMetadata: Metadata }>(
      root,
      'describe-key',
      '--key-id',
      'alias/aws/secretsmanager',
    );
    assert.equal(same.KeyId, KeyMetadata.KeyId);
  });

  it('a user needs kms:Encrypt from IAM while the key policy names the account, and a grant in the key policy once it does not', async () => {
    const user = await createUser(server, 'kms-user', { statements: [allowStatement('kms:Encrypt', 'kms:Decrypt')] });
    const kms = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials: user });
    try {
      const { KeyMetadata: key } = await json<{ KeyMetadata: Metadata }>(root, 'create-key');
      const encrypted = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
      await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
      // A key policy for the root alone: IAM policies no longer count for this key.
      const onlyRoot = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::000000000000:user/someone-else' },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      });
      await createUser(server, 'someone-else');
      await json(root, 'put-key-policy', '--key-id', key.KeyId, '--policy-name', 'default', '--policy', onlyRoot);
      await assert.rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), {
        name: 'AccessDeniedException',
        message: `User: arn:aws:iam::000000000000:user/kms-user is not authorized to perform: kms:Encrypt on resource: ${key.Arn} because no resource-based policy allows the kms:Encrypt action`,
      });
      const grant = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::000000000000:user/kms-user' },
            Action: 'kms:Encrypt',
            Resource: '*',
          },
        ],
      });
      await json(root, 'put-key-policy', '--key-id', key.KeyId, '--policy-name', 'default', '--policy', grant);
      await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    } finally {
      kms.destroy();
    }
  });
});
