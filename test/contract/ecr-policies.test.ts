import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { RegistryClient } from '../../testing/registry-client.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';

describe('ECR repository policies, enforced', () => {
  let server: TestServer;
  let root: ECRClient;
  let rootRegistry: RegistryClient;
  let bob: ECRClient;
  let bobRegistry: RegistryClient;
  let image: Awaited<ReturnType<RegistryClient['pushImage']>>;
  const bobArn = 'arn:aws:iam::000000000000:user/bob';
  const setPolicy = (...Statement: object[]) =>
    root.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'shared',
        policyText: JSON.stringify({ Version: '2012-10-17', Statement }),
      }),
    );

  before(async () => {
    server = await startTestServer();
    ({ client: rootRegistry, ecr: root } = await RegistryClient.forServer(server));
    await root.send(new CreateRepositoryCommand({ repositoryName: 'shared' }));
    image = await rootRegistry.pushImage('shared', 'v1');
    const created = await createUser(server, 'bob', { statements: [allowStatement('ecr:GetAuthorizationToken')] });
    bob = new ECRClient({
      endpoint: server.url,
      region: server.region,
      credentials: created,
      maxAttempts: 1,
    });
    // Bob may fetch a registry password (GetAuthorizationToken); what it opens is per repository.
    ({ client: bobRegistry } = await RegistryClient.forServer(server, bob));
  });
  after(async () => {
    root.destroy();
    bob.destroy();
    await server.stop();
  });

  it('refuses a user the repository does not allow, in the API and in the registry', async () => {
    await rejectsWith(
      bob.send(new DescribeImagesCommand({ repositoryName: 'shared' })),
      'AccessDeniedException',
      new RegExp(`User: ${bobArn} is not authorized to perform: ecr:DescribeImages`),
    );
    await rejectsWith(bob.send(new CreateRepositoryCommand({ repositoryName: 'bobs' })), 'AccessDeniedException');
    const pull = await bobRegistry.request('GET', '/v2/shared/manifests/v1');
    assert.equal(pull.status, 403);
    assert.equal(pull.errorCode, 'DENIED');
  });

  it('lets the user pull once the policy allows it, and nothing more', async () => {
    await setPolicy({
      Sid: 'BobPulls',
      Effect: 'Allow',
      Principal: { AWS: bobArn },
      Action: [
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchCheckLayerAvailability',
        'ecr:DescribeImages',
      ],
    });
    assert.equal((await bobRegistry.request('GET', '/v2/shared/manifests/v1')).status, 200);
    const layer = await bobRegistry.request('GET', `/v2/shared/blobs/${image.layerDigest}`);
    assert.deepEqual(layer.body, Buffer.from(image.layer));
    assert.equal((await bob.send(new DescribeImagesCommand({ repositoryName: 'shared' }))).imageDetails?.length, 1);
    const push = await bobRegistry.request('POST', '/v2/shared/blobs/uploads/');
    assert.equal(push.errorCode, 'DENIED');
  });

  it('refuses the user again when a Deny is added: an explicit Deny wins', async () => {
    await setPolicy(
      {
        Sid: 'BobPulls',
        Effect: 'Allow',
        Principal: { AWS: bobArn },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      },
      { Sid: 'NotBob', Effect: 'Deny', Principal: { AWS: [bobArn] }, Action: 'ecr:*' },
    );
    assert.equal((await bobRegistry.request('GET', '/v2/shared/manifests/v1')).errorCode, 'DENIED');
    assert.equal((await rootRegistry.request('GET', '/v2/shared/manifests/v1')).status, 200); // the root is not named
  });

  it('stores, returns and deletes the policy; refuses invalid ones', async () => {
    const text = (await root.send(new GetRepositoryPolicyCommand({ repositoryName: 'shared' }))).policyText!;
    assert.match(text, /NotBob/);
    await rejectsWith(
      root.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'shared',
          policyText: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}',
        }),
      ),
      'InvalidParameterException',
      /Invalid repository policy provided/,
    );
    await rejectsWith(
      root.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'shared',
          policyText: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: '*',
                Action: 'ecr:*',
                Condition: { StringSometimes: { 'aws:username': 'x' } },
              },
            ],
          }),
        }),
      ),
      'InvalidParameterException',
      /Invalid repository policy provided/,
    );
    await root.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'shared' }));
    await rejectsWith(
      root.send(new GetRepositoryPolicyCommand({ repositoryName: 'shared' })),
      'RepositoryPolicyNotFoundException',
    );
    assert.equal((await bobRegistry.request('GET', '/v2/shared/manifests/v1')).errorCode, 'DENIED'); // no policy: no Allow
  });

  it('lets no unknown key create users', async () => {
    const iam = new IAMClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) },
    });
    await assert.rejects(iam.send(new CreateUserCommand({ UserName: 'eve' })), { name: 'InvalidClientTokenId' });
    iam.destroy();
  });
});
