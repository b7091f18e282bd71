import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostNetworkOf } from './docker-runtime.ts';
import type { NetworkInspect } from './engine-types.ts';

const network = (config: { Subnet?: string; Gateway?: string }[]): NetworkInspect =>
  ({ Id: 'n1', Name: 'bridge', Driver: 'bridge', IPAM: { Config: config }, Labels: {} }) as NetworkInspect;

describe('hostNetworkOf', () => {
  const cases: [string, NetworkInspect, ReturnType<typeof hostNetworkOf>][] = [
    [
      'the gateway Docker reports',
      network([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]),
      { gateway: '172.18.0.1', subnet: '172.18.0.0/16' },
    ],
    [
      'a gateway written with its prefix',
      network([{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.254/24' }]),
      { gateway: '10.9.0.254', subnet: '10.9.0.0/24' },
    ],
    // Debian's docker.io 20.10 reports the default bridge as {"Subnet":"172.17.0.0/16"} alone.
    [
      'no gateway: the subnet’s first address',
      network([{ Subnet: '172.17.0.0/16' }]),
      { gateway: '172.17.0.1', subnet: '172.17.0.0/16' },
    ],
    [
      'no gateway, a subnet written from inside it',
      network([{ Subnet: '192.168.5.77/20' }]),
      { gateway: '192.168.0.1', subnet: '192.168.5.77/20' },
    ],
    [
      'IPv6 first: the IPv4 subnet',
      network([{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }, { Subnet: '172.19.0.0/16' }]),
      { gateway: '172.19.0.1', subnet: '172.19.0.0/16' },
    ],
    ['no IPv4 subnet', network([{ Subnet: 'fd00::/64' }]), undefined],
    ['a /31 without a gateway', network([{ Subnet: '10.0.0.0/31' }]), undefined],
  ];
  for (const [what, input, expected] of cases) {
    it(what, () => assert.deepEqual(hostNetworkOf(input), expected));
  }
});
