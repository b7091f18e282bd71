import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteAttributesCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  ListAttributesCommand,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  RegisterContainerInstanceCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';

describe('ECS container instances with the AWS SDK v3', () => {
  let server: TestServer;
  let ecs: ECSClient;
  let arn: string;
  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'hosts' }));
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  const register = (extra: Partial<ConstructorParameters<typeof RegisterContainerInstanceCommand>[0]> = {}) =>
    ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'hosts',
        instanceIdentityDocument: JSON.stringify({
          instanceId: 'i-0123456789abcdef0',
          availabilityZone: 'us-east-1a',
          instanceType: 'm5.large',
        }),
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 3840 },
        ],
        versionInfo: { agentVersion: '1.0.0', dockerVersion: '20.10.24' },
        attributes: [{ name: 'ecs.capability.task-eni' }],
        ...extra,
      }),
    );

  it('registers an instance with its resources, built-in attributes and counts it in the cluster', async () => {
    const { containerInstance } = await register();
    arn = containerInstance!.containerInstanceArn!;
    assert.match(arn, /^arn:aws:ecs:us-east-1:000000000000:container-instance\/hosts\/[0-9a-f]{32}$/);
    assert.equal(containerInstance?.ec2InstanceId, 'i-0123456789abcdef0');
    assert.equal(containerInstance?.status, 'ACTIVE');
    assert.equal(containerInstance?.agentConnected, true);
    const cpu = containerInstance?.registeredResources?.find((r) => r.name === 'CPU');
    assert.equal(cpu?.integerValue, 2048);
    assert.deepEqual(containerInstance?.remainingResources, containerInstance?.registeredResources); // no tasks yet
    const names = containerInstance?.attributes?.map((a) => a.name);
    for (const name of ['ecs.availability-zone', 'ecs.instance-type', 'ecs.os-type', 'ecs.capability.task-eni'])
      assert.ok(names?.includes(name), name);
    const cluster = await ecs.send(new DescribeClustersCommand({ clusters: ['hosts'] }));
    assert.equal(cluster.clusters?.[0]?.registeredContainerInstancesCount, 1);
  });

  it('re-registers the same instance by ARN without a duplicate', async () => {
    const again = await register({ containerInstanceArn: arn });
    assert.equal(again.containerInstance?.containerInstanceArn, arn);
    assert.equal(again.containerInstance?.version, 2);
    const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: 'hosts' }));
    assert.deepEqual(listed.containerInstanceArns, [arn]);
  });

  it('describes by ARN or id, reporting unknown ones as MISSING', async () => {
    const id = arn.split('/').at(-1)!;
    const out = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'hosts', containerInstances: [id, 'f'.repeat(32)] }),
    );
    assert.equal(out.containerInstances?.[0]?.containerInstanceArn, arn);
    assert.equal(out.failures?.[0]?.reason, 'MISSING');
  });

  it('drains and reactivates, and lists by status', async () => {
    const drained = await ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: 'hosts', containerInstances: [arn], status: 'DRAINING' }),
    );
    assert.equal(drained.containerInstances?.[0]?.status, 'DRAINING');
    const draining = await ecs.send(new ListContainerInstancesCommand({ cluster: 'hosts', status: 'DRAINING' }));
    assert.deepEqual(draining.containerInstanceArns, [arn]);
    await ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: 'hosts', containerInstances: [arn], status: 'ACTIVE' }),
    );
    const matching = await ecs.send(
      new ListContainerInstancesCommand({
        cluster: 'hosts',
        filter: 'attribute:ecs.instance-type =~ m5.* and attribute:ecs.availability-zone in (us-east-1a, us-east-1b)',
      }),
    );
    assert.deepEqual(matching.containerInstanceArns, [arn]);
    const none = await ecs.send(
      new ListContainerInstancesCommand({ cluster: 'hosts', filter: 'attribute:ecs.instance-type == t2.*' }),
    );
    assert.deepEqual(none.containerInstanceArns, []);
    await rejectsWith(
      ecs.send(new ListContainerInstancesCommand({ cluster: 'hosts', filter: 'attribute:ecs.instance-type m5.large' })),
      'InvalidParameterException',
      /Invalid filter: Expected an operator .* at position 28/,
    );
  });

  it('puts, lists and deletes custom attributes', async () => {
    await ecs.send(
      new PutAttributesCommand({ cluster: 'hosts', attributes: [{ name: 'stack', value: 'prod', targetId: arn }] }),
    );
    const listed = await ecs.send(
      new ListAttributesCommand({ cluster: 'hosts', targetType: 'container-instance', attributeName: 'stack' }),
    );
    assert.deepEqual(listed.attributes, [
      { name: 'stack', value: 'prod', targetType: 'container-instance', targetId: arn },
    ]);
    // Pages of one, by (instance, name): a page token stays valid while attributes change.
    const first = await ecs.send(
      new ListAttributesCommand({ cluster: 'hosts', targetType: 'container-instance', maxResults: 1 }),
    );
    assert.equal(first.attributes?.length, 1);
    await ecs.send(
      new PutAttributesCommand({ cluster: 'hosts', attributes: [{ name: 'aaa-first', value: 'x', targetId: arn }] }),
    );
    const second = await ecs.send(
      new ListAttributesCommand({
        cluster: 'hosts',
        targetType: 'container-instance',
        maxResults: 1,
        nextToken: first.nextToken,
      }),
    );
    assert.ok(second.attributes![0]!.name! > first.attributes![0]!.name!, 'the next page continues after the first');
    await ecs.send(
      new DeleteAttributesCommand({ cluster: 'hosts', attributes: [{ name: 'aaa-first', targetId: arn }] }),
    );
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'rack', value: 'r1' }] }));
    const { tags } = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.ok(tags?.some((t) => t.key === 'rack' && t.value === 'r1'));
    await rejectsWith(
      ecs.send(
        new PutAttributesCommand({
          cluster: 'hosts',
          attributes: [{ name: 'ecs.instance-type', value: 'x', targetId: arn }],
        }),
      ),
      'InvalidParameterException',
    );
    await rejectsWith(
      ecs.send(new PutAttributesCommand({ cluster: 'hosts', attributes: [{ name: 'a', targetId: 'f'.repeat(32) }] })),
      'TargetNotFoundException',
    );
    await ecs.send(new DeleteAttributesCommand({ cluster: 'hosts', attributes: [{ name: 'stack', targetId: arn }] }));
    const after = await ecs.send(
      new ListAttributesCommand({ cluster: 'hosts', targetType: 'container-instance', attributeName: 'stack' }),
    );
    assert.deepEqual(after.attributes, []);
  });

  it('keeps a cluster with instances from being deleted, until they are deregistered', async () => {
    await rejectsWith(
      ecs.send(new DeleteClusterCommand({ cluster: 'hosts' })),
      'ClusterContainsContainerInstancesException',
    );
    const out = await ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'hosts', containerInstance: arn }));
    assert.equal(out.containerInstance?.status, 'INACTIVE');
    assert.equal(
      (await ecs.send(new DescribeClustersCommand({ clusters: ['hosts'] }))).clusters?.[0]
        ?.registeredContainerInstancesCount,
      0,
    );
    await ecs.send(new DeleteClusterCommand({ cluster: 'hosts' }));
  });
});
