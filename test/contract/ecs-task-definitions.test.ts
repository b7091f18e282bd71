import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  paginateListTaskDefinitions,
} from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';
import { createExecutionRole } from '../../testing/execution-role.ts';

describe('ECS clusters and task definitions with the AWS SDK v3', () => {
  let server: TestServer;
  let ecs: ECSClient;
  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  describe('clusters', () => {
    it('updates settings and configuration, and sets Fargate capacity providers', async () => {
      await ecs.send(new CreateClusterCommand({ clusterName: 'c1' }));
      const settings = await ecs.send(
        new UpdateClusterSettingsCommand({
          cluster: 'c1',
          settings: [{ name: 'containerInsights', value: 'enabled' }],
        }),
      );
      assert.deepEqual(settings.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
      const updated = await ecs.send(
        new UpdateClusterCommand({
          cluster: 'c1',
          configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
        }),
      );
      assert.deepEqual(updated.cluster?.configuration, { executeCommandConfiguration: { logging: 'DEFAULT' } });
      const providers = await ecs.send(
        new PutClusterCapacityProvidersCommand({
          cluster: 'c1',
          capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
          defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
        }),
      );
      assert.deepEqual(providers.cluster?.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
      await rejectsWith(
        ecs.send(
          new PutClusterCapacityProvidersCommand({
            cluster: 'c1',
            capacityProviders: ['nope'],
            defaultCapacityProviderStrategy: [],
          }),
        ),
        'InvalidParameterException',
      );
      await rejectsWith(
        ecs.send(new UpdateClusterSettingsCommand({ cluster: 'missing', settings: [] })),
        'ClusterNotFoundException',
      );
    });

    it('deletes a cluster: INACTIVE, still describable, no longer listed, and its name reusable', async () => {
      await ecs.send(new CreateClusterCommand({ clusterName: 'gone' }));
      const deleted = await ecs.send(new DeleteClusterCommand({ cluster: 'gone' }));
      assert.equal(deleted.cluster?.status, 'INACTIVE');
      const described = await ecs.send(new DescribeClustersCommand({ clusters: ['gone'] }));
      assert.equal(described.clusters?.[0]?.status, 'INACTIVE');
      const listed = await ecs.send(new ListClustersCommand({}));
      assert.ok(!listed.clusterArns?.some((arn) => arn.endsWith('/gone')));
      await rejectsWith(ecs.send(new DeleteClusterCommand({ cluster: 'gone' })), 'ClusterNotFoundException');
      const again = await ecs.send(new CreateClusterCommand({ clusterName: 'gone' }));
      assert.equal(again.cluster?.status, 'ACTIVE');
    });

    it('tags a cluster by ARN', async () => {
      const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: 'tagged' }));
      await ecs.send(
        new TagResourceCommand({
          resourceArn: cluster!.clusterArn,
          tags: [
            { key: 'team', value: 'a' },
            { key: 'env', value: 'dev' },
          ],
        }),
      );
      await ecs.send(new UntagResourceCommand({ resourceArn: cluster!.clusterArn, tagKeys: ['env'] }));
      const out = await ecs.send(new ListTagsForResourceCommand({ resourceArn: cluster!.clusterArn }));
      assert.deepEqual(out.tags, [{ key: 'team', value: 'a' }]);
    });
  });

  describe('task definitions', () => {
    const container = {
      name: 'web',
      image: 'localhost:4510/web:v1',
      memory: 128,
      portMappings: [{ containerPort: 80, hostPort: 0 }],
    };

    it('registers revisions of a family with the fields ECS fills', async () => {
      const first = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [container],
          tags: [{ key: 'k', value: 'v' }],
        }),
      );
      const td = first.taskDefinition!;
      assert.equal(td.taskDefinitionArn, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1');
      assert.equal(td.revision, 1);
      assert.equal(td.status, 'ACTIVE');
      assert.equal(td.networkMode, 'bridge');
      assert.deepEqual(td.compatibilities, ['EC2', 'EXTERNAL']);
      assert.equal(td.registeredBy, 'arn:aws:iam::000000000000:root');
      assert.ok(td.registeredAt instanceof Date);
      assert.equal(td.containerDefinitions?.[0]?.essential, true);
      assert.deepEqual(first.tags, [{ key: 'k', value: 'v' }]);
      const second = await ecs.send(
        new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ ...container, memory: 256 }] }),
      );
      assert.equal(second.taskDefinition?.revision, 2);
    });

    it('registers a Fargate task definition', async () => {
      const out = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'fargate-app',
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '0.5 vCPU',
          memory: '1 GB',
          containerDefinitions: [{ name: 'app', image: 'app:1', portMappings: [{ containerPort: 8080 }] }],
        }),
      );
      assert.equal(out.taskDefinition?.cpu, '512');
      assert.equal(out.taskDefinition?.memory, '1024');
      assert.deepEqual(out.taskDefinition?.compatibilities, ['EC2', 'FARGATE']);
      assert.equal(out.taskDefinition?.containerDefinitions?.[0]?.portMappings?.[0]?.hostPort, 8080);
      await rejectsWith(
        ecs.send(
          new RegisterTaskDefinitionCommand({
            family: 'bad',
            requiresCompatibilities: ['FARGATE'],
            networkMode: 'awsvpc',
            cpu: '256',
            memory: '4096',
            containerDefinitions: [{ name: 'a', image: 'a' }],
          }),
        ),
        'ClientException',
        /No Fargate configuration exists/,
      );
    });

    it('refuses a FARGATE definition with awslogs and no execution role, and registers it with one', async () => {
      const fargate = {
        family: 'fargate-logs',
        requiresCompatibilities: ['FARGATE' as const],
        networkMode: 'awsvpc' as const,
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'app', image: 'app:1', logConfiguration: { logDriver: 'awslogs' as const, options: {} } },
        ],
      };
      await rejectsWith(
        ecs.send(new RegisterTaskDefinitionCommand(fargate)),
        'ClientException',
        /^Fargate requires task definition to have execution role ARN to support log driver awslogs\.$/,
      );
      const executionRoleArn = await createExecutionRole(server);
      const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand({ ...fargate, executionRoleArn }));
      assert.equal(taskDefinition?.executionRoleArn, executionRoleArn);
      assert.deepEqual(taskDefinition?.compatibilities, ['EC2', 'FARGATE']);
      assert.ok(taskDefinition?.requiresAttributes?.some((a) => a.name === 'ecs.capability.execution-role-awslogs'));
    });

    it('registers secrets, log secret options and registry credentials, read with the execution role', async () => {
      const secretArn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf';
      const secrets = [
        { name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` },
        { name: 'API_KEY', valueFrom: '/app/api-key' },
      ];
      const secretOptions = [{ name: 'token', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/log-token' }];
      const repositoryCredentials = { credentialsParameter: secretArn };
      const withSecrets = {
        ...container,
        secrets,
        logConfiguration: { logDriver: 'json-file' as const, secretOptions },
        repositoryCredentials,
      };
      const executionRoleArn = await createExecutionRole(server);
      const { taskDefinition } = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'secretive',
          executionRoleArn,
          containerDefinitions: [withSecrets],
        }),
      );
      const registered = taskDefinition?.containerDefinitions?.[0];
      assert.deepEqual(registered?.secrets, secrets);
      assert.deepEqual(registered?.logConfiguration?.secretOptions, secretOptions);
      assert.deepEqual(registered?.repositoryCredentials, repositoryCredentials);
      const required = new Set(taskDefinition?.requiresAttributes?.map((a) => a.name));
      for (const name of [
        'ecs.capability.secrets.asm.environment-variables',
        'ecs.capability.secrets.ssm.environment-variables',
        'ecs.capability.secrets.ssm.bootstrap.log-driver',
        'ecs.capability.private-registry-authentication.secretsmanager',
      ]) {
        assert.ok(required.has(name), name);
      }

      // What ECS refuses, in its words.
      const refused: [object, RegExp][] = [
        [
          { family: 'secretive', containerDefinitions: [{ ...container, secrets }] },
          /^When you are specifying container secrets, you must also specify a value for 'executionRoleArn'\.$/,
        ],
        [
          { family: 'secretive', containerDefinitions: [{ ...container, repositoryCredentials }] },
          /^Private repository authentication requires that the task definition specify a value for executionRoleArn\.$/,
        ],
        [
          {
            family: 'secretive',
            executionRoleArn,
            containerDefinitions: [{ ...container, secrets: [...secrets, { name: 'API_KEY', valueFrom: 'other' }] }],
          },
          /^Duplicate secret names found: API_KEY\. Each secret name must be unique\.$/,
        ],
        [
          {
            family: 'secretive',
            executionRoleArn,
            containerDefinitions: [{ ...container, secrets, environment: [{ name: 'API_KEY', value: 'plain' }] }],
          },
          /^The secret name must be unique and not shared with any new or existing environment variables set on the container, such as 'API_KEY'\.$/,
        ],
        [
          {
            family: 'secretive',
            executionRoleArn,
            containerDefinitions: [{ ...container, secrets: [{ name: 'DB', valueFrom: 'db:password::' }] }],
          },
          /^The Systems Manager parameter name specified for secret DB is invalid\.$/,
        ],
      ];
      for (const [input, message] of refused) {
        await rejectsWith(
          ecs.send(
            new RegisterTaskDefinitionCommand(input as ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0]),
          ),
          'ClientException',
          message,
        );
      }
      // The model requires both members of a secret: AWS's validation answers first.
      await rejectsWith(
        ecs.send(
          new RegisterTaskDefinitionCommand({
            family: 'secretive',
            executionRoleArn,
            containerDefinitions: [{ ...container, secrets: [{ name: 'DB' } as { name: string; valueFrom: string }] }],
          }),
        ),
        'InvalidParameterException',
        /Value null at 'containerDefinitions\.1\.member\.secrets\.1\.member\.valueFrom' failed to satisfy constraint: Member must not be null/,
      );
    });

    it('describes by family, family:revision and ARN, with tags on request', async () => {
      const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
      assert.equal(latest.taskDefinition?.revision, 2);
      const first = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1', include: ['TAGS'] }));
      assert.deepEqual(first.tags, [{ key: 'k', value: 'v' }]);
      const byArn = await ecs.send(
        new DescribeTaskDefinitionCommand({
          taskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
        }),
      );
      assert.equal(byArn.taskDefinition?.revision, 1);
      await rejectsWith(
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:99' })),
        'ClientException',
        /Unable to describe task definition/,
      );
    });

    it('lists revisions and families, sorted and paginated', async () => {
      for (let i = 0; i < 3; i++)
        await ecs.send(new RegisterTaskDefinitionCommand({ family: 'paged', containerDefinitions: [container] }));
      const arns: string[] = [];
      for await (const page of paginateListTaskDefinitions({ client: ecs, pageSize: 2 }, { familyPrefix: 'paged' }))
        arns.push(...(page.taskDefinitionArns ?? []));
      assert.deepEqual(
        arns.map((a) => a.split('/')[1]),
        ['paged:1', 'paged:2', 'paged:3'],
      );
      const desc = await ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: 'paged', sort: 'DESC', maxResults: 1 }),
      );
      assert.deepEqual(
        desc.taskDefinitionArns?.map((a) => a.split('/')[1]),
        ['paged:3'],
      );
      const families = await ecs.send(new ListTaskDefinitionFamiliesCommand({}));
      assert.ok(families.families?.includes('paged') && families.families.includes('web'));
    });

    it('deregisters (INACTIVE) and then deletes, refusing to delete an ACTIVE revision', async () => {
      const out = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'paged:1' }));
      assert.equal(out.taskDefinition?.status, 'INACTIVE');
      assert.ok(out.taskDefinition?.deregisteredAt instanceof Date);
      const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'paged', status: 'INACTIVE' }));
      assert.deepEqual(
        inactive.taskDefinitionArns?.map((a) => a.split('/')[1]),
        ['paged:1'],
      );
      const deleted = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['paged:1', 'paged:2'] }));
      assert.equal(deleted.taskDefinitions?.[0]?.status, 'DELETE_IN_PROGRESS');
      assert.equal(deleted.failures?.[0]?.arn, 'arn:aws:ecs:us-east-1:000000000000:task-definition/paged:2');
      await rejectsWith(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'paged:1' })), 'ClientException');
    });

    it('tags a task definition by ARN', async () => {
      const arn = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2';
      await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'a', value: '1' }] }));
      assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [
        { key: 'a', value: '1' },
      ]);
      await rejectsWith(
        ecs.send(
          new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/nope:1' }),
        ),
        'ResourceNotFoundException',
      );
    });
  });
});
