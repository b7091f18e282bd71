import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DeleteCapacityProviderCommand,
  DescribeCapacityProvidersCommand,
  ECSClient,
  ListTagsForResourceCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
  UpdateCapacityProviderCommand,
} from '@aws-sdk/client-ecs';
import { rejectsWith } from '../../testing/assertions.ts';
import { awsCliFor } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

const ASG = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/hosts';

describe('ECS capacity providers with the AWS SDK v3 and the CLI', () => {
  let server: TestServer;
  let ecs: ECSClient;
  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  it('describes the built-in FARGATE and FARGATE_SPOT providers', async () => {
    const { capacityProviders } = await ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.deepEqual(
      capacityProviders?.slice(0, 2).map((p) => [p.name, p.status, p.type]),
      [
        ['FARGATE', 'ACTIVE', 'FARGATE'],
        ['FARGATE_SPOT', 'ACTIVE', 'FARGATE_SPOT'],
      ],
    );
    assert.equal(
      capacityProviders?.[0]?.capacityProviderArn,
      'arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE',
    );
  });

  it('creates one with ECS defaults, refuses a duplicate and reserved names', async () => {
    const { capacityProvider } = await ecs.send(
      new CreateCapacityProviderCommand({
        name: 'hosts',
        autoScalingGroupProvider: {
          autoScalingGroupArn: ASG,
          managedScaling: { status: 'ENABLED', targetCapacity: 80 },
        },
        tags: [{ key: 'team', value: 'ops' }],
      }),
    );
    assert.equal(capacityProvider?.status, 'ACTIVE');
    assert.equal(capacityProvider?.type, 'EC2_AUTOSCALING');
    assert.deepEqual(capacityProvider?.autoScalingGroupProvider?.managedScaling, {
      status: 'ENABLED',
      targetCapacity: 80,
      minimumScalingStepSize: 1,
      maximumScalingStepSize: 10000,
      instanceWarmupPeriod: 300,
    });
    await rejectsWith(
      ecs.send(
        new CreateCapacityProviderCommand({ name: 'hosts', autoScalingGroupProvider: { autoScalingGroupArn: ASG } }),
      ),
      'ClientException',
    );
    await rejectsWith(
      ecs.send(
        new CreateCapacityProviderCommand({
          name: 'fargate-x',
          autoScalingGroupProvider: { autoScalingGroupArn: ASG },
        }),
      ),
      'ClientException',
      /cannot be prefixed/,
    );
    const missing = await ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: ['hosts', 'nope'], include: ['TAGS'] }),
    );
    assert.equal(missing.capacityProviders?.[0]?.name, 'hosts');
    assert.deepEqual(missing.capacityProviders?.[0]?.tags, [{ key: 'team', value: 'ops' }]);
    assert.equal(missing.failures?.[0]?.reason, 'MISSING');
  });

  it('paginates, updates, tags, and runs EC2 tasks from a strategy naming it', async () => {
    const first = await ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 2 }));
    assert.equal(first.capacityProviders?.length, 2);
    const second = await ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 2, nextToken: first.nextToken }));
    assert.deepEqual(
      second.capacityProviders?.map((p) => p.name),
      ['hosts'],
    );

    const { capacityProvider } = await ecs.send(
      new UpdateCapacityProviderCommand({
        name: 'hosts',
        autoScalingGroupProvider: { managedTerminationProtection: 'ENABLED' },
      }),
    );
    assert.equal(capacityProvider?.autoScalingGroupProvider?.managedTerminationProtection, 'ENABLED');
    assert.equal(capacityProvider?.updateStatus, 'UPDATE_COMPLETE');
    await ecs.send(
      new TagResourceCommand({ resourceArn: capacityProvider!.capacityProviderArn!, tags: [{ key: 'k', value: 'v' }] }),
    );
    const { tags } = await ecs.send(
      new ListTagsForResourceCommand({ resourceArn: capacityProvider!.capacityProviderArn! }),
    );
    assert.equal(tags?.length, 2);

    await ecs.send(new CreateClusterCommand({ clusterName: 'cp' }));
    await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: 'cp',
        capacityProviders: ['hosts', 'FARGATE'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'hosts', weight: 1 }],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'cp',
        containerDefinitions: [{ name: 'a', image: 'b', memory: 10 }],
      }),
    );
    // The default strategy names an Auto Scaling group provider: EC2, placed on instances (none here).
    await rejectsWith(
      ecs.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: 'cp' })),
      'InvalidParameterException',
      /No Container Instances/,
    );
    await rejectsWith(
      ecs.send(
        new RunTaskCommand({
          cluster: 'cp',
          taskDefinition: 'cp',
          capacityProviderStrategy: [{ capacityProvider: 'hosts' }, { capacityProvider: 'FARGATE' }],
        }),
      ),
      'InvalidParameterException',
      /mix of capacity providers/,
    );
  });

  it('refuses to delete one a cluster uses, then deletes it (INACTIVE), with the CLI', async () => {
    await rejectsWith(
      ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'hosts' })),
      'ClientException',
      /in use/,
    );
    await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: 'cp',
        capacityProviders: [],
        defaultCapacityProviderStrategy: [],
      }),
    );
    const aws = awsCliFor(server, 'ecs');
    const deleted = await aws.json<{ capacityProvider: { status: string; updateStatus: string } }>(
      'delete-capacity-provider',
      '--capacity-provider',
      'hosts',
    );
    assert.equal(deleted.capacityProvider.status, 'INACTIVE');
    assert.equal(deleted.capacityProvider.updateStatus, 'DELETE_COMPLETE');
    await rejectsWith(
      ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'FARGATE' })),
      'InvalidParameterException',
    );
    const described = await aws.json<{ capacityProviders: { name: string }[] }>('describe-capacity-providers');
    assert.deepEqual(
      described.capacityProviders.map((p) => p.name),
      ['FARGATE', 'FARGATE_SPOT', 'hosts'],
    );
  });
});
