import { Migrator, sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { SecretBox } from '../../shared/secret-box.ts';
import { migrations } from '../migrations/index.ts';
import type { MetadataStore } from '../store.ts';
import type { Database } from '../sqlite/schema.ts';
import { GroupCommit } from '../sqlite/group-commit.ts';
import { SqliteAccountSettings } from '../sqlite/sqlite-account-settings.ts';
import { SqliteCapacityProviders } from '../sqlite/sqlite-capacity-providers.ts';
import { SqliteCloudWatch } from '../sqlite/sqlite-cloudwatch.ts';
import { SqliteContainerInstances } from '../sqlite/sqlite-container-instances.ts';
import { SqliteElb } from '../sqlite/sqlite-elb.ts';
import { SqliteIam } from '../sqlite/sqlite-iam.ts';
import { SqliteKms } from '../sqlite/sqlite-kms.ts';
import { SqliteLogs } from '../sqlite/sqlite-logs.ts';
import { SqliteRegistry } from '../sqlite/sqlite-registry.ts';
import { SqliteRegistrySettings } from '../sqlite/sqlite-registry-settings.ts';
import { SqliteRepositories } from '../sqlite/sqlite-repositories.ts';
import { SqliteS3 } from '../sqlite/sqlite-s3.ts';
import { SqliteSecrets } from '../sqlite/sqlite-secrets.ts';
import { SqliteServiceDiscovery } from '../sqlite/sqlite-servicediscovery.ts';
import { SqliteServices } from '../sqlite/sqlite-services.ts';
import { SqliteSessions } from '../sqlite/sqlite-sessions.ts';
import { SqliteSsm } from '../sqlite/sqlite-ssm.ts';
import { SqliteSsmSessions } from '../sqlite/sqlite-ssm-sessions.ts';
import { SqliteAcm } from '../sqlite/sqlite-acm.ts';
import { SqliteApplicationAutoScaling } from '../sqlite/sqlite-application-autoscaling.ts';
import { SqliteClusters } from '../sqlite/sqlite-store.ts';
import { SqliteTaskDefinitions } from '../sqlite/sqlite-task-definitions.ts';
import { SqliteTasks } from '../sqlite/sqlite-tasks.ts';
import { sealPlaintextSecretKeys } from '../sqlite/sqlite-users.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { PostgresSchemaPlugin } from './postgres-schema-plugin.ts';
import { SchemaScopedPostgresDialect } from './schema-introspector.ts';
import { SerializableKysely } from './serializable-kysely.ts';
import { PostgresChangeBus } from './postgres-change-bus.ts';
import { postgresNow, SqliteLeases } from '../sqlite/sqlite-leases.ts';
import { PostgresTargetHealth } from './postgres-target-health.ts';
import { PostgresBlobLocations } from './postgres-blob-locations.ts';
import { CHANGE_TOPICS } from '../change-bus.ts';

export interface PostgresStoreOptions {
  /** Seals secret access keys, STS secrets and KMS material, as SqliteStore does. */
  readonly secretBox: SecretBox;
  /** The schema the tables live in (created if missing); default: the connection's search_path. */
  readonly schema?: string | undefined;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number | undefined;
  /**
   * Several servers on this schema (issue #21): each takes the schema's lock shared instead of
   * exclusive, and the caches other servers' writes make stale are dropped when they say so.
   * A server without it refuses a schema servers with it use, and the other way round.
   */
  readonly multiServer?: boolean | undefined;
}

/**
 * The store on PostgreSQL: the same tables and migrations as SQLite's (PostgresSchemaPlugin adapts
 * their column types), and the same Kysely repositories, which are portable but for the few
 * fragments postgres-dialect.ts writes. Transactions run SERIALIZABLE and are retried on conflict
 * (SerializableKysely); commits wait for the WAL flush (synchronous_commit=on).
 *
 * One server per database schema by default, as with SQLite: the store holds an advisory lock for as
 * long as it is open, and a second server on the same schema fails at start. With `multiServer`,
 * several servers share the schema (issue #21): the lock is taken shared, and the caches (registry
 * settings, container instance lists) are dropped when another server says it wrote
 * (PostgresChangeBus, LISTEN/NOTIFY); the server loops run under the store's leases.
 */
export class PostgresStore implements MetadataStore {
  readonly clusters: SqliteClusters;
  readonly repositories: SqliteRepositories;
  readonly registry: SqliteRegistry;
  readonly iam: SqliteIam;
  readonly taskDefinitions: SqliteTaskDefinitions;
  readonly containerInstances: SqliteContainerInstances;
  readonly accountSettings: SqliteAccountSettings;
  readonly tasks: SqliteTasks;
  readonly services: SqliteServices;
  readonly capacityProviders: SqliteCapacityProviders;
  readonly logs: SqliteLogs;
  readonly elb: SqliteElb;
  readonly s3: SqliteS3;
  readonly registrySettings: SqliteRegistrySettings;
  readonly sessions: SqliteSessions;
  readonly ssm: SqliteSsm;
  readonly ssmSessions: SqliteSsmSessions;
  readonly acm: SqliteAcm;
  readonly applicationAutoScaling: SqliteApplicationAutoScaling;
  readonly kms: SqliteKms;
  readonly secrets: SqliteSecrets;
  readonly serviceDiscovery: SqliteServiceDiscovery;
  readonly cloudWatch: SqliteCloudWatch;
  readonly leases: SqliteLeases;
  readonly blobLocations: PostgresBlobLocations;
  readonly targetHealth: PostgresTargetHealth;
  readonly changes: PostgresChangeBus;
  readonly #db: Kysely<Database>;
  readonly #owner: pg.Client;

  private constructor(db: Kysely<Database>, owner: pg.Client, box: SecretBox, changes: PostgresChangeBus) {
    this.#db = db;
    this.#owner = owner;
    this.changes = changes;
    this.leases = new SqliteLeases(db, { now: postgresNow, preempt: false });
    this.blobLocations = new PostgresBlobLocations(db);
    this.targetHealth = new PostgresTargetHealth(db);
    const tell = (cache: string) => () => changes.publish(CHANGE_TOPICS.caches, cache);
    this.clusters = new SqliteClusters(db);
    this.repositories = new SqliteRepositories(db);
    this.registry = new SqliteRegistry(db);
    this.iam = new SqliteIam(db, box);
    this.taskDefinitions = new SqliteTaskDefinitions(db);
    this.containerInstances = new SqliteContainerInstances(db, postgresDialect, {
      onChange: tell('container-instances'),
    });
    this.accountSettings = new SqliteAccountSettings(db);
    const commits = new GroupCommit(db);
    this.tasks = new SqliteTasks(db, commits);
    this.services = new SqliteServices(db, commits);
    this.capacityProviders = new SqliteCapacityProviders(db);
    this.logs = new SqliteLogs(db, postgresDialect);
    this.elb = new SqliteElb(db, { onChange: () => changes.publish(CHANGE_TOPICS.loadBalancers, '') });
    this.s3 = new SqliteS3(db);
    this.registrySettings = new SqliteRegistrySettings(db, { onChange: tell('registry-settings') });
    changes.subscribe(CHANGE_TOPICS.caches, (cache) => {
      if (cache === undefined || cache === 'container-instances') this.containerInstances.invalidate();
      if (cache === undefined || cache === 'registry-settings') this.registrySettings.invalidate();
    });
    this.sessions = new SqliteSessions(db, box);
    this.ssm = new SqliteSsm(db);
    this.ssmSessions = new SqliteSsmSessions(db);
    this.acm = new SqliteAcm(db, box);
    this.applicationAutoScaling = new SqliteApplicationAutoScaling(db);
    this.kms = new SqliteKms(db, box);
    this.secrets = new SqliteSecrets(db);
    this.serviceDiscovery = new SqliteServiceDiscovery(db, postgresDialect);
    this.cloudWatch = new SqliteCloudWatch(db, postgresDialect);
  }

  /**
   * Connects to the database at `url` (postgres://user:password@host:port/database), takes the
   * schema's ownership lock, and applies the migrations it lacks. Errors never carry the password.
   */
  static async open(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
    const config = connectionConfig(url, options.schema);
    const owner = new pg.Client(config);
    // Exclusive for one server per schema; shared for several (multi-server): either refuses the other.
    const lock = options.multiServer === true ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
    owner.on('error', () => {}); // a lost connection fails the next ping; the pool reconnects on its own
    let schema: string;
    try {
      await owner.connect();
      if (options.schema !== undefined) await owner.query(`create schema if not exists "${options.schema}"`);
      const { rows } = await owner.query<{ schema: string | null; locked: boolean }>(
        `select current_schema() as schema, ${lock}(hashtext('berth-store:' || current_schema())) as locked`,
      );
      if (!rows[0]?.schema) throw new Error(`the store ${describePostgresUrl(url)} has no schema to create tables in`);
      schema = rows[0].schema;
      if (!rows[0].locked) {
        throw new Error(
          options.multiServer === true
            ? `the store ${describePostgresUrl(url)} is in use by a berth server without multi-server mode`
            : `the store ${describePostgresUrl(url)} is in use by another berth server (several need multi-server mode)`,
        );
      }
    } catch (error) {
      await owner.end().catch(() => {});
      throw withoutPassword(error, url);
    }
    const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
    pool.on('error', () => {}); // an idle connection dropped: the pool opens a new one when asked
    // Its introspection (the migrator's) reads this schema's catalog only: see schema-introspector.ts.
    const db = new SerializableKysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }, schema) });
    let changes: PostgresChangeBus;
    try {
      await migrate(db, schema);
      await sealPlaintextSecretKeys(db, options.secretBox);
      changes = await PostgresChangeBus.open(config, {
        schema,
        notify: async (channel, payload) => void (await sql`select pg_notify(${channel}, ${payload})`.execute(db)),
      });
    } catch (error) {
      await db.destroy();
      await owner.end().catch(() => {});
      throw withoutPassword(error, url);
    }
    return new PostgresStore(db, owner, options.secretBox, changes);
  }

  async ping(): Promise<void> {
    await this.#db.selectFrom('clusters').select('name').limit(sql.lit(1)).execute();
  }

  async close(): Promise<void> {
    await this.changes.close();
    await this.#db.destroy();
    await this.#owner.end().catch(() => {});
  }
}

