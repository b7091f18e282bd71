import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, DockerSession, dockerSkipReason } from '../../testing/docker.ts';
import { ACCOUNT, cliAs, cliUser, policyDocument, type Cli } from '../../testing/iam-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * Issue #17's registry test: users made with the AWS CLI v2 holding only an AWS managed ECR
 * policy log docker in with their own `aws ecr get-login-password`. ReadOnly pulls and cannot
 * push (the registry answers "denied" with AWS's wording); PowerUser pushes.
 */

const READ_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
const POWER_USER = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser';
const REPOSITORY = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/web`;

describe(
  'IAM enforcement on the registry: docker as ReadOnly and PowerUser users',
  { skip: awsCliSkipReason() || dockerSkipReason() || busyboxSkipReason(), timeout: 600_000 },
  () => {
    let server: TestServer;
    let root: Cli;
    let registry: string;
    const sessions: DockerSession[] = [];

    before(async () => {
      server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
      root = cliAs(server, server.credentials);
      registry = `localhost:${server.port}`;
      await root.json('ecr', 'create-repository', '--repository-name', 'team/web');
    });
    after(async () => {
      for (const session of sessions) await session.cleanup();
      await server?.stop();
    });

    /** A docker client of its own, logged in with the password `aws ecr get-login-password` gave the caller. */
    async function dockerAs(cli: Cli): Promise<DockerSession> {
      const session = new DockerSession();
      sessions.push(session);
      const password = await cli.run('ecr', 'get-login-password');
      assert.equal(password.code, 0, password.stderr);
      const login = await session.docker(['login', '--username', 'AWS', '--password-stdin', registry], {
        input: password.stdout.trim(),
      });
      assert.equal(login.code, 0, login.stderr);
      return session;
    }

    it('ReadOnly pulls and may not push; PowerUser pushes', async () => {
      // The root pushes v1, then forgets it locally so that the reader's pull fetches every layer.
      const byRoot = await dockerAs(root);
      const v1 = `${registry}/team/web:v1`;
      const image = await byRoot.buildBusyboxImage('berth-iam-registry:v1');
      assert.equal((await byRoot.tag(image.tag, v1)).code, 0);
      const pushed = await byRoot.docker(['push', v1]);
      assert.equal(pushed.code, 0, pushed.stderr);
      await byRoot.cleanup();

      const reader = await cliUser(server, root, 'reader', { managed: [READ_ONLY] });
      const byReader = await dockerAs(reader);
      byReader.track(v1);
      const pulled = await byReader.docker(['pull', v1]);
      assert.equal(pulled.code, 0, pulled.stderr);
      const id = await byReader.docker(['image', 'inspect', '--format', '{{.Id}}', v1]);
      assert.equal(id.stdout.trim(), image.id);

      // A new layer: the push starts an upload, which ReadOnly does not allow.
      const v2 = `${registry}/team/web:v2`;
      const changed = await byReader.buildBusyboxImage('berth-iam-registry:v2');
      assert.equal((await byReader.tag(changed.tag, v2)).code, 0);
      const refused = await byReader.docker(['push', v2]);
      assert.notEqual(refused.code, 0, 'ReadOnly pushed');
      assert.match(
        refused.stderr,
        new RegExp(
          `denied: User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: ecr:InitiateLayerUpload on resource: ${REPOSITORY} because no identity-based policy allows the ecr:InitiateLayerUpload action`,
        ),
      );
      const tags = await root.json<{ imageIds: { imageTag?: string }[] }>(
        'ecr',
        'list-images',
        '--repository-name',
        'team/web',
      );
      assert.deepEqual(
        tags.imageIds.map((i) => i.imageTag),
        ['v1'],
      );

      const power = await cliUser(server, root, 'pusher', { managed: [POWER_USER] });
      const byPower = await dockerAs(power);
      const again = await byPower.docker(['push', v2]);
      assert.equal(again.code, 0, again.stderr);
      const after = await root.json<{ imageIds: { imageTag?: string }[] }>(
        'ecr',
        'list-images',
        '--repository-name',
        'team/web',
      );
      assert.deepEqual(after.imageIds.map((i) => i.imageTag).sort(), ['v1', 'v2']);
    });

    it('aws:SourceIp decides registry requests as it decides API calls', async () => {
      const local = await cliUser(server, root, 'local-reader');
      const document = policyDocument(
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'ecr:ListImages',
          Resource: REPOSITORY,
          Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } },
        },
        {
          Effect: 'Allow',
          Action: 'ecr:BatchGetImage',
          Resource: REPOSITORY,
          Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        },
      );
      await root.json(
        'iam',
        'put-user-policy',
        '--user-name',
        'local-reader',
        '--policy-name',
        'ip',
        '--policy-document',
        document,
      );
      const password = (await local.run('ecr', 'get-login-password')).stdout.trim();
      const headers = { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` };
      await local.json('ecr', 'list-images', '--repository-name', 'team/web');
      const tags = await fetch(`http://127.0.0.1:${server.port}/v2/team/web/tags/list`, { headers });
      assert.equal(tags.status, 200, await tags.text());
      const manifest = await fetch(`http://127.0.0.1:${server.port}/v2/team/web/manifests/v1`, { headers });
      assert.equal(manifest.status, 403);
      assert.match(await manifest.text(), /not authorized to perform: ecr:BatchGetImage on resource: /);
    });

    it('ReadOnly may not delete an image or a repository through the API', async () => {
      const reader = cliAs(server, (await cliUser(server, root, 'reader-2', { managed: [READ_ONLY] })).keys);
      await reader.json('ecr', 'describe-images', '--repository-name', 'team/web');
      assert.equal(
        await reader.denied('ecr', 'batch-delete-image', '--repository-name', 'team/web', '--image-ids', 'imageTag=v1'),
        `User: arn:aws:iam::${ACCOUNT}:user/reader-2 is not authorized to perform: ecr:BatchDeleteImage on resource: ${REPOSITORY} because no identity-based policy allows the ecr:BatchDeleteImage action`,
      );
    });
  },
);
