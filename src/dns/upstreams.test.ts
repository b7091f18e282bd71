import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hostResolvers, parseUpstream } from './upstreams.ts';

describe('parseUpstream', () => {
  const cases = [
    { text: '10.0.0.2', expected: { address: '10.0.0.2', port: 53, family: 4 } },
    { text: '127.0.0.1:5353', expected: { address: '127.0.0.1', port: 5353, family: 4 } },
    { text: 'fd00::1', expected: { address: 'fd00::1', port: 53, family: 6 } },
    { text: '[fd00::1]:5353', expected: { address: 'fd00::1', port: 5353, family: 6 } },
    { text: 'fe80::1%eth0', expected: { address: 'fe80::1%eth0', port: 53, family: 6 } },
  ];
  for (const { text, expected } of cases) {
    it(`reads ${text}`, () => assert.deepEqual(parseUpstream(text), expected));
  }
  for (const text of ['dns.google', 'dns.google:53', '10.0.0.2:0', '10.0.0.2:70000', '[fd00::1]', '']) {
    it(`refuses '${text}'`, () => assert.throws(() => parseUpstream(text), TypeError));
  }
});

describe('hostResolvers', () => {
  let folder: string;
  let path: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'berth-resolv-'));
    path = join(folder, 'resolv.conf');
    await writeFile(
      path,
      [
        '# written by a test',
        'search example.internal',
        'nameserver 127.0.0.53 ; systemd-resolved',
        'nameserver not-an-address',
        'nameserver 10.0.0.2',
        'nameserver fd00::53',
        'nameserver 10.0.0.3',
        'options edns0 trust-ad',
      ].join('\n'),
    );
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it('reads the first three nameservers, as glibc does', async () => {
    assert.deepEqual(await hostResolvers({ path }), ['127.0.0.53', '10.0.0.2', 'fd00::53']);
  });

  it('keeps a loopback stub resolver that is not this server', async () => {
    const listening = { addresses: ['127.0.0.1'], port: 53 };
    assert.deepEqual(await hostResolvers({ path, listening }), ['127.0.0.53', '10.0.0.2', 'fd00::53']);
    const otherPort = { addresses: ['0.0.0.0'], port: 5353 };
    assert.deepEqual(await hostResolvers({ path, listening: otherPort }), ['127.0.0.53', '10.0.0.2', 'fd00::53']);
  });

  it('skips a nameserver that is this server: its address, or loopback under a wildcard, on port 53', async () => {
    assert.deepEqual(await hostResolvers({ path, listening: { addresses: ['127.0.0.53'], port: 53 } }), [
      '10.0.0.2',
      'fd00::53',
    ]);
    assert.deepEqual(await hostResolvers({ path, listening: { addresses: ['0.0.0.0'], port: 53 } }), [
      '10.0.0.2',
      'fd00::53',
    ]);
  });

  it('is empty without the file', async () => {
    assert.deepEqual(await hostResolvers({ path: join(folder, 'missing') }), []);
  });
});
