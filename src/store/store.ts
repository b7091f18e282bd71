/**
 * The one storage interface every domain service uses. It follows what the services need, not SQL:
 * SQLite (default) implements it now, PostgreSQL later, both checked by testing/store-contract.ts.
 * Every method that writes commits durably before its promise resolves.
 */
export interface MetadataStore {
  readonly clusters: ClusterRepository;
  /** Resolves when the store is open and migrated and answers a query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type ClusterStatus = 'ACTIVE' | 'PROVISIONING' | 'DEPROVISIONING' | 'FAILED' | 'INACTIVE';

export interface ClusterRecord {
  readonly name: string;
  readonly arn: string;
  readonly status: ClusterStatus;
  readonly createdAt: Date;
  /** The API's cluster fields the store never queries by (settings, configuration, tags...), as JSON. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface Page {
  /** Return records strictly after this key, in key order. */
  readonly after?: string | undefined;
  readonly limit: number;
}

export interface ClusterRepository {
  /** Inserts the cluster unless one with that name exists; returns what is stored either way. */
  insertIfAbsent(record: ClusterRecord): Promise<{ record: ClusterRecord; created: boolean }>;
  getByNames(names: readonly string[]): Promise<ClusterRecord[]>;
  /** Clusters in name order. */
  list(page: Page, options?: { status?: ClusterStatus }): Promise<ClusterRecord[]>;
}
