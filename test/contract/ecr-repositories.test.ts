import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetRegistryPolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateDescribeRepositories,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { RegistryClient } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';

describe('ECR repositories API with the AWS SDK v3', () => {
  let server: TestServer;
  let ecr: ECRClient;
  let registry: RegistryClient;
  const arnOf = (name: string) => `arn:aws:ecr:us-east-1:000000000000:repository/${name}`;

  before(async () => {
    server = await startTestServer();
    ({ client: registry, ecr } = await RegistryClient.forServer(server));
  });
  after(async () => {
    ecr.destroy();
    await server.stop();
  });

  describe('repositories', () => {
    it('creates a repository with ECR ARN and URI forms, and refuses a second one of that name', async () => {
      const out = await ecr.send(
        new CreateRepositoryCommand({ repositoryName: 'team/api', tags: [{ Key: 'team', Value: 'a' }] }),
      );
      assert.equal(out.repository?.repositoryArn, arnOf('team/api'));
      assert.equal(out.repository?.repositoryUri, `localhost:${server.port}/team/api`);
      assert.equal(out.repository?.registryId, '000000000000');
      assert.equal(out.repository?.imageTagMutability, 'MUTABLE');
      assert.deepEqual(out.repository?.encryptionConfiguration, { encryptionType: 'AES256' });
      assert.ok(out.repository?.createdAt instanceof Date);
      await rejectsWith(
        ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/api' })),
        'RepositoryAlreadyExistsException',
      );
    });

    it('refuses invalid names and inconsistent mutability settings', async () => {
      await rejectsWith(
        ecr.send(new CreateRepositoryCommand({ repositoryName: 'Upper' })),
        'InvalidParameterException',
        /regular expression/,
      );
      await rejectsWith(
        ecr.send(
          new CreateRepositoryCommand({ repositoryName: 'x-filters', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }),
        ),
        'InvalidParameterException',
      );
      const out = await ecr.send(
        new CreateRepositoryCommand({
          repositoryName: 'x-excl',
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
        }),
      );
      assert.deepEqual(out.repository?.imageTagMutabilityExclusionFilters, [
        { filterType: 'WILDCARD', filter: 'latest' },
      ]);
    });

    it('describes by name, lists all page by page, and names the missing repository', async () => {
      for (const name of ['page-a', 'page-b', 'page-c'])
        await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      const byName = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-b'] }));
      assert.equal(byName.repositories?.[0]?.repositoryName, 'page-b');
      const names: string[] = [];
      for await (const page of paginateDescribeRepositories({ client: ecr, pageSize: 2 }, {})) {
        assert.ok((page.repositories?.length ?? 0) <= 2);
        names.push(...(page.repositories ?? []).map((r) => r.repositoryName!));
      }
      for (const name of ['page-a', 'page-b', 'page-c']) assert.ok(names.includes(name));
      await rejectsWith(
        ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-a', 'nope'] })),
        'RepositoryNotFoundException',
        /The repository with name 'nope' does not exist in the registry with id '000000000000'/,
      );
    });

    it('changes tag mutability and scanning settings', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'settings' }));
      await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'settings', imageTagMutability: 'IMMUTABLE' }));
      await ecr.send(
        new PutImageScanningConfigurationCommand({
          repositoryName: 'settings',
          imageScanningConfiguration: { scanOnPush: true },
        }),
      );
      const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['settings'] }));
      assert.equal(out.repositories?.[0]?.imageTagMutability, 'IMMUTABLE');
      assert.deepEqual(out.repositories?.[0]?.imageScanningConfiguration, { scanOnPush: true });
      await rejectsWith(
        ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'nope', imageTagMutability: 'MUTABLE' })),
        'RepositoryNotFoundException',
      );
    });

    it('tags and untags a repository by ARN', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tagged', tags: [{ Key: 'a', Value: '1' }] }));
      await ecr.send(
        new TagResourceCommand({
          resourceArn: arnOf('tagged'),
          tags: [
            { Key: 'b', Value: '2' },
            { Key: 'a', Value: '3' },
          ],
        }),
      );
      await ecr.send(new UntagResourceCommand({ resourceArn: arnOf('tagged'), tagKeys: ['b'] }));
      const out = await ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf('tagged') }));
      assert.deepEqual(out.tags, [{ Key: 'a', Value: '3' }]);
      await rejectsWith(
        ecr.send(new TagResourceCommand({ resourceArn: arnOf('tagged'), tags: [{ Key: 'aws:x', Value: '1' }] })),
        'InvalidTagParameterException',
      );
      await rejectsWith(
        ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:000000000000:cluster/x' })),
        'InvalidParameterException',
      );
      await rejectsWith(
        ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf('missing') })),
        'RepositoryNotFoundException',
      );
    });

    it('deletes an empty repository, and a non-empty one only with force', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'doomed' }));
      await registry.pushImage('doomed', 'v1');
      await rejectsWith(
        ecr.send(new DeleteRepositoryCommand({ repositoryName: 'doomed' })),
        'RepositoryNotEmptyException',
      );
      const out = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'doomed', force: true }));
      assert.equal(out.repository?.repositoryName, 'doomed');
      assert.equal((await registry.request('GET', '/v2/doomed/manifests/v1')).errorCode, 'NAME_UNKNOWN');
      await rejectsWith(
        ecr.send(new DeleteRepositoryCommand({ repositoryName: 'doomed' })),
        'RepositoryNotFoundException',
      );
    });

    it('describes the registry; no registry policy exists', async () => {
      const out = await ecr.send(new DescribeRegistryCommand({}));
      assert.equal(out.registryId, '000000000000');
      await rejectsWith(ecr.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
    });
  });
});
