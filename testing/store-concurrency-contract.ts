import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MetadataStore, SsmParameterVersionRecord, TaskDefinitionRecord } from '../src/store/index.ts';

const WRITERS = 16;

/**
 * What concurrent writers must see from any backend: compare-and-set writes let exactly one of
 * several writers that read the same state win, and read-then-write transactions never interleave.
 * SQLite runs transactions one at a time; PostgreSQL runs these on several connections at once.
 */
export function runStoreConcurrencyContract(backend: string, open: () => Promise<MetadataStore>): void {
  describe(`MetadataStore concurrent writers: ${backend}`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    it('lets exactly one of several replaces from the same read win', async () => {
      const service = {
        cluster: 'c',
        name: 'web',
        arn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
        status: 'ACTIVE',
        createdAt: new Date(0),
        body: { desiredCount: 0 },
      };
      await store.services.insert(service);
      const [read] = await store.services.get('c', ['web']);
      const results = await Promise.all(
        Array.from({ length: WRITERS }, (_, i) =>
          store.services.replace(read!, { ...read!, body: { desiredCount: i + 1 } }),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true) + 1;
      assert.deepEqual((await store.services.get('c', ['web']))[0]!.body, { desiredCount: winner });
    });

    it('gives concurrent registrations of one family distinct, consecutive revisions', async () => {
      const build = (revision: number): TaskDefinitionRecord => ({
        family: 'busy',
        revision,
        arn: `arn:aws:ecs:us-east-1:000000000000:task-definition/busy:${revision}`,
        status: 'ACTIVE',
        registeredAt: new Date(0),
        body: {},
        tags: [],
      });
      const records = await Promise.all(
        Array.from({ length: WRITERS }, () => store.taskDefinitions.registerNext('busy', build)),
      );
      // 16 registrations → revisions 1..16, each once.
      assert.deepEqual(
        records.map((r) => r.revision).sort((a, b) => a - b),
        Array.from({ length: WRITERS }, (_, i) => i + 1),
      );
    });

    it('creates a parameter once when several writers expect it absent', async () => {
      const version: SsmParameterVersionRecord = {
        version: 1,
        value: 'v',
        labels: [],
        modifiedAt: new Date(0),
        details: {
          type: 'String',
          tier: 'Standard',
          dataType: 'text',
          lastModifiedUser: 'arn:aws:iam::000000000000:root',
        },
      };
      const results = await Promise.all(
        Array.from({ length: WRITERS }, () =>
          store.ssm.write([
            { name: '/race', expectRevision: undefined, next: { version: 1, tags: [] }, putVersions: [version] },
          ]),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store.ssm.get('/race'))?.revision, 1);
    });

    it('merges concurrent datapoints into one block without losing any', async () => {
      const metric = { key: 'm', namespace: 'N', metricName: 'M', dimensions: [], lastPutAt: new Date(1000) };
      const block = { key: 'm', unit: 'Count', resolution: 60, start: new Date(3_600_000), body: new Uint8Array([1]) };
      // The store's part is to merge each write into what it reads: here a merge appends.
      const merge = (a: Uint8Array, b: Uint8Array) => new Uint8Array([...a, ...b]);
      await Promise.all(
        Array.from({ length: WRITERS }, () => store.cloudWatch.putDatapoints([metric], [block], merge)),
      );
      const [stored, ...others] = await store.cloudWatch.readBlocks(['m'], {
        resolution: 60,
        from: new Date(0),
        to: new Date(7_200_000),
      });
      assert.equal(others.length, 0);
      assert.equal(stored?.body.length, WRITERS);
      assert.equal(stored?.unit, 'Count');
    });
  });
}
