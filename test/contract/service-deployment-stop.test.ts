import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { rejectsWith } from '../../testing/assertions.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { registerVersionedWeb } from '../../testing/load-balancer.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('StopServiceDeployment', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `stop-${randomBytes(4).toString('hex')}`;
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
  let image: string;

  const describeWeb = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0]!;
  const waitFor = async (what: string, done: (service: Service) => boolean): Promise<Service> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const service = await describeWeb();
      if (done(service)) return service;
      assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(service.deployments)}`);
      await sleep(250);
    }
  };

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    image = (await docker.buildBusyboxImage(`berth-stop-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });
  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('rolls an ongoing deployment back to the previous revision', async () => {
    const family = `${cluster}-web`;
    const v1 = await registerVersionedWeb(ecs, { family, image, version: 'v1' });
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: v1,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    await waitFor(
      'v1 rolled out',
      (s) => s.deployments?.length === 1 && s.deployments[0]!.rolloutState === 'COMPLETED',
    );
    const [first] = (await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'web' })))
      .serviceDeployments!;
    // A finished deployment cannot be stopped.
    await rejectsWith(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: first!.serviceDeploymentArn! })),
      'ConflictException',
    );
    // v2's container exits at once: without the circuit breaker, its rollout would go on for ever.
    const v2 = await registerVersionedWeb(ecs, { family, image, version: 'v2', crash: true });
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: v2 }));
    const { serviceDeployments = [] } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'web', status: ['IN_PROGRESS'] }),
    );
    const ongoing = serviceDeployments[0]!.serviceDeploymentArn!;
    await rejectsWith(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: ongoing, stopType: 'ABORT' })),
      'InvalidParameterException',
    );
    const stopped = await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: ongoing }));
    assert.equal(stopped.serviceDeploymentArn, ongoing);
    const after = await waitFor(
      'rolled back',
      (s) => s.deployments?.length === 1 && s.deployments[0]!.rolloutState === 'COMPLETED' && s.runningCount === 1,
    );
    assert.equal(after.taskDefinition, v1);
    assert.equal(after.deployments![0]!.taskDefinition, v1);
    assert.ok(
      after.events?.some((e) => /^\(service web\) rolling back to deployment ecs-svc\/\d+\.$/.test(e.message!)),
    );
    const { serviceDeployments: all = [] } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'web' }),
    );
    assert.equal(all.find((d) => d.serviceDeploymentArn === ongoing)?.status, 'ROLLBACK_SUCCESSFUL');
    await rejectsWith(
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: `arn:aws:ecs:us-east-1:000000000000:service-deployment/${cluster}/web/1`,
        }),
      ),
      'ServiceDeploymentNotFoundException',
    );
  });
});
