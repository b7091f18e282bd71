import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { InvalidParameterException } from './errors.ts';
import { describeRegistry, putReplicationConfiguration } from './replication.ts';
import { rootPrincipal } from '../shared/principal.ts';

const context: RequestContext = {
  requestId: 'r',
  accountId: '123456789012',
  region: 'eu-west-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('123456789012'),
};

describe('replication configuration', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
  });
  afterEach(() => store.close());

  it('describes an empty configuration until one is put', async () => {
    assert.deepEqual(await describeRegistry({ store }, context), {
      registryId: '123456789012',
      replicationConfiguration: { rules: [] },
    });
  });

  it('refuses to replicate the registry to itself, as ECR does', async () => {
    const replicationConfiguration = {
      rules: [{ destinations: [{ region: 'eu-west-1', registryId: '123456789012' }] }],
    };
    await assert.rejects(
      putReplicationConfiguration({ store }, { replicationConfiguration }, context),
      (error: Error) =>
        error instanceof InvalidParameterException &&
        error.message ===
          "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Replication destination cannot be the same as the source registry'",
    );
  });

  it('refuses another registry, naming it: Berth does not replicate yet', async () => {
    const replicationConfiguration = {
      rules: [
        { destinations: [], repositoryFilters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' as const }] },
        { destinations: [{ region: 'us-west-2', registryId: '123456789012' }] },
      ],
    };
    await assert.rejects(
      putReplicationConfiguration({ store }, { replicationConfiguration }, context),
      (error: Error) =>
        error instanceof InvalidParameterException &&
        /Berth does not replicate to other registries yet: rule 2 names registry 123456789012 in us-west-2/.test(
          error.message,
        ),
    );
    assert.deepEqual((await describeRegistry({ store }, context)).replicationConfiguration, { rules: [] });
  });

  it('stores a configuration without destinations, which replicates nothing', async () => {
    const replicationConfiguration = {
      rules: [{ destinations: [], repositoryFilters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' as const }] }],
    };
    assert.deepEqual(await putReplicationConfiguration({ store }, { replicationConfiguration }, context), {
      replicationConfiguration,
    });
    assert.deepEqual((await describeRegistry({ store }, context)).replicationConfiguration, replicationConfiguration);
  });
});
