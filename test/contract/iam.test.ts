import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyVersionCommand,
  DeleteUserCommand,
  GetGroupCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListGroupsForUserCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  SimulatePrincipalPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from '../../src/store/migrations/index.ts';
import { NodeSqliteDatabase } from '../../src/store/sqlite/node-sqlite-database.ts';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/** IAM against a real server: the AWS CLI v2 and the SDK, signed for us-east-1 as they sign IAM. */

const doc = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const ECS_READ = doc({ Effect: 'Allow', Action: 'ecs:List*', Resource: '*' });
const TRUST = doc({ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' });

function iamClient(server: TestServer): IAMClient {
  return new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
}

/** An ECS call signed with the key: 200 or an authorization refusal means it authenticated. */
async function authenticates(server: TestServer, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const ecs = new ECSClient({ endpoint: server.url, region: server.region, credentials, maxAttempts: 1 });
  try {
    await ecs.send(new ListClustersCommand({}));
    return true;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'UnrecognizedClientException') return false;
    return name === 'AccessDeniedException' ? true : Promise.reject(error);
  } finally {
    ecs.destroy();
  }
}

describe('IAM', () => {
  let server: TestServer;
  let iam: IAMClient;
  before(async () => {
    // IAM is global: a server of another region still takes IAM signed for us-east-1.
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off', BERTH_REGION: 'eu-west-1' });
    iam = iamClient(server);
  });
  after(async () => {
    iam.destroy();
    await server.stop();
  });

  it(
    'creates users with the AWS CLI v2, and pages them with MaxItems and Marker',
    { skip: awsCliSkipReason() },
    async () => {
      const env = {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: 'eu-west-1',
      };
      const cli = (...args: string[]) => aws(['--endpoint-url', server.url, '--output', 'json', 'iam', ...args], env);
      for (const name of ['cli-a', 'cli-b', 'cli-c']) {
        const created = await cli('create-user', '--user-name', name, '--path', '/cli/');
        assert.equal(created.code, 0, created.stderr);
        assert.equal(JSON.parse(created.stdout).User.Arn, `arn:aws:iam::000000000000:user/cli/${name}`);
      }
      const page = JSON.parse((await cli('list-users', '--path-prefix', '/cli/', '--max-items', '2')).stdout);
      assert.deepEqual(
        page.Users.map((u: { UserName: string }) => u.UserName),
        ['cli-a', 'cli-b'],
      );
      const rest = await cli('list-users', '--path-prefix', '/cli/', '--starting-token', page.NextToken);
      assert.deepEqual(
        JSON.parse(rest.stdout).Users.map((u: { UserName: string }) => u.UserName),
        ['cli-c'],
      );
      const missing = await cli('get-user', '--user-name', 'nobody');
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /\(NoSuchEntity\).*The user with name nobody cannot be found\./);
      const taken = await cli('create-user', '--user-name', 'CLI-A');
      assert.match(taken.stderr, /\(EntityAlreadyExists\).*User with name CLI-A already exists\./);
      // The CLI decodes IAM's URL-encoded documents.
      await cli('create-role', '--role-name', 'cli-role', '--assume-role-policy-document', TRUST);
      const role = JSON.parse((await cli('get-role', '--role-name', 'cli-role')).stdout).Role;
      assert.equal(role.AssumeRolePolicyDocument.Statement[0].Principal.Service, 'ecs-tasks.amazonaws.com');
    },
  );

  it('keeps groups, memberships and inline policies, and refuses deleting a user who has them', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'dev' }));
    const group = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
    assert.deepEqual(
      group.Users?.map((u) => u.UserName),
      ['dev'],
    );
    const groups = await iam.send(new ListGroupsForUserCommand({ UserName: 'dev' }));
    assert.deepEqual(
      groups.Groups?.map((g) => g.GroupName),
      ['devs'],
    );
    await iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'read', PolicyDocument: ECS_READ }));
    await assert.rejects(iam.send(new DeleteUserCommand({ UserName: 'dev' })), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete policies first.',
    });
    await assert.rejects(
      iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'bad', PolicyDocument: '{"Statement":' })),
      { name: 'MalformedPolicyDocumentException' },
    );
  });

  it('versions a managed policy: at most five, one default, which cannot be deleted', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'ecs-read', PolicyDocument: ECS_READ }));
    const arn = Policy!.Arn!;
    assert.equal(arn, 'arn:aws:iam::000000000000:policy/ecs-read');
    for (let i = 2; i <= 5; i++)
      await iam.send(
        new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: ECS_READ, SetAsDefault: i === 3 }),
      );
    await assert.rejects(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: ECS_READ })), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for PolicyVersionsPerPolicy: 5',
    });
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    assert.deepEqual(
      versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion]),
      [
        ['v5', false],
        ['v4', false],
        ['v3', true],
        ['v2', false],
        ['v1', false],
      ],
    );
    await assert.rejects(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })), {
      name: 'DeleteConflictException',
    });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    const v5 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    assert.equal(decodeURIComponent(v5.PolicyVersion!.Document!), ECS_READ);
    await iam.send(new AttachUserPolicyCommand({ UserName: 'dev', PolicyArn: arn }));
    const simulated = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: 'arn:aws:iam::000000000000:user/dev',
        ActionNames: ['ecs:ListClusters', 'ecs:RunTask'],
      }),
    );
    assert.deepEqual(
      simulated.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision]),
      [
        ['ecs:ListClusters', 'allowed'],
        ['ecs:RunTask', 'implicitDeny'],
      ],
    );
  });

  it('makes roles with trust policies, and ECS’s service-linked role with its AWS managed policy', async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({ RoleName: 'task', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 7200 }),
    );
    assert.match(Role!.RoleId!, /^AROA[A-Z2-7]{17}$/);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'task' }));
    assert.equal(got.Role?.MaxSessionDuration, 7200);
    assert.equal(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!), TRUST);
    const linked = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' }));
    assert.equal(
      linked.Role?.Arn,
      'arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
    );
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AWSServiceRoleForECS' }));
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyArn),
      ['arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy'],
    );
  });

  it('issues at most two keys per user; an Inactive or deleted key stops signing at once', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'ci' }));
    const first = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    const second = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    await assert.rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'ci' })), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });
    const key = (k: typeof first) => ({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });
    assert.equal(await authenticates(server, key(first)), true);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'ci', AccessKeyId: first.AccessKeyId, Status: 'Inactive' }));
    assert.equal(await authenticates(server, key(first)), false);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'ci', AccessKeyId: first.AccessKeyId, Status: 'Active' }));
    assert.equal(await authenticates(server, key(first)), true);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'ci', AccessKeyId: second.AccessKeyId }));
    assert.equal(await authenticates(server, key(second)), false);
  });

  it('pages with MaxItems and Marker as IAM does', async () => {
    for (const name of ['page-1', 'page-2', 'page-3'])
      await iam.send(new CreateUserCommand({ UserName: name, Path: '/paged/' }));
    const one = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    assert.equal(one.IsTruncated, true);
    const two = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: one.Marker }));
    assert.deepEqual(
      [...one.Users!, ...two.Users!].map((u) => u.UserName),
      ['page-1', 'page-2', 'page-3'],
    );
    assert.equal(two.IsTruncated, false);
  });
});

