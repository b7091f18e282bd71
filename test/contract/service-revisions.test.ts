import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { registerVersionedWeb } from '../../testing/load-balancer.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// A service of 0 tasks: its deployments and revisions exist without a container.
describe('DescribeServiceRevisions', () => {
  let server: TestServer;
  let ecs: ECSClient;
  const cluster = 'revisions';
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
  const register = (version: string) =>
    registerVersionedWeb(ecs, { family: 'revisions-web', image: 'busybox:latest', version });

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });
  after(async () => {
    ecs?.destroy();
    await server?.stop();
  });

  it("describes each deployment's target revision: its task definition, launch type and network", async () => {
    const v1 = await register('v1');
    const v2 = await register('v2');
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: v1,
        desiredCount: 0,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    await sleep(1_500); // a scheduler pass completes the empty rollout
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: v2 }));
    const { serviceDeployments: briefs = [] } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'web' }),
    );
    assert.equal(briefs.length, 2);
    const { serviceDeployments = [] } = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: briefs.map((b) => b.serviceDeploymentArn!) }),
    );
    const arns = serviceDeployments.map((d) => d.targetServiceRevision?.arn ?? '');
    for (const arn of arns)
      assert.match(arn, /^arn:aws:ecs:us-east-1:000000000000:service-revision\/revisions\/web\/\d+$/);
    const missing = 'arn:aws:ecs:us-east-1:000000000000:service-revision/revisions/web/1234';
    const { serviceRevisions = [], failures } = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [...arns, missing] }),
    );
    assert.deepEqual(
      serviceRevisions.map((r) => [r.serviceRevisionArn, r.taskDefinition, r.launchType]),
      [
        [arns[0], v2, 'FARGATE'],
        [arns[1], v1, 'FARGATE'],
      ],
    );
    assert.equal(serviceRevisions[0]!.serviceArn, 'arn:aws:ecs:us-east-1:000000000000:service/revisions/web');
    assert.deepEqual(serviceRevisions[0]!.networkConfiguration?.awsvpcConfiguration?.subnets, ['subnet-1']);
    assert.ok(serviceRevisions[0]!.createdAt instanceof Date);
    assert.deepEqual(failures, [{ arn: missing, reason: 'MISSING' }]);
  });
});
