import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAttributes, initialHealth } from './attributes.ts';

const service = (types: string[], more: { customHealth?: boolean; route53?: boolean } = {}) => ({
  dnsConfig: { DnsRecords: types.map((Type) => ({ Type, TTL: 10 })) },
  customHealth: more.customHealth ?? false,
  ...(more.route53 ? { healthCheckConfig: { Type: 'TCP' } } : {}),
});

describe('RegisterInstance attributes', () => {
  it("requires what the service's records and health check need", () => {
    const cases: [string[], Record<string, string>, RegExp | undefined][] = [
      [['A'], { AWS_INSTANCE_IPV4: '10.0.0.1' }, undefined],
      [['A'], { AWS_INSTANCE_IPV6: '::1' }, /AWS_INSTANCE_IPV4 is required because the service has an A record/],
      [['AAAA'], { AWS_INSTANCE_IPV4: '10.0.0.1' }, /AWS_INSTANCE_IPV6 is required/],
      [
        ['SRV'],
        { AWS_INSTANCE_IPV4: '10.0.0.1' },
        /AWS_INSTANCE_PORT is required because the service has an SRV record/,
      ],
      [['SRV'], { AWS_INSTANCE_PORT: '80' }, /AWS_INSTANCE_IPV4, AWS_INSTANCE_IPV6 or both are required/],
      [['SRV'], { AWS_INSTANCE_IPV6: 'fd00::1', AWS_INSTANCE_PORT: '80' }, undefined],
      [['CNAME'], {}, /AWS_INSTANCE_CNAME is required/],
      [['CNAME'], { AWS_INSTANCE_CNAME: 'www.example.com' }, undefined],
      [[], { anything: 'goes' }, undefined], // an HTTP service: no records
    ];
    for (const [types, attributes, refusal] of cases) {
      const check = () => checkAttributes(attributes, service(types));
      if (refusal) assert.throws(check, { code: 'InvalidInput', message: refusal }, JSON.stringify(attributes));
      else assert.doesNotThrow(check, JSON.stringify(attributes));
    }
    assert.throws(() => checkAttributes({}, service([], { route53: true })), { message: /Route 53 health check/ });
  });

  it('checks that addresses, ports, names and the initial health are well formed', () => {
    const bad: Record<string, string>[] = [
      { AWS_INSTANCE_IPV4: '10.0.0.300' },
      { AWS_INSTANCE_IPV6: '10.0.0.1' },
      { AWS_INSTANCE_PORT: '65536' },
      { AWS_INSTANCE_PORT: 'http' },
      { AWS_INSTANCE_CNAME: 'not a name' },
      { AWS_INIT_HEALTH_STATUS: 'UNKNOWN' },
    ];
    for (const attributes of bad) {
      assert.throws(
        () => checkAttributes(attributes, service([])),
        { code: 'InvalidInput' },
        JSON.stringify(attributes),
      );
    }
  });

  it('allows 30 custom attributes of 5,000 characters in all', () => {
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    assert.throws(() => checkAttributes(many, service([])), { message: /at most 30 custom attributes/ });
    // 4 keys of 1 + values of 1,000 = 4,004; a fifth makes 5,005 > 5,000.
    const big = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, 'x'.repeat(1000)]));
    assert.throws(() => checkAttributes(big, service([])), { message: /total at most 5000 characters.*5005/ });
    // AWS_ attributes do not count.
    assert.doesNotThrow(() =>
      checkAttributes(
        { ...Object.fromEntries(Object.entries(many).slice(0, 30)), AWS_INSTANCE_PORT: '1' },
        service([]),
      ),
    );
  });

  it('starts custom health at AWS_INIT_HEALTH_STATUS or HEALTHY, and is UNKNOWN without one', () => {
    assert.equal(initialHealth({}, service(['A'], { customHealth: true })), 'HEALTHY');
    assert.equal(
      initialHealth({ AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }, service(['A'], { customHealth: true })),
      'UNHEALTHY',
    );
    assert.equal(initialHealth({ AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }, service(['A'])), 'UNKNOWN');
  });
});
