import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { ssmResourceTags } from './resource-tags.ts';

const ARN = 'arn:aws:ssm:us-east-1:000000000000:parameter/';

describe('ssmResourceTags', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
  });
  afterEach(() => store.close());

  const put = (name: string, tags: { Key: string; Value: string }[]) =>
    store.ssm.write([
      {
        name,
        expectRevision: undefined,
        next: { version: 1, tags },
        putVersions: [
          {
            version: 1,
            value: 'v',
            labels: [],
            modifiedAt: new Date(0),
            details: { type: 'String', tier: 'Standard', dataType: 'text', lastModifiedUser: 'root' },
          },
        ],
      },
    ]);

  it("answers a parameter's tags by ARN, with and without the leading slash, and nothing for others", async () => {
    await put('/app/db', [{ Key: 'team', Value: 'a' }]);
    await put('plain', [{ Key: 'team', Value: 'b' }]);
    const lookup = ssmResourceTags(store);
    assert.deepEqual(await lookup(`${ARN}app/db`), { team: 'a' });
    assert.deepEqual(await lookup(`${ARN}plain`), { team: 'b' });
    assert.equal(await lookup(`${ARN}missing`), undefined);
    assert.equal(await lookup(`${ARN}app/*`), undefined);
    assert.equal(await lookup('arn:aws:ecs:us-east-1:000000000000:cluster/app'), undefined);
  });
});
