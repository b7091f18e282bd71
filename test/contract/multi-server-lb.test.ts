import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { waitFor } from '../../testing/cloud-map.ts';
import { startTarget, type TestTarget } from '../../testing/elb-proxy.ts';
import { createHttpLoadBalancer, SteadyClient, type HttpLoadBalancer } from '../../testing/load-balancer.ts';
import { GROUP_CREDENTIALS as credentials, ServerGroup } from '../../testing/multi-server.ts';
import { postgresTestUrl } from '../../testing/postgres.ts';
import type { ServerProcess } from '../../testing/server-process.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'berth.js');
const target = postgresTestUrl();

/**
 * One `berth lb` for two servers on one PostgreSQL (issue #21): it polls the first and moves to the
 * second when the first dies, and the target health its checks find is what every server answers,
 * whichever one it reports to (the store carries it: elb/shared-target-health.ts).
 */
describe('a berth lb among several servers', { skip: 'skip' in target && target.skip }, () => {
  const group = new ServerGroup('url' in target ? target.url : '', { BERTH_LB: 'off' });
  const stateDir = mkdtempSync(join(tmpdir(), 'berth-multi-lb-'));
  let lbProcess: ChildProcess;
  let a: TestTarget;
  let b: TestTarget;
  let lb: HttpLoadBalancer;
  const elb = (server: ServerProcess) =>
    new ElasticLoadBalancingV2Client({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const lbLog = () => {
    try {
      return readFileSync(join(stateDir, 'lb.log'), 'utf8');
    } catch {
      return '';
    }
  };
  let lbOutput = '';
  const healthOn = async (server: ServerProcess) => {
    const client = elb(server);
    try {
      const { TargetHealthDescriptions = [] } = await client.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: lb.targetGroupArn }),
      );
      return TargetHealthDescriptions.map((d) => `${d.Target?.Port} ${d.TargetHealth?.State}`).sort();
    } finally {
      client.destroy();
    }
  };

  before(async () => {
    a = await startTarget('a');
    b = await startTarget('b');
    await group.start(2);
    lbProcess = spawn(
      process.execPath,
      [BIN, 'lb', '--state-dir', stateDir, '--endpoint', `${group.server(0).url},${group.server(1).url}`],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    lbProcess.stdout!.on('data', (chunk: Buffer) => (lbOutput += chunk.toString()));
    lbProcess.stderr!.on('data', (chunk: Buffer) => (lbOutput += chunk.toString()));
    // Made through server 1: server 0, which the lb polls, hears of it by NOTIFY and hands it over.
    const client = elb(group.server(1));
    lb = await createHttpLoadBalancer(client, 'multi-lb', {
      targetType: 'ip',
      port: a.port,
      healthCheckPath: '/health',
    });
    await client.send(
      new RegisterTargetsCommand({ TargetGroupArn: lb.targetGroupArn, Targets: [{ Id: '127.0.0.1' }] }),
    );
    client.destroy();
    await waitFor('the listener to answer', async () => {
      const response = await fetch(lb.url).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    });
  });

  after(async () => {
    lbProcess?.kill('SIGTERM');
    if (lbProcess && lbProcess.exitCode === null) await once(lbProcess, 'exit');
    await group.close();
    await a.close();
    await b.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('answers, on the server the lb does not poll, the target health the lb found', async () => {
    const both = async (state: string) =>
      waitFor(`the target ${state} on both servers`, async () => {
        const seen = [await healthOn(group.server(0)), await healthOn(group.server(1))];
        return seen.every((s) => s.join() === `${a.port} ${state}`) ? seen : undefined;
      });
    await both('healthy');
    a.healthStatus = 500;
    await both('unhealthy');
    a.healthStatus = 200;
    await both('healthy');
  });

  it('keeps serving through kill -9 of the server it polls, moves to the other, and takes its changes', async (t) => {
    const client = new SteadyClient(lb.url);
    try {
      await waitFor('requests before the kill', async () => (client.bodies.length >= 20 ? true : undefined));
      await group.kill(0);
      const survivor = elb(group.server(1));
      await survivor.send(
        new RegisterTargetsCommand({ TargetGroupArn: lb.targetGroupArn, Targets: [{ Id: '127.0.0.1', Port: b.port }] }),
      );
      survivor.destroy();
      await waitFor('the target registered through the survivor to take requests', async () =>
        client.bodies.includes('b') ? true : undefined,
      );
      await waitFor('both targets healthy on the survivor', async () => {
        const seen = await healthOn(group.server(1));
        return seen.join() === [`${a.port} healthy`, `${b.port} healthy`].sort().join() ? seen : undefined;
      });
    } finally {
      await client.stop();
    }
    t.diagnostic(`${client.bodies.length} requests across the kill, ${client.failures.length} failed`);
    assert.deepEqual(client.failures, [], `every request answered:\n${lbOutput}${lbLog()}`);
    assert.match(lbOutput + lbLog(), /trying the next server/);
  });
});
