import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDnsRecords, resolveServiceSettings, updateServiceSettings } from './service-config.ts';
import type { DnsRecord } from './shapes.generated.ts';

const records = (...types: DnsRecord['Type'][]): DnsRecord[] => types.map((Type) => ({ Type, TTL: 60 }));

describe('service settings', () => {
  it("takes the record types in Cloud Map's combinations, each once", () => {
    for (const ok of [
      ['A'],
      ['AAAA'],
      ['A', 'AAAA'],
      ['SRV'],
      ['CNAME'],
      ['A', 'SRV'],
      ['A', 'AAAA', 'SRV'],
    ] as const) {
      assert.doesNotThrow(() => checkDnsRecords(records(...ok)), ok.join('+'));
    }
    const refused: [DnsRecord['Type'][], RegExp][] = [
      [[], /at least one record/],
      [['A', 'A'], /each record type only once/],
      [['CNAME', 'A'], /CNAME record cannot be combined/],
    ];
    for (const [types, message] of refused) {
      assert.throws(() => checkDnsRecords(records(...types)), { code: 'InvalidInput', message });
    }
  });

  it('defaults to MULTIVALUE, requires WEIGHTED for CNAME, and makes a service DNS_HTTP or HTTP', () => {
    const a = resolveServiceSettings({
      namespaceType: 'DNS_PRIVATE',
      dnsConfig: { DnsRecords: records('A') },
      customHealth: true,
    });
    assert.deepEqual(a, {
      type: 'DNS_HTTP',
      dnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 60 }] },
      customHealth: true,
    });
    assert.throws(
      () =>
        resolveServiceSettings({
          namespaceType: 'DNS_PRIVATE',
          dnsConfig: { DnsRecords: records('CNAME') },
          customHealth: false,
        }),
      { code: 'InvalidInput', message: /WEIGHTED/ },
    );
    const plain = resolveServiceSettings({ namespaceType: 'DNS_PRIVATE', type: 'HTTP', customHealth: false });
    assert.equal(plain.type, 'HTTP');
    assert.throws(
      () =>
        resolveServiceSettings({ namespaceType: 'HTTP', dnsConfig: { DnsRecords: records('A') }, customHealth: false }),
      { code: 'InvalidInput', message: /HTTP namespace/ },
    );
  });

  it('takes a Route 53 health check in public and HTTP namespaces only, never with custom health or CNAME', () => {
    const check = { Type: 'HTTP' as const, ResourcePath: '/health' };
    assert.throws(
      () => resolveServiceSettings({ namespaceType: 'DNS_PRIVATE', healthCheckConfig: check, customHealth: false }),
      { message: /public DNS and HTTP namespaces only/ },
    );
    assert.throws(
      () => resolveServiceSettings({ namespaceType: 'HTTP', healthCheckConfig: check, customHealth: true }),
      {
        message: /not both/,
      },
    );
    assert.throws(
      () =>
        resolveServiceSettings({
          namespaceType: 'DNS_PUBLIC',
          dnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: records('CNAME') },
          healthCheckConfig: check,
          customHealth: false,
        }),
      { message: /both CNAME/ },
    );
    assert.throws(
      () =>
        resolveServiceSettings({
          namespaceType: 'HTTP',
          healthCheckConfig: { Type: 'TCP', ResourcePath: '/' },
          customHealth: false,
        }),
      { message: /TCP/ },
    );
  });

  it('updates TTLs but not record types, and drops a Route 53 health check an update leaves out', () => {
    const details = {
      type: 'DNS_HTTP' as const,
      customHealth: false,
      tags: [],
      description: 'before',
      dnsConfig: { RoutingPolicy: 'MULTIVALUE' as const, DnsRecords: [{ Type: 'A', TTL: 60 }] },
      healthCheckConfig: { Type: 'HTTP' },
    };
    const updated = updateServiceSettings(
      details,
      { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } },
      'DNS_PUBLIC',
    );
    assert.deepEqual(updated.dnsConfig?.DnsRecords, [{ Type: 'A', TTL: 5 }]);
    assert.equal(updated.description, 'before');
    assert.equal(updated.healthCheckConfig, undefined);
    assert.throws(() => updateServiceSettings(details, { DnsConfig: { DnsRecords: records('AAAA') } }, 'DNS_PUBLIC'), {
      message: /TTLs of the service's DNS records only: its record types are A/,
    });
    assert.equal(updateServiceSettings(details, { Description: '' }, 'DNS_PUBLIC').description, undefined);
  });
});
