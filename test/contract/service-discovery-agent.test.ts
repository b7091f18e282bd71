import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { cloudMapCli, createPrivateNamespace, waitFor } from '../../testing/cloud-map.ts';
import { holdPort53 } from '../../testing/dns.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { networkGateway } from '../../testing/role-probe.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

// SRV records for a bridge-mode service on `berth agent`, with dynamic host ports: each task is
// registered at its host's address and the host port Docker chose, and a bridge container on the
// agent's host resolves them through the agent's own DNS view (on the bridge gateway, port 53),
// which asks the server for Cloud Map's names: the server's DNS is on another port here, as it is
// on another machine for a remote host.

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

interface Instance {
  InstanceId: string;
  Attributes: Record<string, string>;
}

describe('ECS service discovery on `berth agent`: SRV records with dynamic host ports', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let agent: AgentProcess | undefined;
  let image: string;
  let registryArn: string;
  let releasePort53: (() => Promise<void>) | undefined;
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `discovery-agent-${suffix}`;
  const namespace = `berth-${suffix}.internal`;
  const work = mkdtempSync(join(tmpdir(), 'berth-discovery-agent-'));

  const cli = cloudMapCli(() => server);

  before(async () => {
    // The agent binds port 53 on docker0's gateway: one such test file at a time on this host.
    releasePort53 = await holdPort53();
    server = await startTestServer({ BERTH_DNS_PORT: '0' });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    image = (await docker.buildBusyboxImage(`berth-discovery-agent-${suffix}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await spawnAgent(
      {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        BERTH_ENDPOINT: server.url,
        ECS_CONTAINER_STOP_TIMEOUT: '1s',
      },
      [
        ...['--cluster', cluster, '--cpu', '2048', '--memory', '2048', '--data-dir', join(work, 'agent')],
        // Its tasks' host ports are reached at docker0's gateway, from this host and its containers alike
        // (an agent whose server is on loopback has no address of its own to register them at).
        ...['--attribute', `berth.host-address=${await networkGateway(docker, 'bridge')}`],
      ],
    );
    const namespaceId = await createPrivateNamespace(cli, namespace);
    const { Service } = await cli<{ Service: { Arn: string } }>(
      ...['servicediscovery', 'create-service', '--name', 'api', '--namespace-id', namespaceId],
      ...['--dns-config', 'RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=SRV,TTL=10}]'],
    );
    registryArn = Service.Arn;
  });

  after(async () => {
    if (agent && agent.child.exitCode === null && agent.child.signalCode === null) {
      agent.child.kill('SIGTERM');
      const stopped = await Promise.race([agent.exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      if (stopped === undefined) agent.child.kill('SIGKILL');
    }
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
    await releasePort53?.();
  });

  it('registers each task at its host port, and a bridge container resolves the SRV records', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `api-${suffix}`,
        networkMode: 'bridge',
        containerDefinitions: [
          {
            name: 'web',
            image,
            memory: 64,
            essential: true,
            command: ['httpd', '-f', '-p', '8080', '-h', '/'],
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
          },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'api',
        taskDefinition: `api-${suffix}`,
        desiredCount: 2,
        launchType: 'EC2',
        serviceRegistries: [{ registryArn, containerName: 'web', containerPort: 8080 }],
      }),
    );
    const ports = await waitFor('two running tasks with host ports', async () => {
      const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'api' }));
      if (taskArns?.length !== 2) return undefined;
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
      const found = (tasks ?? []).map((t) => t.containers?.[0]?.networkBindings?.[0]?.hostPort);
      return tasks?.every((t) => t.lastStatus === 'RUNNING') && found.every(Boolean) ? found.map(String) : undefined;
    });
    assert.notDeepEqual(ports, ['8080', '8080']);
    const gateway = await networkGateway(docker, 'bridge');
    const instances = await waitFor('two instances', async () => {
      const { Instances } = await cli<{ Instances: Instance[] }>(
        ...['servicediscovery', 'discover-instances', '--namespace-name', namespace, '--service-name', 'api'],
      );
      return Instances.length === 2 ? Instances : undefined;
    });
    assert.deepEqual(instances.map((i) => i.Attributes.AWS_INSTANCE_PORT).sort(), [...ports].sort());
    for (const instance of instances) assert.equal(instance.Attributes.AWS_INSTANCE_IPV4, gateway);

    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `lookup-${suffix}`,
        networkMode: 'bridge',
        containerDefinitions: [
          {
            name: 'lookup',
            image,
            memory: 32,
            essential: true,
            // The SRV records, then each instance's httpd at the address and port they name.
            command: [
              'sh',
              '-c',
              `nslookup -type=SRV api.${namespace} && for p in ${ports.join(' ')}; do wget -q -O - http://${gateway}:$p/etc/hostname; done`,
            ],
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(
      new RunTaskCommand({ cluster, taskDefinition: `lookup-${suffix}`, launchType: 'EC2' }),
    );
    const stopped = await waitForTask(ecs, cluster, tasks![0]!.taskArn!, isStopped, 90_000);
    const id = stopped.containers![0]!.runtimeId!;
    const logs = await docker.docker(['logs', id]);
    const dns = await docker.docker(['inspect', '-f', '{{json .HostConfig.Dns}}', id]);
    assert.equal(stopped.containers?.[0]?.exitCode, 0, logs.stdout + logs.stderr);
    for (const port of ports) assert.match(logs.stdout, new RegExp(`\\b${port}\\b`), `port ${port} in ${logs.stdout}`);
    assert.equal(dns.stdout.trim(), JSON.stringify([gateway]));
    const { tasks: api } = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: instances.map((i) => i.InstanceId) }),
    );
    for (const task of api ?? []) {
      const hostname = await docker.docker(['inspect', '-f', '{{.Config.Hostname}}', task.containers![0]!.runtimeId!]);
      assert.ok(
        logs.stdout.includes(hostname.stdout.trim()),
        `${task.taskArn} not reached: ${logs.stdout}${logs.stderr}`,
      );
    }

    await ecs.send(new DeleteServiceCommand({ cluster, service: 'api', force: true }));
    await waitFor('no instances', async () => {
      const { Instances } = await cli<{ Instances: Instance[] }>(
        ...['servicediscovery', 'discover-instances', '--namespace-name', namespace, '--service-name', 'api'],
      );
      return Instances.length === 0 ? true : undefined;
    });
  });
});
