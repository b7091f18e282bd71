import { after, describe, it } from 'node:test';
import { postgresTestUrl, PostgresTestSchemas } from '../../../testing/postgres.ts';
import { runSsmSessionStoreContract } from '../../../testing/ssm-session-store-contract.ts';
import { runStoreContract } from '../../../testing/store-contract.ts';

const target = postgresTestUrl();

if ('skip' in target) {
  describe('PostgresStore', () => {
    it.skip(target.skip);
  });
} else {
  const schemas = new PostgresTestSchemas(target.url);
  after(() => schemas.dropAll());
  runStoreContract('postgres', () => schemas.open());
  runSsmSessionStoreContract('postgres', () => schemas.open());
}
