import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { FakeClock } from '../../src/shared/clock.ts';
import { RegistryClient } from '../../testing/registry-client.ts';
import { startTestServer } from '../../testing/server.ts';

const HOUR = 3_600_000;

describe('registry uploads at start', () => {
  it('keeps acknowledged bytes within the expiry, drops the rest, and removes uploads past it', async () => {
    const clock = new FakeClock(new Date()); // real time: the SDK signs with it
    const env = { BERTH_MANAGED_CAPACITY: 'off', BERTH_UPLOAD_EXPIRY_SECONDS: '7200' };
    const first = await startTestServer(env, { clock });
    const ecr = new ECRClient({ endpoint: first.url, region: first.region, credentials: first.credentials });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    const { client } = await RegistryClient.forServer(first, ecr);
    ecr.destroy();
    const location = (await client.request('POST', '/v2/app/blobs/uploads/')).headers.get('location')!;
    await client.request('PATCH', location, { body: Buffer.alloc(3000), headers: { 'content-range': '0-2999' } });
    await first.close();

    const uploads = join(first.dataDir, 'registry', 'uploads');
    const [id] = readdirSync(uploads);
    appendFileSync(join(uploads, id!), Buffer.alloc(5000)); // a PATCH a crash cut short: never acknowledged
    const stray = randomUUID();
    writeFileSync(join(uploads, stray), 'no record'); // bytes no upload record accounts for

    clock.advance(HOUR); // within the 2 h expiry
    const second = await startTestServer(env, { clock, dataDir: first.dataDir });
    await second.close();
    assert.equal(statSync(join(uploads, id!)).size, 3000);
    assert.ok(!existsSync(join(uploads, stray)));

    clock.advance(2 * HOUR); // idle 3 h now
    const third = await startTestServer(env, { clock, dataDir: first.dataDir });
    await third.close();
    assert.ok(!existsSync(join(uploads, id!)));
    await third.stop(); // removes the data folder
  });
});
