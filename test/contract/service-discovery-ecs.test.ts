import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
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
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { cloudMapCli, createPrivateNamespace, waitFor } from '../../testing/cloud-map.ts';
import { holdPort53 } from '../../testing/dns.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

// ECS services in AWS Cloud Map, with real containers: a FARGATE service's tasks are registered
// (with ECS's attributes) once RUNNING, resolvable through Berth's DNS server (from the host and
// from inside a task), deregistered as soon as they are asked to stop, and all of them when the
// service goes. The server's DNS listens on port 53 of the task network's gateway, as the VPC
// resolver answers tasks on AWS: one test file at a time on a host may have it (holdPort53).

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

interface Instance {
  InstanceId: string;
  Attributes: Record<string, string>;
}

describe('ECS service discovery: tasks in Cloud Map and in its DNS', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let image: string;
  let registryArn: string;
  let namespaceId: string;
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `discovery-${suffix}`;
  const namespace = `berth-${suffix}.local`;

  const cli = cloudMapCli(() => server);

  const discovered = async (service = 'web'): Promise<Instance[]> =>
    (
      await cli<{ Instances: Instance[] }>(
        ...['servicediscovery', 'discover-instances', '--namespace-name', namespace, '--service-name', service],
      )
    ).Instances;

  const runningTasks = async (): Promise<string[]> =>
    (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web', desiredStatus: 'RUNNING' }))).taskArns ?? [];
  const addressesOf = async (arns: string[]): Promise<string[]> => {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
    return (tasks ?? [])
      .map((t) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '')
      .sort();
  };

  let releasePort53: (() => Promise<void>) | undefined;

  before(async () => {
    releasePort53 = await holdPort53();
    server = await startTestServer({ BERTH_DNS_PORT: '53' });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    image = (await docker.buildBusyboxImage(`berth-discovery-${suffix}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    namespaceId = await createPrivateNamespace(cli, namespace);
    const { Service } = await cli<{ Service: { Arn: string } }>(
      ...['servicediscovery', 'create-service', '--name', 'web', '--namespace-id', namespaceId],
      ...['--dns-config', 'RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=A,TTL=10}]'],
      ...['--health-check-custom-config', 'FailureThreshold=1'],
    );
    registryArn = Service.Arn;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `web-${suffix}`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image,
            essential: true,
            command: ['httpd', '-f', '-p', '8080', '-h', '/'],
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
  });

  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    await releasePort53?.();
  });

  it("registers a service's RUNNING tasks with ECS's attributes", async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: `web-${suffix}`,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        serviceRegistries: [{ registryArn }],
      }),
    );
    const arns = await waitFor('two running tasks', async () => {
      const running = await runningTasks();
      const addresses = running.length === 2 ? await addressesOf(running) : [];
      return addresses.length === 2 && addresses.every(Boolean) ? running : undefined;
    });
    const addresses = await addressesOf(arns);
    const instances = await waitFor('two instances', async () => {
      const found = await discovered();
      return found.length === 2 ? found : undefined;
    });
    assert.deepEqual(instances.map((i) => i.Attributes.AWS_INSTANCE_IPV4).sort(), addresses);
    assert.deepEqual(instances.map((i) => i.InstanceId).sort(), arns.map((a) => a.split('/').at(-1)!).sort());
    const attributes = instances[0]!.Attributes;
    assert.equal(attributes.ECS_CLUSTER_NAME, cluster);
    assert.equal(attributes.ECS_SERVICE_NAME, 'web');
    assert.equal(attributes.ECS_TASK_DEFINITION_FAMILY, `web-${suffix}`);
    assert.equal(attributes.REGION, 'us-east-1');
    assert.match(attributes.AVAILABILITY_ZONE ?? '', /^us-east-1[a-z]$/);
  });

  it('answers their addresses in DNS, from the host and from inside a task', async () => {
    const addresses = await addressesOf(await runningTasks());
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers(['127.0.0.1:53']);
    assert.deepEqual((await resolver.resolve4(`web.${namespace}`)).sort(), addresses);
    await assert.rejects(resolver.resolve4(`nothing.${namespace}`), { code: 'ENOTFOUND' });

    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `lookup-${suffix}`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'lookup',
            image,
            essential: true,
            // Each web task's httpd serves its own /etc/hostname: 20 fetches by name reach both.
            command: [
              'sh',
              '-c',
              `nslookup web.${namespace} && for i in $(seq 20); do wget -q -O - http://web.${namespace}:8080/etc/hostname; done`,
            ],
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: `lookup-${suffix}`,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
    const stopped = await waitForTask(ecs, cluster, tasks![0]!.taskArn!, isStopped, 90_000);
    const logs = await docker.docker(['logs', stopped.containers![0]!.runtimeId!]);
    for (const address of addresses) assert.ok(logs.stdout.includes(address), `${address} not in ${logs.stdout}`);
    assert.equal(stopped.containers?.[0]?.exitCode, 0, logs.stdout + logs.stderr);
    const { tasks: web } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: await runningTasks() }));
    for (const task of web ?? []) {
      const { stdout } = await docker.docker([
        'inspect',
        '-f',
        '{{.Config.Hostname}}',
        task.containers![0]!.runtimeId!,
      ]);
      assert.ok(logs.stdout.includes(stdout.trim()), `task ${task.taskArn} (${stdout.trim()}) never answered`);
    }
  });

  it('answers a third task within the TTL once it runs', async () => {
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 3 }));
    const arns = await waitFor('three running tasks', async () => {
      const running = await runningTasks();
      const addresses = running.length === 3 ? await addressesOf(running) : [];
      return addresses.length === 3 && addresses.every(Boolean) ? running : undefined;
    });
    const addresses = await addressesOf(arns);
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers(['127.0.0.1:53']);
    const ttlMs = 10_000;
    const answered = await waitFor(
      'three A records',
      async () => {
        const found = (await resolver.resolve4(`web.${namespace}`)).sort();
        return found.length === 3 ? found : undefined;
      },
      ttlMs,
    );
    assert.deepEqual(answered, addresses);
  });

  it('deregisters a task as soon as it is asked to stop', async () => {
    const before = await runningTasks();
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 1 }));
    const stopping = await waitFor('two tasks asked to stop', async () => {
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: before }));
      const asked = tasks?.filter((t) => t.desiredStatus === 'STOPPED') ?? [];
      return asked.length === 2 ? asked : undefined;
    });
    const ids = (await discovered()).map((i) => i.InstanceId);
    for (const task of stopping)
      assert.ok(!ids.includes(task.taskArn!.split('/').at(-1)!), `${task.taskArn} still registered`);
    assert.equal(ids.length, 1);
  });

  it("moves the service's tasks to new registries with a deployment, and deregisters them all when it goes", async () => {
    const { Service } = await cli<{ Service: { Arn: string } }>(
      ...['servicediscovery', 'create-service', '--name', 'web2', '--namespace-id', namespaceId],
      ...['--dns-config', 'RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=A,TTL=10}]'],
    );
    await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'web',
        desiredCount: 1,
        serviceRegistries: [{ registryArn: Service.Arn }],
      }),
    );
    const [moved] = await waitFor('the new deployment in web2 alone', async () => {
      const [old, fresh] = [await discovered(), await discovered('web2')];
      return old.length === 0 && fresh.length === 1 ? fresh : undefined;
    });
    const running = await runningTasks();
    assert.deepEqual(
      running.map((a) => a.split('/').at(-1)),
      [moved!.InstanceId],
    );

    await ecs.send(new DeleteServiceCommand({ cluster, service: 'web', force: true }));
    await waitFor('no instances', async () => ((await discovered('web2')).length === 0 ? true : undefined));
  });

  it('refuses registries ECS refuses', async () => {
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: 'bad',
          taskDefinition: `web-${suffix}`,
          desiredCount: 0,
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
          serviceRegistries: [{ registryArn, containerName: 'web', containerPort: 8080 }],
        }),
      ),
      {
        name: 'InvalidParameterException',
        message:
          "The values specified for serviceRegistries do not require a value for 'containerPort'. Remove the value and retry.",
      },
    );
  });
});
