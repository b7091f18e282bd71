import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decode, encode } from 'dns-packet';
import { encodeQuery, fakeZones, optRecord } from '../../testing/dns.ts';
import { createLogger } from '../shared/logger.ts';
import { answerQuery, type QueryContext } from './answer-query.ts';

const log = createLogger('silent');

function context(overrides: Partial<QueryContext> = {}): QueryContext {
  return { transport: 'udp', zones: fakeZones(), forward: undefined, log, ...overrides };
}

async function ask(query: Buffer, overrides: Partial<QueryContext> = {}) {
  const reply = await answerQuery(query, context(overrides));
  assert.ok(reply, 'a reply');
  return { reply, packet: decode(reply), rcode: reply.readUInt16BE(2) & 0xf };
}

describe('answerQuery', () => {
  it('answers names in the zones authoritatively, in the question’s letter case', async () => {
    const { packet, rcode } = await ask(encodeQuery('ApI.LoCaL', 'A', { id: 77 }));
    assert.equal(rcode, 0);
    assert.equal(packet.id, 77);
    assert.equal(packet.flag_aa, true);
    assert.equal(packet.flag_rd, true); // copied
    assert.equal(packet.flag_ra, false); // nothing to forward to
    assert.deepEqual(packet.questions, [{ name: 'ApI.LoCaL', type: 'A', class: 'IN' }]);
    assert.deepEqual(
      packet.answers?.map((record) => [record.name, record.type === 'A' && record.data]),
      [
        ['ApI.LoCaL', '10.0.0.1'],
        ['ApI.LoCaL', '10.0.0.2'],
      ],
    );
  });

  it('says NXDOMAIN and NODATA with the SOA, its TTL capped by MINIMUM (RFC 2308)', async () => {
    const cases = [
      { name: 'nope.local', type: 'A', rcode: 3 },
      { name: 'api.local', type: 'TXT', rcode: 0 },
    ] as const;
    for (const { name, type, rcode } of cases) {
      const asked = await ask(encodeQuery(name, type));
      assert.equal(asked.rcode, rcode, name);
      assert.equal(asked.packet.flag_aa, true);
      assert.deepEqual(asked.packet.answers, []);
      const soa = asked.packet.authorities?.[0];
      assert.equal(soa?.type, 'SOA');
      assert.equal(soa.ttl, 5); // min(ttl 60, minimum 5)
    }
  });

  it('refuses zone transfers, other classes, and names outside the zones when it has no upstream', async () => {
    for (const query of [
      encodeQuery('local', 'AXFR'),
      encodeQuery('local', 'IXFR'),
      encode({ type: 'query', id: 1, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] }),
      encodeQuery('example.com', 'A'),
    ]) {
      const { rcode, packet } = await ask(query, { transport: 'tcp' });
      assert.equal(rcode, 5);
      assert.equal(packet.questions?.length, 1);
    }
  });

  it('forwards names outside the zones, and answers SERVFAIL when no upstream does', async () => {
    const forwarded: Buffer[] = [];
    const relayed = Buffer.from('the upstream reply');
    const query = encodeQuery('example.com', 'A');
    assert.equal(await answerQuery(query, context({ forward: async (q) => (forwarded.push(q), relayed) })), relayed);
    assert.deepEqual(forwarded, [query]);
    const { rcode, packet } = await ask(query, { forward: async () => undefined });
    assert.equal(rcode, 2);
    assert.equal(packet.flag_ra, true);
  });

  it('answers SERVFAIL when the zone source fails', async () => {
    assert.equal((await ask(encodeQuery('failing.local', 'A'))).rcode, 2);
  });

  it('answers NOTIMP to other opcodes, FORMERR to several questions, nothing to responses', async () => {
    const notify = encodeQuery('local', 'SOA', { flags: 4 << 11 });
    assert.equal((await ask(notify)).rcode, 4);
    const two = encode({
      type: 'query',
      id: 9,
      questions: [
        { name: 'api.local', type: 'A' },
        { name: 'www.local', type: 'A' },
      ],
    });
    const formerr = await ask(two);
    assert.equal(formerr.rcode, 1);
    assert.equal(formerr.packet.id, 9);
    const response = encode({ type: 'response', id: 9, questions: [{ name: 'api.local', type: 'A' }] });
    assert.equal(await answerQuery(response, context()), undefined);
    assert.equal(await answerQuery(Buffer.alloc(11), context()), undefined);
  });

  it('echoes EDNS0: our payload size, the DO bit, BADVERS for versions other than 0', async () => {
    const { packet } = await ask(encodeQuery('api.local', 'A', { additionals: [optRecord(4096, { dnssecOk: true })] }));
    const opt = packet.additionals?.find((record) => record.type === 'OPT');
    assert.equal(opt?.type, 'OPT');
    assert.equal(opt.udpPayloadSize, 1232);
    assert.equal(opt.flag_do, true);
    assert.deepEqual(opt.options, []);
    const badvers = await ask(encodeQuery('api.local', 'A', { additionals: [optRecord(4096, { version: 1 })] }));
    const badOpt = badvers.packet.additionals?.find((record) => record.type === 'OPT');
    assert.equal(badvers.rcode, 0); // 16 = extended 1 << 4 | header 0
    assert.equal(badOpt?.type === 'OPT' && badOpt.extendedRcode, 1);
  });

  it('truncates a UDP answer that does not fit (TC, no records), and not a TCP one', async () => {
    const udp = await ask(encodeQuery('many.local', 'A', { id: 5 }));
    assert.equal(udp.packet.flag_tc, true);
    assert.equal(udp.packet.answers?.length, 0);
    assert.ok(udp.reply.length <= 512);
    // With EDNS0 the client takes up to 1232 bytes: 100 × 25-byte records still do not fit.
    const edns = await ask(encodeQuery('many.local', 'A', { additionals: [optRecord(4096)] }));
    assert.equal(edns.packet.flag_tc, true);
    assert.equal(edns.packet.additionals?.[0]?.type, 'OPT');
    const tcp = await ask(encodeQuery('many.local', 'A'), { transport: 'tcp' });
    assert.equal(tcp.packet.flag_tc, false);
    assert.equal(tcp.packet.answers?.length, 100);
  });

  it('rejects oversized UDP queries: over 512 bytes without EDNS0, over 4096 with it', async () => {
    const padding = (length: number) => ({ type: 'NULL', name: 'pad', data: Buffer.alloc(length) }) as const;
    const plain = encodeQuery('api.local', 'A', { additionals: [padding(500)] });
    assert.ok(plain.length > 512);
    assert.equal((await ask(plain)).rcode, 1);
    const edns = encodeQuery('api.local', 'A', { additionals: [optRecord(4096), padding(500)] });
    assert.equal((await ask(edns)).rcode, 0);
    const huge = encodeQuery('api.local', 'A', { additionals: [optRecord(4096), padding(4100)] });
    assert.equal((await ask(huge)).rcode, 1);
  });

  it('never throws, and replies with the query’s id, on random bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 700 }), fc.boolean(), async (bytes, tcp) => {
        const message = Buffer.from(bytes);
        const reply = await answerQuery(message, context({ transport: tcp ? 'tcp' : 'udp' }));
        if (reply === undefined) return;
        assert.equal(reply.readUInt16BE(0), message.readUInt16BE(0));
        assert.ok(reply.readUInt16BE(2) & 0x8000, 'QR');
        decode(reply);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on a valid query with bytes changed (property)', async () => {
    const valid = encodeQuery('_http._tcp.api.local', 'SRV', { additionals: [optRecord(1232)] });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(valid.length),
        async (changes, cut) => {
          const message = Buffer.from(valid.subarray(0, Math.max(cut, 12)));
          for (const [offset, value] of changes) if (offset < message.length) message[offset] = value;
          const reply = await answerQuery(message, context());
          if (reply) decode(reply);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects a 65,535-byte TCP message of compression pointers quickly', async () => {
    // One question whose name is a chain of pointers, then 32k more: refused on the counts alone.
    const message = Buffer.alloc(65535);
    message.writeUInt16BE(0xffff, 4);
    for (let offset = 14; offset + 1 < message.length; offset += 2)
      message.writeUInt16BE(0xc000 | (offset - 2), offset);
    const started = performance.now();
    assert.equal((await ask(message, { transport: 'tcp' })).rcode, 1);
    assert.ok(performance.now() - started < 100);
  });
});
