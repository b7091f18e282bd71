import type { Kysely, Migration } from 'kysely';

/*
 * ACM's certificates (store/acm-repository.ts): a row per certificate, the columns ListCertificates
 * sorts and filters on, the PEM texts, the sealed private key and a JSON body for the rest.
 */
export const acmMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('acm_certificates')
      .addColumn('arn', 'text', (c) => c.primaryKey())
      .addColumn('domain_name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('key_algorithm', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('certificate_pem', 'text', (c) => c.notNull())
      .addColumn('chain_pem', 'text')
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('acm_certificates_created')
      .on('acm_certificates')
      .columns(['created_at', 'arn'])
      .execute();
  },
};
