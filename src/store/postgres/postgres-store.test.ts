import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { SecretBox } from '../../shared/secret-box.ts';
import { postgresTestUrl, PostgresTestSchemas } from '../../../testing/postgres.ts';
import { runStoreConcurrencyContract } from '../../../testing/store-concurrency-contract.ts';
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
  runStoreConcurrencyContract('postgres', () => schemas.open());

  describe('PostgresStore', () => {
    it('keeps its data across reopen, with the migrations applied once', async () => {
      const schema = schemas.newSchema();
      const secretBox = SecretBox.ephemeral();
      const store = await schemas.open({ schema, secretBox });
      await store.clusters.insertIfAbsent({
        name: 'kept',
        arn: 'arn:x',
        status: 'ACTIVE',
        createdAt: new Date(0),
        details: {},
      });
      await store.close();
      const reopened = await schemas.open({ schema, secretBox });
      assert.equal((await reopened.clusters.getByNames(['kept'])).length, 1);
      await reopened.close();
      const applied = await schemas.query<{ name: string }>(
        `select name from "${schema}".kysely_migration order by name`,
      );
      assert.ok(applied.length >= 20);
    });

    it('refuses a second server on the schema another one holds open', async () => {
      const schema = schemas.newSchema();
      const owner = await schemas.open({ schema });
      await assert.rejects(schemas.open({ schema }), /is in use by another berth server/);
      await owner.close();
      await (await schemas.open({ schema })).close(); // free again once the owner has closed
    });

    it('keeps no secret access key or STS secret in plain text, and opens them back', async () => {
      const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
      const schema = schemas.newSchema();
      const secretBox = SecretBox.ephemeral();
      const store = await schemas.open({ schema, secretBox });
      const user = {
        kind: 'user' as const,
        name: 'alice',
        arn: 'arn:alice',
        id: 'AIDAX',
        path: '/',
        createdAt: new Date(0),
        body: {},
      };
      const key = {
        accessKeyId: 'AKIAALICE00000000000',
        userName: 'alice',
        secretAccessKey: SECRET,
        status: 'Active' as const,
        createdAt: new Date(0),
      };
      await store.iam.write({ put: [user], putKeys: [key] });
      await store.sessions.insert({
        accessKeyId: 'ASIAOLD0000000000000',
        secretAccessKey: SECRET,
        tokenHash: 'ab'.repeat(32),
        sourceAccessKeyId: key.accessKeyId,
        createdAt: new Date(0),
        expiresAt: new Date(1),
        body: {},
      });
      const stored = await schemas.query<{ secret: string }>(
        `select secret_access_key as secret from "${schema}".access_keys union all select secret_access_key from "${schema}".sts_sessions`,
      );
      assert.equal(stored.length, 2);
      for (const { secret } of stored) assert.match(secret, /^v1:/);
      assert.equal((await store.iam.load()).accessKeys[0]?.secretAccessKey, SECRET);
      await store.close();
      const elsewhere = await schemas.open({ schema, secretBox: SecretBox.ephemeral() });
      await assert.rejects(elsewhere.iam.load(), /does not open with the data folder's master key/);
      await elsewhere.close();
    });

    it("starts while other schemas of the database come and go (other servers', other applications')", async () => {
      // Another connection creates and drops schemas with tables in a loop (bounded) while stores
      // open, migrate and reopen: a start must read only its own schema's catalog, never fail on a
      // schema dropped under it (Kysely's stock introspection scanned every schema of the database).
      const churner = new pg.Client({ connectionString: target.url });
      await churner.connect();
      const other = schemas.newSchema(); // made and dropped again and again; dropAll() removes a leftover
      let stop = false;
      let churned = 0;
      const churn = (async () => {
        const deadline = Date.now() + 60_000;
        while (!stop && churned < 5_000 && Date.now() < deadline) {
          await churner.query(`create schema "${other}"`);
          await churner.query(`create table "${other}".t (id serial primary key, a text, b bigint)`);
          await churner.query(`drop schema "${other}" cascade`);
          churned++;
        }
      })();
      try {
        for (let i = 0; i < 3; i++) {
          const schema = schemas.newSchema();
          await (await schemas.open({ schema })).close();
          await (await schemas.open({ schema })).close();
        }
      } finally {
        stop = true;
        await churn;
        await churner.end();
      }
      assert.ok(churned > 0);
    });

    it('never shows the password of the URL in an error', async () => {
      const url = new URL(target.url);
      url.password = 'pw-that-must-not-leak';
      url.port = '1'; // nothing listens there
      await assert.rejects(
        schemas.open({ url: url.toString() }),
        (error: Error) => !String(error.message).includes('pw-that-must-not-leak'),
      );
    });
  });
}
