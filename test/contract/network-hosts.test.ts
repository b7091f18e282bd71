import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerInstance,
} from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createHttpLoadBalancer, freePort } from '../../testing/load-balancer.ts';
import {
  busyboxSkipReason,
  dockerSkipReason,
  DockerSession,
  runCommand,
  skopeoSkipReason,
} from '../../testing/docker.ts';
import {
  HostNetwork,
  IP,
  NamespaceEngine,
  networkHostsSkipReason,
  type NetworkHost,
} from '../../testing/network-hosts.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// Hosts across a network, on one machine: two network namespaces joined to the root one by veth
// pairs on a bridge, each with a Docker engine of its own and a `berth agent` inside, joined to the
// server over HTTPS at its bridge address (verified with the Berth CA). A bridge-mode service runs
// a task on each; the images are pulled by the namespaces' engines over HTTPS from Berth's registry,
// and the load balancer (in the root namespace) reaches the tasks at each host's own address.
const skip = networkHostsSkipReason() || dockerSkipReason() || busyboxSkipReason() || skopeoSkipReason();

interface Host {
  readonly net: NetworkHost;
  readonly engine: NamespaceEngine;
  agent?: AgentProcess;
}

describe('agents on two hosts across a network (namespaces), over TLS', { skip, timeout: 600_000 }, () => {
  let network: HostNetwork | undefined;
  let server: TestServer | undefined;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const hosts: Host[] = [];
  const docker = new DockerSession();
  const work = mkdtempSync(join(tmpdir(), 'berth-nh-'));
  const cluster = `nh-${randomBytes(4).toString('hex')}`;
  let registry: string;
  let image: string;

  before(async () => {
    network = await HostNetwork.create();
    const nets = [await network.addHost(), await network.addHost()];
    // HTTPS on the bridge's address: the certificate the Berth CA issues covers it (BERTH_TLS_HOST),
    // and the registry is named by it (BERTH_REGISTRY_HOST: repository URIs, ECR tokens' proxyEndpoint).
    registry = `${network.gateway}:${await freePort()}`;
    server = await startTestServer({
      BERTH_TLS_PORT: registry.split(':')[1]!,
      BERTH_TLS_HOST: network.gateway,
      BERTH_REGISTRY_HOST: registry,
      BERTH_MANAGED_CAPACITY: 'off',
    });
    assert.ok(server.httpsUrl && server.caCertificatePath);
    assert.equal(new URL(server.httpsUrl).host, registry);
    const caPem = readFileSync(server.caCertificatePath, 'utf8');
    const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(options);
    elb = new ElasticLoadBalancingV2Client(options);
    for (const [index, net] of nets.entries()) {
      const engine = new NamespaceEngine(net, { bip: `172.31.${250 + index}.1/24`, trust: { registry, caPem } });
      hosts.push({ net, engine });
    }
    await Promise.all(hosts.map((host) => host.engine.start()));
    image = await pushImage(server, caPem);
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const [index, host] of hosts.entries()) {
      host.agent = await spawnAgent(
        {
          AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
          DOCKER_HOST: host.engine.dockerHost,
        },
        [
          ...['--endpoint', server.httpsUrl, '--ca-bundle', server.caCertificatePath, '--cluster', cluster],
          ...['--availability-zone', `us-east-1${'ab'[index]}`, '--cpu', '1024', '--memory', '512'],
          ...['--data-dir', join(work, `agent-${index}`)],
        ],
        { within: host.net.within },
      );
    }
  });

  /** Copies a FROM-scratch busybox image into the registry over HTTPS (skopeo trusting the CA). */
  async function pushImage(at: TestServer, caPem: string): Promise<string> {
    const ecr = new ECRClient({ endpoint: at.url, region: 'us-east-1', credentials: at.credentials });
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: `${cluster}/web` }));
    assert.equal(repository?.repositoryUri, `${registry}/${cluster}/web`);
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!;
    ecr.destroy();
    const certDir = join(work, 'skopeo-certs');
    mkdirSync(certDir);
    writeFileSync(join(certDir, 'ca.crt'), caPem);
    const built = await docker.buildBusyboxImage(`berth-nh-${randomBytes(4).toString('hex')}:1`);
    const reference = `${registry}/${cluster}/web:v1`;
    const copied = await docker.skopeo([
      'copy',
      ...['--dest-cert-dir', certDir, '--dest-creds', Buffer.from(token, 'base64').toString('utf8')],
      `docker-daemon:${built.tag}`,
      `docker://${reference}`,
    ]);
    assert.equal(copied.code, 0, copied.stderr);
    return reference;
  }

  after(async () => {
    const problems: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        const found = await step();
        if (Array.isArray(found)) problems.push(...(found as string[]));
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    for (const host of hosts) {
      await attempt('agent', async () => {
        host.agent?.child.kill('SIGTERM');
        await host.agent?.exited;
      });
    }
    ecs?.destroy();
    elb?.destroy();
    await attempt('server', async () => server?.stop());
    for (const host of hosts) await attempt('engine', () => host.engine.stop());
    await attempt('network', async () => network?.destroy());
    await attempt('images', () => docker.cleanup());
    rmSync(work, { recursive: true, force: true });
    assert.deepEqual(problems, [], 'clean-up');
  });

  it('registers each agent at its namespace address, over HTTPS', async () => {
    const instances = await describeInstances();
    assert.equal(instances.length, 2);
    for (const [index, host] of hosts.entries()) {
      const instance = instances.find((i) => i.containerInstanceArn === host.agent!.containerInstanceArn)!;
      const address = instance.attributes?.find((a) => a.name === 'berth.host-address')?.value;
      assert.equal(address, host.net.address, `host ${index}'s berth.host-address`);
      assert.equal(instance.agentConnected, true);
    }
  });

  it("keeps each engine's iptables rules in its own namespace", async () => {
    const rootRules = await runCommand('iptables', ['-t', 'nat', '-S'], { timeoutMs: 30_000 });
    assert.equal(rootRules.code, 0, rootRules.stderr);
    for (const [index, host] of hosts.entries()) {
      const bridge = `172.31.${250 + index}.0/24`;
      const own = await runCommand(IP, ['netns', 'exec', host.net.namespace, 'iptables', '-t', 'nat', '-S']);
      assert.equal(own.code, 0, own.stderr);
      assert.ok(own.stdout.includes(`-A POSTROUTING -s ${bridge} ! -o docker0 -j MASQUERADE`), own.stdout);
      assert.ok(!rootRules.stdout.includes(bridge), `the root namespace has a rule for ${bridge}`);
    }
  });

  it('runs a bridge-mode task on each host, pulled over HTTPS, served by the load balancer at the host address', async () => {
    const { targetGroupArn, url } = await createHttpLoadBalancer(elb, cluster, { targetType: 'instance', port: 80 });
    const serve = 'mkdir -p /www && hostname > /www/index.html && httpd -f -p 8080 -h /www';
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-web`,
        networkMode: 'bridge',
        containerDefinitions: [
          {
            name: 'web',
            image,
            memory: 64,
            cpu: 64,
            command: ['sh', '-c', serve],
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
            stopTimeout: 2,
          },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: taskDefinition!.taskDefinitionArn,
        desiredCount: 2,
        launchType: 'EC2',
        placementConstraints: [{ type: 'distinctInstance' }],
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
      }),
    );
    const targets = await waitHealthy(targetGroupArn, 2);
    const instances = await describeInstances();
    assert.deepEqual(
      targets.map((t) => t.Target!.Id).sort(),
      instances.map((i) => i.ec2InstanceId).sort(),
      'one target per host',
    );

    // Each engine pulled the image itself from the registry's HTTPS address and runs one task.
    const bodies = new Map<string, string>();
    for (const host of hosts) {
      const pulled = await host.engine.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, new RegExp(`"${registry}/${cluster}/web@sha256:[0-9a-f]{64}"`));
      const ids = (await host.engine.docker(['ps', '-q', '--filter', `ancestor=${image}`])).stdout.trim().split('\n');
      assert.equal(ids.length, 1, `one task container on ${host.net.namespace}`);
      const hostname = await host.engine.docker(['inspect', '--format', '{{.Config.Hostname}}', ids[0]!]);
      bodies.set(hostname.stdout.trim(), host.net.namespace);
    }

    // The load balancer's view: each host's task at that host's address.
    const ports = new Map(targets.map((t) => [t.Target!.Id!, t.Target!.Port!]));
    for (const host of hosts) {
      const instance = instances.find((i) => i.containerInstanceArn === host.agent!.containerInstanceArn)!;
      const port = ports.get(instance.ec2InstanceId!)!;
      const direct = await fetch(`http://${host.net.address}:${port}/`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(bodies.get((await direct.text()).trim()), host.net.namespace, `${host.net.address}:${port}`);
    }

    // Through the load balancer: both hosts answer, no request fails (at most 60 requests).
    const seen = new Set<string>();
    const failures: string[] = [];
    for (let n = 0; n < 60 && seen.size < 2; n++) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = (await response.text()).trim();
        if (response.status !== 200 || !bodies.has(body)) failures.push(`${response.status} ${body}`);
        else seen.add(bodies.get(body)!);
      } catch (error) {
        failures.push(String(error));
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual([...seen].sort(), hosts.map((h) => h.net.namespace).sort());
  });

  async function describeInstances(): Promise<ContainerInstance[]> {
    const arns = hosts.map((h) => h.agent!.containerInstanceArn);
    const { containerInstances = [] } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }),
    );
    return containerInstances;
  }

  async function waitHealthy(targetGroupArn: string, count: number): Promise<TargetHealthDescription[]> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const { TargetHealthDescriptions: now = [] } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      );
      if (now.length === count && now.every((d) => d.TargetHealth?.State === 'healthy')) return now;
      if (Date.now() > deadline) {
        const service = await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }));
        const logs = hosts.map(
          (h) => `${h.net.namespace}:\n${h.agent?.output().slice(-3000)}\n${h.engine.logTail(10)}`,
        );
        assert.fail(`targets not healthy: ${JSON.stringify({ now, events: service.services?.[0]?.events })}\n${logs}`);
      }
      await sleep(500);
    }
  }
});
