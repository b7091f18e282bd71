import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/* Parameter Store with the AWS CLI v2 (/usr/bin/aws), as the root and as users. */

describe('Parameter Store with the AWS CLI v2', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  const as = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const run = (...args: string[]) => aws(['--endpoint-url', server.url, '--output', 'json', ...args], env);
    const json = async (...args: string[]) => {
      const result = await run(...args);
      assert.equal(result.code, 0, `aws ${args.join(' ')}: ${result.stderr}`);
      return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    return { run, json };
  };
  let root: ReturnType<typeof as>;

  before(async () => {
    server = await startTestServer();
    root = as(server.credentials);
  });
  after(() => server.stop());

  it('puts String, StringList and SecureString parameters and reads them back', async () => {
    assert.deepEqual(
      await root.json('ssm', 'put-parameter', '--name', '/app/url', '--value', 'http://a', '--type', 'String'),
      {
        Version: 1,
        Tier: 'Standard',
      },
    );
    await root.json('ssm', 'put-parameter', '--name', '/app/hosts', '--value', 'a,b,c', '--type', 'StringList');
    await root.json(
      'ssm',
      'put-parameter',
      '--name',
      '/app/db/password',
      '--value',
      'hunter2',
      '--type',
      'SecureString',
    );
    const plain = await root.json('ssm', 'get-parameter', '--name', '/app/db/password');
    assert.equal(plain.Parameter.Type, 'SecureString');
    assert.notEqual(plain.Parameter.Value, 'hunter2'); // the ciphertext
    const clear = await root.json('ssm', 'get-parameter', '--name', '/app/db/password', '--with-decryption');
    assert.equal(clear.Parameter.Value, 'hunter2');
    assert.equal(clear.Parameter.ARN, 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db/password');
    const many = await root.json('ssm', 'get-parameters', '--names', '/app/url', '/app/hosts', '/nope');
    assert.deepEqual(
      many.Parameters.map((p: { Value: string }) => p.Value),
      ['http://a', 'a,b,c'],
    );
    assert.deepEqual(many.InvalidParameters, ['/nope']);
    const described = await root.json(
      'ssm',
      'describe-parameters',
      '--parameter-filters',
      'Key=Name,Values=/app/db/password',
    );
    assert.equal(described.Parameters[0].KeyId, 'alias/aws/ssm');
  });

  it('refuses a second create in AWS words, overwrites into history, labels and selects versions', async () => {
    const again = await root.run('ssm', 'put-parameter', '--name', '/app/url', '--value', 'x', '--type', 'String');
    assert.notEqual(again.code, 0);
    assert.match(
      again.stderr,
      /ParameterAlreadyExists.*The parameter already exists\. To overwrite this value, set the overwrite option in the request to true\./,
    );
    await root.json('ssm', 'put-parameter', '--name', '/app/url', '--value', 'http://b', '--overwrite');
    const history = await root.json('ssm', 'get-parameter-history', '--name', '/app/url');
    assert.deepEqual(
      history.Parameters.map((p: { Version: number; Value: string }) => [p.Version, p.Value]),
      [
        [1, 'http://a'],
        [2, 'http://b'],
      ],
    );
    const labelled = await root.json(
      'ssm',
      'label-parameter-version',
      '--name',
      '/app/url',
      '--parameter-version',
      '1',
      '--labels',
      'stable',
      '1bad',
    );
    assert.deepEqual(labelled, { InvalidLabels: ['1bad'], ParameterVersion: 1 });
    assert.equal((await root.json('ssm', 'get-parameter', '--name', '/app/url:stable')).Parameter.Value, 'http://a');
    assert.equal((await root.json('ssm', 'get-parameter', '--name', '/app/url:2')).Parameter.Value, 'http://b');
    const missing = await root.run('ssm', 'get-parameter', '--name', '/app/url:7');
    assert.match(missing.stderr, /ParameterVersionNotFound/);
    // The label moves to version 2.
    await root.json('ssm', 'label-parameter-version', '--name', '/app/url', '--labels', 'stable');
    assert.equal((await root.json('ssm', 'get-parameter', '--name', '/app/url:stable')).Parameter.Version, 2);
    const removed = await root.json(
      'ssm',
      'unlabel-parameter-version',
      '--name',
      '/app/url',
      '--parameter-version',
      '2',
      '--labels',
      'stable',
      'other',
    );
    assert.deepEqual(removed, { RemovedLabels: ['stable'], InvalidLabels: ['other'] });
  });

  it('reads by path recursively with filters, describes with filters, and deletes', async () => {
    const oneLevel = await root.json('ssm', 'get-parameters-by-path', '--path', '/app');
    assert.deepEqual(
      oneLevel.Parameters.map((p: { Name: string }) => p.Name),
      ['/app/hosts', '/app/url'],
    );
    // The CLI pages through with NextToken (at most 10 per call).
    const all = await root.json('ssm', 'get-parameters-by-path', '--path', '/app', '--recursive', '--with-decryption');
    assert.deepEqual(
      all.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value]),
      [
        ['/app/db/password', 'hunter2'],
        ['/app/hosts', 'a,b,c'],
        ['/app/url', 'http://b'],
      ],
    );
    const typed = await root.json(
      'ssm',
      'get-parameters-by-path',
      '--path',
      '/app',
      '--recursive',
      '--parameter-filters',
      'Key=Type,Values=StringList',
    );
    assert.deepEqual(
      typed.Parameters.map((p: { Name: string }) => p.Name),
      ['/app/hosts'],
    );
    await root.json(
      'ssm',
      'add-tags-to-resource',
      '--resource-type',
      'Parameter',
      '--resource-id',
      '/app/url',
      '--tags',
      'Key=team,Value=web',
    );
    const tagged = await root.json('ssm', 'describe-parameters', '--parameter-filters', 'Key=tag:team,Values=web');
    assert.deepEqual(
      tagged.Parameters.map((p: { Name: string }) => p.Name),
      ['/app/url'],
    );
    const oneLevelDescribed = await root.json(
      'ssm',
      'describe-parameters',
      '--parameter-filters',
      'Key=Path,Option=OneLevel,Values=/app/db',
    );
    assert.deepEqual(
      oneLevelDescribed.Parameters.map((p: { Name: string }) => p.Name),
      ['/app/db/password'],
    );
    const deep = await root.run(
      'ssm',
      'put-parameter',
      '--name',
      `/${'x/'.repeat(15)}y`,
      '--value',
      'v',
      '--type',
      'String',
    );
    assert.match(deep.stderr, /HierarchyLevelLimitExceededException/);
    const deleted = await root.json('ssm', 'delete-parameters', '--names', '/app/hosts', '/nope');
    assert.deepEqual(deleted, { DeletedParameters: ['/app/hosts'], InvalidParameters: ['/nope'] });
    await root.json('ssm', 'delete-parameter', '--name', '/app/url');
    assert.match((await root.run('ssm', 'get-parameter', '--name', '/app/url')).stderr, /ParameterNotFound/);
  });

  it('denies ssm:GetParameter to a user without it, and decryption under a customer managed key without kms:Decrypt', async () => {
    const nobody = as(await createUser(server, 'ssm-nobody'));
    const denied = await nobody.run('ssm', 'get-parameter', '--name', '/app/db/password');
    assert.match(
      denied.stderr,
      /AccessDeniedException.*user\/ssm-nobody is not authorized to perform: ssm:GetParameter/,
    );
    const key = await root.json('kms', 'create-key', '--description', 'parameters');
    const keyArn = key.KeyMetadata.Arn as string;
    await root.json(
      'ssm',
      'put-parameter',
      '--name',
      '/team/token',
      '--value',
      't0ken',
      '--type',
      'SecureString',
      '--key-id',
      keyArn,
    );
    const reader = as(await createUser(server, 'ssm-reader', { statements: [allowStatement('ssm:GetParameter')] }));
    // Without decryption the ciphertext comes back; with it, kms:Decrypt on the key is asked.
    assert.notEqual((await reader.json('ssm', 'get-parameter', '--name', '/team/token')).Parameter.Value, 't0ken');
    const refused = await reader.run('ssm', 'get-parameter', '--name', '/team/token', '--with-decryption');
    assert.match(refused.stderr, /AccessDeniedException.*kms:Decrypt/);
    // The AWS managed key needs no kms:Decrypt of the caller.
    assert.equal(
      (await reader.json('ssm', 'get-parameter', '--name', '/app/db/password', '--with-decryption')).Parameter.Value,
      'hunter2',
    );
    const decrypter = as(
      await createUser(server, 'ssm-decrypter', {
        statements: [allowStatement('ssm:GetParameter'), { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }],
      }),
    );
    assert.equal(
      (await decrypter.json('ssm', 'get-parameter', '--name', '/team/token', '--with-decryption')).Parameter.Value,
      't0ken',
    );
  });
});