describe('IAM across a restart, from the users `berth iam create-user` made', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-iam-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps an older version’s user and key, and everything IAM wrote', async () => {
    // A database as the version before IAM left it: migrated to 0015, one user with a plain-text key.
    const raw = new DatabaseSync(join(dataDir, 'berth.sqlite'));
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new NodeSqliteDatabase(raw) }) });
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0016'));
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
    assert.equal(error, undefined);
    raw.exec(
      "INSERT INTO iam_users (name, arn, user_id, created_at) VALUES ('old', 'arn:aws:iam::000000000000:user/old', 'AIDAOLDUSER0000000000', 0)",
    );
    const old = { accessKeyId: 'AKIAOLDKEY0000000000', secretAccessKey: 'o'.repeat(40) };
    raw
      .prepare(
        "INSERT INTO access_keys (access_key_id, user_name, secret_access_key, status, created_at) VALUES (?, 'old', ?, 'Active', 0)",
      )
      .run(old.accessKeyId, old.secretAccessKey);
    await db.destroy();

    let server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataDir });
    let iam = iamClient(server);
    assert.equal(await authenticates(server, old), true);
    const users = await iam.send(new ListUsersCommand({}));
    assert.deepEqual(
      users.Users?.map((u) => [u.UserName, u.Path, u.UserId]),
      [['old', '/', 'AIDAOLDUSER0000000000']],
    );
    await iam.send(new CreateGroupCommand({ GroupName: 'kept' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'kept', UserName: 'old' }));
    const fresh = (await iam.send(new CreateAccessKeyCommand({ UserName: 'old' }))).AccessKey!;
    iam.destroy();
    await server.close();

    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataDir });
    iam = iamClient(server);
    try {
      assert.equal(await authenticates(server, old), true);
      assert.equal(
        await authenticates(server, { accessKeyId: fresh.AccessKeyId!, secretAccessKey: fresh.SecretAccessKey! }),
        true,
      );
      const groups = await iam.send(new ListGroupsForUserCommand({ UserName: 'old' }));
      assert.deepEqual(
        groups.Groups?.map((g) => g.GroupName),
        ['kept'],
      );
    } finally {
      iam.destroy();
      await server.close();
    }
  });
});
