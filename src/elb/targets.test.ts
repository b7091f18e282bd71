import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import { rootPrincipal } from '../shared/principal.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { HOST_ADDRESS_ATTRIBUTE, type ElbDeps } from './commit.ts';
import { createListener } from './listeners.ts';
import { createLoadBalancer } from './load-balancers.ts';
import { StaticDataPlane } from './static-data-plane.ts';
import { createTargetGroup } from './target-groups.ts';
import { registerTargets } from './targets.ts';

const context = {
  requestId: 'test',
  accountId: '000000000000',
  region: 'us-east-1',
  accessKeyId: '',
  principal: rootPrincipal('000000000000'),
};

const API_PORT = 4510;
const METADATA_PORT = 51679;
const LISTENER_PORT = 8000;

describe('RegisterTargets refuses targets at Berth’s own ports on this host', () => {
  let store: SqliteStore;
  let deps: ElbDeps;
  let ipGroup: string;
  let instanceGroup: string;
  before(async () => {
    store = await SqliteStore.open(':memory:');
    deps = {
      store,
      clock: new FakeClock(),
      dataPlane: new StaticDataPlane(),
      bindAddress: '127.0.0.1',
      writeLock: new KeyedMutex(),
      reservedPorts: () => ({
        ports: [
          { port: API_PORT, name: 'the API and registry' },
          { port: METADATA_PORT, name: 'the task metadata endpoint' },
        ],
        hostAddresses: ['berth.example', '192.168.1.5'],
      }),
    };
    const { LoadBalancers } = await createLoadBalancer(deps, { Name: 'web', Subnets: ['subnet-1'] }, context);
    const group = async (name: string, type: 'ip' | 'instance') =>
      (
        await createTargetGroup(
          deps,
          { Name: name, Protocol: 'HTTP', Port: 80, VpcId: LoadBalancers![0]!.VpcId, TargetType: type },
          context,
        )
      ).TargetGroups![0]!.TargetGroupArn!;
    ipGroup = await group('ips', 'ip');
    instanceGroup = await group('instances', 'instance');
    await createListener(deps, {
      LoadBalancerArn: LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: LISTENER_PORT,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: ipGroup }],
    });
    // Two container instances: one on this host (no address: 127.0.0.1), one on another host.
    for (const [id, address] of [
      ['i-local', undefined],
      ['i-remote', '10.0.0.7'],
    ] as const) {
      await store.containerInstances.put({
        id: id.padEnd(32, '0'),
        cluster: 'default',
        arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/default/${id}`,
        status: 'ACTIVE',
        registeredAt: new Date(0),
        body: {
          ec2InstanceId: id,
          attributes: address === undefined ? [] : [{ name: HOST_ADDRESS_ATTRIBUTE, value: address }],
        },
      });
    }
  });
  after(() => store.close());

  const register = (group: string, id: string, port: number) =>
    registerTargets(deps, { TargetGroupArn: group, Targets: [{ Id: id, Port: port }] });

  it('refuses each reserved port at each local address, naming the target and the port’s use', async () => {
    const refused: [string, string, number, RegExp][] = [
      ['the API on loopback', '127.0.0.1', API_PORT, /'127\.0\.0\.1:4510' \(the API and registry\)/],
      ['the API anywhere in 127/8', '127.8.9.10', API_PORT, /the API and registry/],
      ['the API at the unspecified address', '0.0.0.0', API_PORT, /'0\.0\.0\.0:4510'/],
      ['the API at one of the host’s own addresses', '192.168.1.5', API_PORT, /'192\.168\.1\.5:4510'/],
      ['the task metadata endpoint', '127.0.0.1', METADATA_PORT, /the task metadata endpoint/],
      ['a listener’s port: a loop', '127.0.0.1', LISTENER_PORT, /a listener of load balancer 'web'/],
    ];
    for (const [what, id, port, message] of refused) {
      await assert.rejects(register(ipGroup, id, port), { code: 'InvalidTarget', message }, what);
    }
    await assert.rejects(register(instanceGroup, 'i-local', API_PORT), {
      code: 'InvalidTarget',
      message: /'i-local:4510' \(the API and registry at 127\.0\.0\.1\)/,
    });
  });

  it('registers the same ports elsewhere, and other ports here', async () => {
    await register(ipGroup, '10.0.0.8', API_PORT); // another host
    await register(ipGroup, '127.0.0.1', 9000); // a task on this host
    await register(instanceGroup, 'i-remote', LISTENER_PORT);
    await register(instanceGroup, 'i-local', 9000);
  });
});
