import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DescribeCapacityProvidersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { rejectsWith } from '../../testing/assertions.ts';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// ECS's checks and defaults as AWS answers them (issue #16, item 4), through the AWS SDK v3 and CLI v2.
describe('ECS request checks and defaults as AWS gives them', () => {
  let server: TestServer;
  let ecs: ECSClient;
  const cluster = 'checks';

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  it('refuses DescribeTasks and DescribeContainerInstances with an empty list, in ECS words', async () => {
    await rejectsWith(
      ecs.send(new DescribeTasksCommand({ cluster, tasks: [] })),
      'InvalidParameterException',
      /^Tasks cannot be empty\.$/,
    );
    await rejectsWith(
      ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [] })),
      'InvalidParameterException',
      /^Container instance cannot be empty\.$/,
    );
    await rejectsWith(
      ecs.send(new DescribeServicesCommand({ cluster, services: [] })),
      'InvalidParameterException',
      /^Services cannot be empty\.$/,
    );
  });

  it("answers the CLI's describe-tasks with no task as ECS does", { skip: awsCliSkipReason() }, async () => {
    const result = await awsCliFor(server, 'ecs').run('describe-tasks', '--cluster', cluster, '--tasks');
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /An error occurred \(InvalidParameterException\) when calling the DescribeTasks operation: Tasks cannot be empty\./,
    );
  });

  it('lists the revisions of the family familyPrefix names, not of families it begins', async () => {
    const register = (family: string) =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [{ name: 'app', image: 'busybox', memory: 32 }],
        }),
      );
    for (const family of ['web', 'web', 'webapp', 'web-worker', 'we']) await register(family);
    const arns = async (sort: 'ASC' | 'DESC', maxResults?: number) => {
      const listed: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ecs.send(
          new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort, maxResults, nextToken }),
        );
        listed.push(...(page.taskDefinitionArns ?? []).map((arn) => arn.split('/').at(-1)!));
        nextToken = page.nextToken;
      } while (nextToken);
      return listed;
    };
    assert.deepEqual(await arns('ASC'), ['web:1', 'web:2']);
    assert.deepEqual(await arns('DESC'), ['web:2', 'web:1']);
    assert.deepEqual(await arns('DESC', 1), ['web:2', 'web:1']);
    assert.deepEqual(await arns('ASC', 1), ['web:1', 'web:2']);
    // ListTaskDefinitionFamilies' familyPrefix stays a prefix.
    const { families } = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'web' }));
    assert.deepEqual(families, ['web', 'web-worker', 'webapp']);
  });

  it('refuses pidMode host for FARGATE (as commit 57e33f1 made it)', async () => {
    await rejectsWith(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'fargate-pid',
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          pidMode: 'host',
          containerDefinitions: [{ name: 'app', image: 'busybox' }],
        }),
      ),
      'ClientException',
      /do not support pidMode 'host'/,
    );
  });

  it('fills in an EFS volume\'s default rootDirectory "/"', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'efs',
        volumes: [
          { name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0' } },
          { name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', rootDirectory: '/data' } },
        ],
        containerDefinitions: [{ name: 'app', image: 'busybox', memory: 32 }],
      }),
    );
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'efs' }));
    assert.deepEqual(
      taskDefinition?.volumes?.map((v) => [v.name, v.efsVolumeConfiguration?.rootDirectory]),
      [
        ['shared', '/'],
        ['data', '/data'],
      ],
    );
  });

  it('creates a capacity provider for an Auto Scaling group given by name, as the model allows', async () => {
    const { capacityProvider } = await ecs.send(
      new CreateCapacityProviderCommand({
        name: 'by-name',
        autoScalingGroupProvider: { autoScalingGroupArn: 'my-asg' },
      }),
    );
    assert.equal(capacityProvider?.autoScalingGroupProvider?.autoScalingGroupArn, 'my-asg');
    const { capacityProviders } = await ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: ['by-name'] }),
    );
    assert.equal(capacityProviders?.[0]?.autoScalingGroupProvider?.autoScalingGroupArn, 'my-asg');
  });
});
