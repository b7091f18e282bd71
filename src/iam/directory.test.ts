import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { IamDirectory } from './directory.ts';
import { iamOperations } from './operations.ts';

const ROOT = { accessKeyId: 'AKIAROOT000000000000', secretAccessKey: 'r'.repeat(40) };
const READ = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ecs:List*', Resource: '*' }],
});

async function setUp() {
  const store = await SqliteStore.open(':memory:');
  const clock = new FakeClock();
  const directory = await IamDirectory.load(store, { accountId: '000000000000', clock, root: ROOT });
  const api = iamOperations({ directory }) as Record<
    string,
    (input: object, context: RequestContext) => Promise<never>
  >;
  const context = {
    requestId: 'r',
    accountId: '000000000000',
    region: 'us-east-1',
    accessKeyId: ROOT.accessKeyId,
    principal: directory.principalOf(ROOT.accessKeyId)!,
  };
  const call = (name: string, input: object) => api[name]!(input, context);
  return { store, clock, directory, call };
}

describe('IamDirectory', () => {
  it('signs with the root key and users Active keys only, from the moment IAM changes them', async () => {
    const { directory, call } = await setUp();
    assert.equal(directory.principalOf(ROOT.accessKeyId)?.root, true);
    await call('CreateUser', { UserName: 'ci' });
    const { AccessKey } = (await call('CreateAccessKey', { UserName: 'ci' })) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string };
    };
    assert.equal(directory.secretFor(AccessKey.AccessKeyId), AccessKey.SecretAccessKey);
    assert.equal(directory.principalOf(AccessKey.AccessKeyId)?.arn, 'arn:aws:iam::000000000000:user/ci');
    await call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' });
    assert.equal(directory.secretFor(AccessKey.AccessKeyId), undefined);
    await call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: AccessKey.AccessKeyId, Status: 'Active' });
    // A renamed user's key signs as the new name at once.
    await call('UpdateUser', { UserName: 'ci', NewUserName: 'build', NewPath: '/bots/' });
    assert.equal(directory.principalOf(AccessKey.AccessKeyId)?.arn, 'arn:aws:iam::000000000000:user/bots/build');
  });

  it("gives a user's policies, its groups' and its boundary, the same array until an IAM write", async () => {
    const { directory, call } = await setUp();
    await call('CreateUser', { UserName: 'dev' });
    await call('CreateAccessKey', { UserName: 'dev' });
    await call('PutUserPolicy', { UserName: 'dev', PolicyName: 'inline', PolicyDocument: READ });
    await call('CreateGroup', { GroupName: 'g' });
    await call('AddUserToGroup', { GroupName: 'g', UserName: 'dev' });
    await call('AttachGroupPolicy', {
      GroupName: 'g',
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
    });
    await call('PutUserPermissionsBoundary', {
      UserName: 'dev',
      PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    const principal = directory.principalOf(directory.accessKeysOf('dev')[0]!.accessKeyId)!;
    const first = directory.identityPoliciesOf(principal);
    assert.equal(first.identity.length, 2); // inline + the group's attached policy
    assert.equal(first.boundary?.length, 1);
    assert.equal(directory.identityPoliciesOf(principal), first); // cached
    await call('DeleteUserPolicy', { UserName: 'dev', PolicyName: 'inline' });
    assert.equal(directory.identityPoliciesOf(principal).identity.length, 1);
  });

  it('keeps key uses in memory and writes them to the store at close', async () => {
    const { store, clock, directory, call } = await setUp();
    await call('CreateUser', { UserName: 'u' });
    const { AccessKey } = (await call('CreateAccessKey', { UserName: 'u' })) as { AccessKey: { AccessKeyId: string } };
    directory.recordKeyUse(AccessKey.AccessKeyId, 'ecs', 'us-east-1', clock.now());
    const used = (await call('GetAccessKeyLastUsed', { AccessKeyId: AccessKey.AccessKeyId })) as {
      AccessKeyLastUsed: { ServiceName: string };
    };
    assert.equal(used.AccessKeyLastUsed.ServiceName, 'ecs');
    assert.equal((await store.iam.load()).accessKeys[0]?.lastUsed, undefined);
    await directory.close();
    assert.equal((await store.iam.load()).accessKeys[0]?.lastUsed?.service, 'ecs');
  });

  it('serves roles to STS with their trust policy compiled', async () => {
    const { directory, call } = await setUp();
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }],
    });
    await call('CreateRole', {
      RoleName: 'deploy',
      Path: '/ci/',
      AssumeRolePolicyDocument: trust,
      Tags: [{ Key: 'team', Value: 'a' }],
    });
    const role = directory.roleByArn('arn:aws:iam::000000000000:role/ci/deploy');
    assert.equal(role?.maxSessionDuration, 3600);
    assert.deepEqual(role?.tags, { team: 'a' });
    assert.equal(role?.trustPolicy.kind, 'trust');
    assert.equal(directory.roleByArn('arn:aws:iam::000000000000:role/deploy'), undefined);
  });
});