async function migrate(db: Kysely<Database>, schema: string): Promise<void> {
  // Kysely's migrator serializes concurrent starts with an advisory lock of its own and applies
  // each run in one transaction (PostgreSQL's DDL is transactional). Its tables are named with their
  // schema: it would otherwise take another schema's kysely_migration for this one's. Whether they
  // exist it asks the dialect's introspector, which looks at this schema only.
  const migrator = new Migrator({
    db: db.withPlugin(new PostgresSchemaPlugin()),
    migrationTableSchema: schema,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** int8 (epoch milliseconds, counts) and numeric (sums) as numbers; bytea as a plain Uint8Array. */
const PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  20: Number,
  1700: Number,
  17: (text) => {
    const buffer = pg.types.getTypeParser(17, 'text')(text) as Buffer;
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
};

const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  PARSERS[oid] ?? pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser;

function connectionConfig(url: string, schema: string | undefined): pg.ClientConfig {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const settings = ['-c synchronous_commit=on', ...(schema !== undefined ? [`-c search_path=${schema}`] : [])];
  return { connectionString: url, options: settings.join(' '), types: { getTypeParser } };
}

/** The URL with its password (if any) masked: what logs and error messages may show. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

/** pg's errors can quote the connection string; a password in one is replaced. */
function withoutPassword(error: unknown, url: string): unknown {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return error;
  }
  if (password === '' || !(error instanceof Error) || !error.message.includes(password)) return error;
  error.message = error.message.split(password).join('***');
  return error;
}
