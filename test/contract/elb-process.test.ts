import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import {
  CreateListenerCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { probeLb } from '../../src/cmd/lb-lock.ts';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { waitFor } from '../../testing/cloud-map.ts';
import { startTarget, type TestTarget } from '../../testing/elb-proxy.ts';
import { createHttpLoadBalancer, freePort, SteadyClient, type HttpLoadBalancer } from '../../testing/load-balancer.ts';
import { spawnServer, type ServerProcess } from '../../testing/server-process.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'berth.js');
const root = { accessKeyId: 'AKIALBPROCESS0000000', secretAccessKey: 'lb-process-test-secret-key' };

/**
 * The load balancer data plane in its own process (docs/load-balancer-process.md): `berth server`
 * starts a `berth lb` that outlives it, a restarted server finds it, and traffic through its
 * listeners never notices the server going away.
 */
describe('berth lb: the load balancer in its own process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-lbp-'));
  const stateDir = join(dataDir, 'lb');
  const env = {
    BERTH_DATA_DIR: dataDir,
    BERTH_MANAGED_CAPACITY: 'off',
    BERTH_ROOT_ACCESS_KEY_ID: root.accessKeyId,
    BERTH_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey,
    BERTH_METRICS_PUBLISH_MS: '1000',
  };
  let server: ServerProcess;
  let a: TestTarget;
  let b: TestTarget;
  let lb: HttpLoadBalancer;
  const elb = () =>
    new ElasticLoadBalancingV2Client({ endpoint: server.url, region: 'us-east-1', credentials: root, maxAttempts: 1 });
  const lbPid = async () => (await probeLb(stateDir))?.pid;
  const lbLog = () => {
    try {
      return readFileSync(join(stateDir, 'lb.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const restart = async (signal: 'SIGTERM' | 'SIGKILL') => {
    server.child.kill(signal);
    await server.exited;
    server = await spawnServer(env);
  };

  before(async () => {
    a = await startTarget('a');
    b = await startTarget('b');
    server = await spawnServer(env);
    lb = await createHttpLoadBalancer(elb(), 'lbp', { targetType: 'ip', port: a.port, healthCheckPath: '/health' });
    await elb().send(new RegisterTargetsCommand({ TargetGroupArn: lb.targetGroupArn, Targets: [{ Id: '127.0.0.1' }] }));
    await waitFor('the listener to answer', async () => {
      const response = await fetch(lb.url).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    });
  });

  after(async () => {
    server.child.kill('SIGKILL');
    const pid = await lbPid();
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    await a.close();
    await b.close();
    rmSync(dataDir, { recursive: true, force: true }); // an lb still running stops when its state folder goes
  });

  it('drops no request while the server restarts (SIGTERM) and is killed (SIGKILL), and keeps its lb', async (t) => {
    const pid = await lbPid();
    assert.ok(pid !== undefined && pid !== server.child.pid, `an lb of its own runs:\n${lbLog()}`);
    const client = new SteadyClient(lb.url);
    try {
      await waitFor('requests before the restart', async () => (client.bodies.length >= 20 ? true : undefined));
      await restart('SIGTERM');
      const afterTerm = client.bodies.length;
      await waitFor('requests after it', async () => (client.bodies.length >= afterTerm + 20 ? true : undefined));
      await restart('SIGKILL');
      const afterKill = client.bodies.length;
      await waitFor('requests after the kill', async () => (client.bodies.length >= afterKill + 20 ? true : undefined));
    } finally {
      await client.stop();
    }
    t.diagnostic(
      `${client.bodies.length} requests across a SIGTERM restart and a SIGKILL one, ${client.failures.length} failed`,
    );
    assert.deepEqual(client.failures, [], `every request answered:\n${lbLog()}`);
    assert.ok(client.bodies.length >= 60 && client.bodies.every((body) => body === 'a'));
    assert.equal(await lbPid(), pid, 'the restarted servers found the running lb instead of starting another');
    // Health comes from the lb's checks, reported over the channel to the new server.
    const health = await waitFor('the target healthy', async () => {
      const { TargetHealthDescriptions } = await elb().send(
        new DescribeTargetHealthCommand({ TargetGroupArn: lb.targetGroupArn }),
      );
      return TargetHealthDescriptions?.[0]?.TargetHealth?.State === 'healthy' ? TargetHealthDescriptions : undefined;
    });
    assert.deepEqual(
      health.map((d) => [d.Target?.Id, d.Target?.Port]),
      [['127.0.0.1', a.port]],
    );
  });

  it('takes changes made after the restart: a new target, a new listener, and refuses a port in use', async () => {
    await elb().send(
      new RegisterTargetsCommand({ TargetGroupArn: lb.targetGroupArn, Targets: [{ Id: '127.0.0.1', Port: b.port }] }),
    );
    await waitFor('the new target to take requests', async () => {
      const response = await fetch(lb.url);
      return (await response.text()) === 'b' ? true : undefined;
    });
    const port = await freePort();
    await elb().send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.loadBalancerArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'second' } }],
      }),
    );
    // CreateListener answered once the lb had bound the port.
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'second');
    const busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const taken = (busy.address() as { port: number }).port;
      await assert.rejects(
        elb().send(
          new CreateListenerCommand({
            LoadBalancerArn: lb.loadBalancerArn,
            Protocol: 'HTTP',
            Port: taken,
            DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
          }),
        ),
        (error: Error) => /^InvalidConfigurationRequest/.test(error.name) && /already in use/.test(error.message),
      );
    } finally {
      busy.close();
    }
    assert.equal(
      await (await fetch(`http://127.0.0.1:${port}/`)).text(),
      'second',
      'the refused change left the lb as it was',
    );
  });

  it('reports its traffic to the server for the AWS/ApplicationELB metrics', { skip: awsCliSkipReason() }, async () => {
    const dimension = lb.loadBalancerArn.slice(lb.loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
    const requestCount = async () => {
      const { Datapoints } = await awsCliFor({ url: server.url, credentials: root }, 'cloudwatch').json<{
        Datapoints: { Sum: number }[];
      }>(
        'get-metric-statistics',
        ...['--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCount', '--statistics', 'Sum'],
        ...['--dimensions', `Name=LoadBalancer,Value=${dimension}`, '--period', '60'],
        ...['--start-time', new Date(Date.now() - 900_000).toISOString()],
        ...['--end-time', new Date(Date.now() + 60_000).toISOString()],
      );
      return Datapoints.reduce((sum, point) => sum + point.Sum, 0);
    };
    const before = await requestCount();
    for (let i = 0; i < 20; i++) assert.equal((await fetch(lb.url)).status, 200);
    // Counted by the lb, reported over the channel, published by the server (each second here).
    await waitFor(
      'the requests in RequestCount',
      async () => ((await requestCount()) >= before + 20 ? true : undefined),
      60_000,
    );
  });

  it('serves its saved configuration when it restarts while the server is down', async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    const pid = (await lbPid())!;
    process.kill(pid, 'SIGTERM');
    await waitFor('the lb to stop', async () => ((await lbPid()) === undefined ? true : undefined));
    const child = spawn(
      process.execPath,
      [BIN, 'lb', '--state-dir', stateDir, '--endpoint-file', join(stateDir, 'server.json')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ACCESS_KEY_ID: root.accessKeyId,
          AWS_SECRET_ACCESS_KEY: root.secretAccessKey,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(
        'the new lb to serve',
        async () => {
          const response = await fetch(lb.url).catch(() => undefined);
          return response?.status === 200 ? true : undefined;
        },
        20_000,
      );
      const bodies = new Set<string>();
      for (let i = 0; i < 10; i++) bodies.add(await (await fetch(lb.url)).text());
      assert.deepEqual([...bodies].sort(), ['a', 'b']);
      // A second lb on the same state folder refuses to start, and says why.
      const second = spawn(process.execPath, [BIN, 'lb', '--state-dir', stateDir, '--endpoint', 'http://127.0.0.1:9'], {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ACCESS_KEY_ID: root.accessKeyId,
          AWS_SECRET_ACCESS_KEY: root.secretAccessKey,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let secondErr = '';
      second.stderr.on('data', (chunk: Buffer) => (secondErr += chunk.toString()));
      const [code] = (await once(second, 'exit')) as [number];
      assert.equal(code, 1);
      assert.match(secondErr, new RegExp(`another berth lb \\(pid ${child.pid}`));
      // The server back: it finds this lb, and the lb takes its changes.
      server = await spawnServer(env);
      assert.equal(await lbPid(), child.pid);
      // A second lb on this host with a state folder of its own cannot bind the listeners: it exits, and says why.
      const other = spawn(
        process.execPath,
        [BIN, 'lb', '--state-dir', join(dataDir, 'other-lb'), '--endpoint', server.url],
        {
          env: {
            PATH: process.env.PATH ?? '',
            AWS_ACCESS_KEY_ID: root.accessKeyId,
            AWS_SECRET_ACCESS_KEY: root.secretAccessKey,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let otherErr = '';
      other.stderr.on('data', (chunk: Buffer) => (otherErr += chunk.toString()));
      const [otherCode] = (await once(other, 'exit')) as [number];
      assert.equal(otherCode, 1, otherErr);
      assert.match(otherErr, /cannot bind listener port \d+: it is in use \(another berth lb on this host\?\)/);
      assert.equal(await (await fetch(lb.url)).status, 200);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      assert.equal(stderr, '');
    }
  });
});

describe('berth lb, used wrongly', () => {
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'lb', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const keys = { AWS_ACCESS_KEY_ID: root.accessKeyId, AWS_SECRET_ACCESS_KEY: root.secretAccessKey };

  it('refuses plain HTTP to a server that is not on loopback: the configuration carries private keys', async () => {
    const result = await run(['--endpoint', 'http://192.0.2.1:4510', '--state-dir', '/nonexistent/lb'], keys);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /plain HTTP to a non-loopback address: .* use https:\/\//);
  });

  it('needs credentials, and documents its flags', async () => {
    const result = await run(['--endpoint', 'http://127.0.0.1:9'], {});
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'berth lb: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required\n');
    const help = await run(['--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--state-dir DIR/);
  });
});
