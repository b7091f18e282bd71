import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { localAddressTowards } from './host-address.ts';

test('an endpoint on this host needs no address: the server reaches loopback already', async () => {
  assert.equal(await localAddressTowards(new URL('http://127.0.0.1:4510')), undefined);
  assert.equal(await localAddressTowards(new URL('http://localhost:4510')), undefined);
  assert.equal(await localAddressTowards(new URL('http://[::1]:4510')), undefined);
});

test("an endpoint at one of this host's other addresses is reached from that address", async () => {
  // The machine's own non-loopback IPv4 addresses (eth0, docker0...): routing to one picks it as source.
  const own = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
  assert.ok(own.length > 0, 'this machine has a non-loopback IPv4 address');
  for (const address of own) {
    assert.equal(await localAddressTowards(new URL(`http://${address}:4510`)), address);
  }
});

test('an endpoint that cannot be resolved gives no address', async () => {
  assert.equal(await localAddressTowards(new URL('http://no-such-host.invalid:4510')), undefined);
});
