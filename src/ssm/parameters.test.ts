import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccessDeniedException } from '../shared/access-denied.ts';
import type { AccessRequest } from '../shared/authorization.ts';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ParameterCipher } from './cipher.ts';
import { ssmOperations } from './operations.ts';
import type { SsmApi } from './shapes.generated.ts';

/** Reversible and visibly not the plain text; a key named "alias/mine" is customer managed. */
const fakeCipher: ParameterCipher = {
  async encrypt(keyId, plaintext, context) {
    const blob = Buffer.from(JSON.stringify({ keyId, plaintext: [...plaintext].reverse().join(''), context }));
    return { blob, keyArn: `arn:aws:kms:us-east-1:000000000000:key/${keyId}`, awsManaged: keyId === 'alias/aws/ssm' };
  },
  async decrypt(blob, context) {
    const sealed = JSON.parse(Buffer.from(blob).toString()) as { plaintext: string; context: object };
    assert.deepEqual(sealed.context, context);
    return [...sealed.plaintext].reverse().join('');
  },
};

const context = {
  requestId: 'r',
  accountId: '000000000000',
  region: 'us-east-1',
  accessKeyId: 'AKIA',
  principal: { arn: 'arn:aws:iam::000000000000:user/alice' },
} as unknown as RequestContext;

