import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { describe, it } from 'node:test';
import type { DnsAnswer } from '../shared/dns-records.ts';
import { createLogger } from '../shared/logger.ts';
import { startAgentDns, type AgentDnsControl } from './agent-dns.ts';

const logger = createLogger('silent');

function control(listening: Awaited<ReturnType<AgentDnsControl['dnsListening']>>) {
  const asked: string[] = [];
  const fake: AgentDnsControl = {
    dnsListening: async () => listening,
    dnsLookup: async (name, type): Promise<DnsAnswer | undefined> => {
      asked.push(`${type} ${name}`);
      if (!name.endsWith('.berth.local')) return undefined;
      return name === 'web.berth.local' && type === 'A'
        ? { kind: 'answer', answers: [{ type: 'A', name, ttl: 10, address: '172.30.0.7' }], additionals: [] }
        : { kind: 'nxdomain', authority: [] };
    },
  };
  return { fake, asked };
}

describe('startAgentDns', () => {
  it("gives bridge containers the server's own DNS when it answers on this host's bridge gateway", async () => {
    const { fake, asked } = control({ addresses: ['127.0.0.1', '172.17.0.1'], port: 53 });
    const dns = await startAgentDns({ control: fake, gateway: '172.17.0.1', logger });
    assert.deepEqual(dns?.bridgeDns, ['172.17.0.1']);
    assert.equal(dns?.port, 53);
    assert.deepEqual(asked, []);
    await dns?.close();
  });

  it("answers the server's zones itself elsewhere, asking the server each question", async () => {
    const { fake, asked } = control({ addresses: ['127.0.0.1', '10.9.9.9'], port: 53 });
    const dns = await startAgentDns({ control: fake, gateway: '127.0.0.1', logger, port: 0 });
    assert.ok(dns);
    try {
      assert.deepEqual(dns.bridgeDns, ['127.0.0.1']);
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([`127.0.0.1:${dns.port}`]);
      assert.deepEqual(await resolver.resolve4('web.berth.local'), ['172.30.0.7']);
      await assert.rejects(resolver.resolve4('gone.berth.local'), { code: 'ENOTFOUND' });
      assert.deepEqual(asked, ['A web.berth.local', 'A gone.berth.local']);
    } finally {
      await dns.close();
    }
  });

  it('leaves containers to Docker when the server has no DNS, or the host no bridge', async () => {
    assert.equal(await startAgentDns({ control: control(undefined).fake, gateway: '127.0.0.1', logger }), undefined);
    const { fake } = control({ addresses: ['127.0.0.1'], port: 53 });
    assert.equal(await startAgentDns({ control: fake, gateway: undefined, logger }), undefined);
  });
});
