import type { StoreConfig } from '../shared/config.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { MetadataStore } from '../store/index.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/** The metadata store --store (BERTH_STORE) names: SQLite in the data folder, or PostgreSQL. */
export function openStore(config: StoreConfig, options: { secretBox: SecretBox }): Promise<MetadataStore> {
  return config.kind === 'postgres'
    ? PostgresStore.open(config.url, { secretBox: options.secretBox, multiServer: config.multiServer })
    : SqliteStore.open(config.path, { secretBox: options.secretBox });
}
