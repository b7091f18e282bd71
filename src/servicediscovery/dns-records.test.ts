import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answerDnsQuestion,
  type DnsAnswer,
  type DnsRecord,
  type DnsZone,
  type DnsZoneInstance,
} from './dns-records.ts';

const ip = (n: number) => `10.0.0.${n}`;

function instances(count: number, healthy: (n: number) => boolean = () => true): DnsZoneInstance[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `task-${i + 1}`,
    attributes: { AWS_INSTANCE_IPV4: ip(i + 1), AWS_INSTANCE_PORT: String(8000 + i + 1) },
    healthy: healthy(i + 1),
  }));
}

function zone(services: DnsZone['services']): DnsZone {
  return { name: 'local', soaTtl: 15, services };
}

const service = (name: string, more: Partial<DnsZone['services'][number]>): DnsZone['services'][number] => ({
  name,
  routingPolicy: 'MULTIVALUE',
  records: [{ Type: 'A', TTL: 10 }],
  instances: instances(3),
  ...more,
});

function answers(answer: DnsAnswer): DnsRecord[] {
  assert.equal(answer.kind, 'answer');
  return answer.kind === 'answer' ? answer.answers : [];
}

const addresses = (records: readonly DnsRecord[]) =>
  records.map((r) => ('address' in r ? r.address : '')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

describe('Cloud Map DNS answers', () => {
  it("answers the apex with the private hosted zone's SOA and NS records", () => {
    const z = zone([]);
    const [soa] = answers(answerDnsQuestion(z, 'local', 'SOA', Math.random));
    assert.deepEqual(soa, {
      type: 'SOA',
      name: 'local',
      ttl: 15,
      mname: 'ns-1536.awsdns-00.co.uk',
      rname: 'awsdns-hostmaster.amazon.com',
      serial: 1,
      refresh: 7200,
      retry: 900,
      expire: 1209600,
      minimum: 86400,
    });
    assert.deepEqual(
      answers(answerDnsQuestion(z, 'LOCAL.', 'NS', Math.random)).map((r) => ('target' in r ? r.target : '')),
      ['ns-1536.awsdns-00.co.uk', 'ns-0.awsdns-00.com', 'ns-1024.awsdns-00.org', 'ns-512.awsdns-00.net'],
    );
    assert.deepEqual(answerDnsQuestion(z, 'local', 'A', Math.random), { kind: 'nodata', authority: [soa!] });
  });

  it('answers every healthy instance of a MULTIVALUE service up to eight, without case, with its TTL', () => {
    const z = zone([service('api', { instances: instances(3, (n) => n !== 2) })]);
    const records = answers(answerDnsQuestion(z, 'API.Local', 'A', Math.random));
    assert.deepEqual(addresses(records), [ip(1), ip(3)]);
    assert.ok(records.every((r) => r.ttl === 10 && r.name === 'api.local'));
    // 10 healthy: 8 of them, drawn at random.
    const many = zone([service('api', { instances: instances(10) })]);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const eight = answers(answerDnsQuestion(many, 'api.local', 'A', Math.random));
      assert.equal(eight.length, 8);
      assert.equal(new Set(addresses(eight)).size, 8);
      for (const address of addresses(eight)) seen.add(address);
    }
    assert.ok(seen.size > 8, 'different resolvers get different combinations');
    // None healthy: up to eight unhealthy ones (Route 53's multivalue rule).
    const sick = zone([service('api', { instances: instances(10, () => false) })]);
    assert.equal(answers(answerDnsQuestion(sick, 'api.local', 'A', Math.random)).length, 8);
  });

  it('answers one record of a WEIGHTED service, a healthy one while there is one', () => {
    const z = zone([service('api', { routingPolicy: 'WEIGHTED', instances: instances(3, (n) => n === 3) })]);
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(addresses(answers(answerDnsQuestion(z, 'api.local', 'A', Math.random))), [ip(3)]);
    }
    const sick = zone([service('api', { routingPolicy: 'WEIGHTED', instances: instances(3, () => false) })]);
    assert.equal(answers(answerDnsQuestion(sick, 'api.local', 'A', Math.random)).length, 1);
  });

  it('answers SRV records pointing at <instance>.<service>.<namespace>, whose A records come as additionals and alone', () => {
    const z = zone([service('api', { records: [{ Type: 'SRV', TTL: 20 }], instances: instances(2) })]);
    const answer = answerDnsQuestion(z, 'api.local', 'SRV', () => 0);
    assert.equal(answer.kind, 'answer');
    if (answer.kind !== 'answer') return;
    assert.deepEqual(
      [...answer.answers].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        { type: 'SRV', name: 'api.local', ttl: 20, priority: 1, weight: 1, port: 8001, target: 'task-1.api.local' },
        { type: 'SRV', name: 'api.local', ttl: 20, priority: 1, weight: 1, port: 8002, target: 'task-2.api.local' },
      ],
    );
    assert.deepEqual(answer.additionals.map((r) => [r.name, 'address' in r ? r.address : '']).sort(), [
      ['task-1.api.local', ip(1)],
      ['task-2.api.local', ip(2)],
    ]);
    assert.deepEqual(answers(answerDnsQuestion(z, 'TASK-2.api.local', 'A', Math.random)), [
      { type: 'A', name: 'task-2.api.local', ttl: 20, address: ip(2) },
    ]);
    // An SRV-only service has no A records of its own.
    assert.equal(answerDnsQuestion(z, 'api.local', 'A', Math.random).kind, 'nodata');
  });

  it('is NXDOMAIN for names with nothing at or below them, NODATA for names that exist', () => {
    const z = zone([
      service('api', {}),
      service('idle', { instances: [] }),
      service('v1.web', { instances: instances(1) }),
    ]);
    const soa = answers(answerDnsQuestion(z, 'local', 'SOA', Math.random));
    assert.deepEqual(answerDnsQuestion(z, 'nope.local', 'A', Math.random), { kind: 'nxdomain', authority: soa });
    assert.deepEqual(answerDnsQuestion(z, 'api.local', 'AAAA', Math.random), { kind: 'nodata', authority: soa });
    assert.deepEqual(answerDnsQuestion(z, 'api.local', 'TXT', Math.random), { kind: 'nodata', authority: soa });
    // A service without instances has no records in Route 53.
    assert.equal(answerDnsQuestion(z, 'idle.local', 'A', Math.random).kind, 'nxdomain');
    // web.local has a name below it (v1.web.local): it exists, with no records.
    assert.equal(answerDnsQuestion(z, 'web.local', 'A', Math.random).kind, 'nodata');
    assert.equal(answerDnsQuestion(z, 'x.api.local', 'A', Math.random).kind, 'nxdomain');
  });

  it('answers a CNAME for every type at its name, and ANY with every record set', () => {
    const cname = service('www', {
      routingPolicy: 'WEIGHTED',
      records: [{ Type: 'CNAME', TTL: 30 }],
      instances: [{ id: 'one', attributes: { AWS_INSTANCE_CNAME: 'Example.com' }, healthy: true }],
    });
    const both = service('dual', {
      records: [
        { Type: 'A', TTL: 10 },
        { Type: 'AAAA', TTL: 10 },
      ],
      instances: [{ id: 'one', attributes: { AWS_INSTANCE_IPV4: ip(9), AWS_INSTANCE_IPV6: 'fd00::9' }, healthy: true }],
    });
    const z = zone([cname, both]);
    assert.deepEqual(answers(answerDnsQuestion(z, 'www.local', 'A', Math.random)), [
      { type: 'CNAME', name: 'www.local', ttl: 30, target: 'example.com' },
    ]);
    assert.deepEqual(
      answers(answerDnsQuestion(z, 'dual.local', 'ANY', Math.random)).map((r) => r.type),
      ['A', 'AAAA'],
    );
  });
});
