import type { Kysely, Migration } from 'kysely';

/* ECR registry settings (store/registry-setting-repository.ts): one JSON value per name. */
export const registrySettingsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('registry_settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