describe('Parameter Store operations', () => {
  let store: SqliteStore;
  let ssm: SsmApi;
  const asked: AccessRequest[] = [];
  let deny = false;
  before(async () => {
    store = await SqliteStore.open(':memory:');
    ssm = ssmOperations({
      store,
      clock: new FakeClock(new Date('2026-01-01T00:00:00Z')),
      cipher: fakeCipher,
      authorize: async (_context, requests) => {
        asked.push(...requests);
        if (deny) throw new AccessDeniedException('denied');
      },
    }) as SsmApi;
  });
  after(() => store.close());

  it('creates, refuses a second create, overwrites into history', async () => {
    assert.deepEqual(await ssm.PutParameter({ Name: '/app/url', Value: 'v1', Type: 'String' }, context), {
      Version: 1,
      Tier: 'Standard',
    });
    await assert.rejects(ssm.PutParameter({ Name: '/app/url', Value: 'v2' }, context), {
      code: 'ParameterAlreadyExists',
      message:
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    } as object);
    await assert.rejects(
      ssm.PutParameter({ Name: '/app/url', Value: 'v2', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] }, context),
      /tags and overwrite can't be used together/,
    );
    assert.equal((await ssm.PutParameter({ Name: '/app/url', Value: 'v2', Overwrite: true }, context)).Version, 2);
    const { Parameter } = await ssm.GetParameter({ Name: '/app/url' }, context);
    assert.deepEqual(
      [Parameter?.Value, Parameter?.Version, Parameter?.ARN],
      ['v2', 2, 'arn:aws:ssm:us-east-1:000000000000:parameter/app/url'],
    );
    const history = await ssm.GetParameterHistory({ Name: '/app/url' }, context);
    assert.deepEqual(
      history.Parameters?.map((p) => [p.Version, p.Value, p.LastModifiedUser]),
      [
        [1, 'v1', context.principal.arn],
        [2, 'v2', context.principal.arn],
      ],
    );
  });

  it('selects by version and label; unknown ones are InvalidParameters', async () => {
    await ssm.LabelParameterVersion({ Name: '/app/url', ParameterVersion: 1, Labels: ['stable'] }, context);
    assert.equal((await ssm.GetParameter({ Name: '/app/url:stable' }, context)).Parameter?.Value, 'v1');
    assert.equal((await ssm.GetParameter({ Name: '/app/url:1' }, context)).Parameter?.Selector, ':1');
    await assert.rejects(ssm.GetParameter({ Name: '/app/url:9' }, context), {
      code: 'ParameterVersionNotFound',
    } as object);
    await assert.rejects(ssm.GetParameter({ Name: '/nope' }, context), { code: 'ParameterNotFound' } as object);
    const many = await ssm.GetParameters({ Names: ['/app/url:stable', '/app/url:nolabel', '/nope'] }, context);
    assert.deepEqual(
      many.Parameters?.map((p) => p.Value),
      ['v1'],
    );
    assert.deepEqual(many.InvalidParameters, ['/app/url:nolabel', '/nope']);
  });

  it('keeps 100 versions, and refuses to drop a labelled oldest one', async () => {
    await ssm.PutParameter({ Name: 'many', Value: '1', Type: 'String' }, context);
    await ssm.LabelParameterVersion({ Name: 'many', Labels: ['first'] }, context);
    for (let i = 2; i <= 100; i++) await ssm.PutParameter({ Name: 'many', Value: String(i), Overwrite: true }, context);
    await assert.rejects(ssm.PutParameter({ Name: 'many', Value: '101', Overwrite: true }, context), {
      code: 'ParameterMaxVersionLimitExceeded',
    } as object);
    await ssm.UnlabelParameterVersion({ Name: 'many', ParameterVersion: 1, Labels: ['first'] }, context);
    assert.equal((await ssm.PutParameter({ Name: 'many', Value: '101', Overwrite: true }, context)).Version, 101);
    const versions = await store.ssm.history('many');
    assert.deepEqual([versions.length, versions[0]?.version], [100, 2]);
  });

  it('stores SecureString values encrypted; decrypting under a customer managed key asks kms:Decrypt', async () => {
    await ssm.PutParameter({ Name: '/app/secret', Value: 's3cret', Type: 'SecureString' }, context);
    await ssm.PutParameter({ Name: '/app/mine', Value: 'mine', Type: 'SecureString', KeyId: 'alias/mine' }, context);
    const stored = await store.ssm.get('/app/secret');
    assert.ok(
      !stored?.current.value.includes('s3cret') &&
        !stored?.current.value.includes('terc3s'.split('').reverse().join('')),
    );
    const plain = await ssm.GetParameter({ Name: '/app/secret' }, context);
    assert.equal(plain.Parameter?.Value, stored?.current.value); // the ciphertext, base64
    asked.length = 0;
    assert.equal(
      (await ssm.GetParameter({ Name: '/app/secret', WithDecryption: true }, context)).Parameter?.Value,
      's3cret',
    );
    assert.deepEqual(asked, []); // aws/ssm: no kms:Decrypt asked of the caller
    assert.equal(
      (await ssm.GetParameter({ Name: '/app/mine', WithDecryption: true }, context)).Parameter?.Value,
      'mine',
    );
    assert.deepEqual(asked, [
      {
        action: 'kms:Decrypt',
        resource: 'arn:aws:kms:us-east-1:000000000000:key/alias/mine',
        conditions: {
          'kms:ViaService': 'ssm.us-east-1.amazonaws.com',
          'kms:EncryptionContext:PARAMETER_ARN': 'arn:aws:ssm:us-east-1:000000000000:parameter/app/mine',
        },
      },
    ]);
    deny = true;
    await assert.rejects(ssm.GetParameter({ Name: '/app/mine', WithDecryption: true }, context), AccessDeniedException);
    deny = false;
    await assert.rejects(ssm.PutParameter({ Name: '/k', Value: 'x', Type: 'String', KeyId: 'alias/mine' }, context), {
      code: 'ValidationException',
    } as object);
  });

  it('reads hierarchies one level or recursively, with filters and pages', async () => {
    await ssm.PutParameter({ Name: '/app/db/user', Value: 'u', Type: 'String' }, context);
    await ssm.PutParameter({ Name: '/app/db/pass', Value: 'p', Type: 'SecureString' }, context);
    const oneLevel = await ssm.GetParametersByPath({ Path: '/app' }, context);
    assert.deepEqual(
      oneLevel.Parameters?.map((p) => p.Name),
      ['/app/mine', '/app/secret', '/app/url'],
    );
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await ssm.GetParametersByPath(
        { Path: '/app/', Recursive: true, MaxResults: 2, NextToken: token },
        context,
      );
      names.push(...(page.Parameters ?? []).map((p) => p.Name!));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(names, ['/app/db/pass', '/app/db/user', '/app/mine', '/app/secret', '/app/url']);
    const secure = await ssm.GetParametersByPath(
      {
        Path: '/app',
        Recursive: true,
        ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
        WithDecryption: true,
      },
      context,
    );
    assert.deepEqual(
      secure.Parameters?.map((p) => [p.Name, p.Value]),
      [
        ['/app/db/pass', 'p'],
        ['/app/mine', 'mine'],
        ['/app/secret', 's3cret'],
      ],
    );
    const labelled = await ssm.GetParametersByPath(
      { Path: '/app', ParameterFilters: [{ Key: 'Label', Values: ['stable'] }] },
      context,
    );
    assert.deepEqual(
      labelled.Parameters?.map((p) => [p.Name, p.Version, p.Value]),
      [['/app/url', 1, 'v1']],
    );
    await assert.rejects(
      ssm.GetParametersByPath({ Path: '/app', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] }, context),
      { code: 'InvalidFilterKey' } as object,
    );
  });

  it('describes with filters, tags and deletes', async () => {
    const described = await ssm.DescribeParameters(
      {
        ParameterFilters: [
          { Key: 'Path', Option: 'Recursive', Values: ['/app'] },
          { Key: 'Type', Values: ['String'] },
        ],
      },
      context,
    );
    assert.deepEqual(
      described.Parameters?.map((p) => p.Name),
      ['/app/db/user', '/app/url'],
    );
    await ssm.AddTagsToResource(
      { ResourceType: 'Parameter', ResourceId: '/app/url', Tags: [{ Key: 'team', Value: 'web' }] },
      context,
    );
    const tagged = await ssm.DescribeParameters({ ParameterFilters: [{ Key: 'tag:team', Values: ['web'] }] }, context);
    assert.deepEqual(
      tagged.Parameters?.map((p) => p.Name),
      ['/app/url'],
    );
    const byName = await ssm.DescribeParameters(
      { ParameterFilters: [{ Key: 'Name', Option: 'Contains', Values: ['db'] }] },
      context,
    );
    assert.deepEqual(
      byName.Parameters?.map((p) => p.Name),
      ['/app/db/pass', '/app/db/user'],
    );
    await assert.rejects(ssm.DescribeParameters({ ParameterFilters: [{ Key: 'Label', Values: ['x'] }] }, context), {
      code: 'InvalidFilterKey',
    } as object);
    await ssm.RemoveTagsFromResource({ ResourceType: 'Parameter', ResourceId: '/app/url', TagKeys: ['team'] }, context);
    assert.deepEqual(
      (await ssm.ListTagsForResource({ ResourceType: 'Parameter', ResourceId: '/app/url' }, context)).TagList,
      [],
    );
    const deleted = await ssm.DeleteParameters({ Names: ['/app/db/user', '/app/db/nope'] }, context);
    assert.deepEqual([deleted.DeletedParameters, deleted.InvalidParameters], [['/app/db/user'], ['/app/db/nope']]);
    await ssm.DeleteParameter({ Name: '/app/url' }, context);
    await assert.rejects(ssm.DeleteParameter({ Name: '/app/url' }, context), { code: 'ParameterNotFound' } as object);
    assert.deepEqual(await store.ssm.history('/app/url'), []);
  });

  it('checks tiers and sizes', async () => {
    await assert.rejects(ssm.PutParameter({ Name: 'big', Value: 'x'.repeat(4097), Type: 'String' }, context), /4096/);
    assert.equal(
      (
        await ssm.PutParameter(
          { Name: 'big', Value: 'x'.repeat(4097), Type: 'String', Tier: 'Intelligent-Tiering' },
          context,
        )
      ).Tier,
      'Advanced',
    );
    await assert.rejects(
      ssm.PutParameter({ Name: 'big', Value: 'x', Overwrite: true, Tier: 'Standard' }, context),
      /downgrade/,
    );
    await assert.rejects(
      ssm.PutParameter({ Name: 'huge', Value: 'x'.repeat(8193), Type: 'String', Tier: 'Advanced' }, context),
      {
        code: 'ValidationException',
      } as object,
    );
    await assert.rejects(
      ssm.PutParameter({ Name: 'pat', Value: 'abc', Type: 'String', AllowedPattern: '^\\d+$' }, context),
      {
        code: 'ParameterPatternMismatchException',
      } as object,
    );
  });
});
