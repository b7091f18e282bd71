import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { currentFence, LeaseLostError, type FenceToken } from '../fencing.ts';
import { withRetries } from './serializable-kysely.ts';

const WRITE_NODES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);
/** Raw SQL (sql`...`.execute(db)) that may write: the statement's first word. */
const RAW_WRITE = /^\s*(insert|update|delete|merge|with)\b/i;

/** Whether a compiled query writes (Kysely's write nodes, or raw SQL starting as a write would). */
export function isWrite(query: CompiledQuery): boolean {
  const kind = query.query.kind;
  if (WRITE_NODES.has(kind)) return true;
  return kind === 'RawNode' && RAW_WRITE.test(query.sql);
}

/**
 * A connection that fences single statements: a write made outside a transaction while the async
 * context holds a lease (store/fencing.ts withFence) runs in a SERIALIZABLE transaction of its own
 * that first checks the lease, as SerializableKysely's transactions do. So every write a loop makes
 * under its lease carries the epoch, not only those the repositories make in transactions.
 */
class FencedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  inTransaction = false;

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const fence = currentFence();
    if (!fence || this.inTransaction || !isWrite(query)) return this.inner.executeQuery<R>(query);
    return withRetries(() => this.#fenced<R>(fence, query));
  }

  async #fenced<R>(fence: FenceToken, query: CompiledQuery): Promise<QueryResult<R>> {
    await this.inner.executeQuery(CompiledQuery.raw('begin isolation level serializable'));
    try {
      const { rows } = await this.inner.executeQuery(
        CompiledQuery.raw('select 1 from leases where name = $1 and holder = $2 and epoch = $3', [
          fence.name,
          fence.holder,
          fence.epoch,
        ]),
      );
      if (rows.length === 0) throw new LeaseLostError(fence);
      const result = await this.inner.executeQuery<R>(query);
      await this.inner.executeQuery(CompiledQuery.raw('commit'));
      return result;
    } catch (error) {
      await this.inner.executeQuery(CompiledQuery.raw('rollback')).catch(() => {});
      throw error;
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** Wraps a driver's connections in FencedConnection. */
export class FencedDriver implements Driver {
  readonly #inner: Driver;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new FencedConnection(await this.#inner.acquireConnection());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const fenced = connection as FencedConnection;
    await this.#inner.beginTransaction(fenced.inner, settings);
    fenced.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const fenced = connection as FencedConnection;
    fenced.inTransaction = false;
    await this.#inner.commitTransaction(fenced.inner);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const fenced = connection as FencedConnection;
    fenced.inTransaction = false;
    await this.#inner.rollbackTransaction(fenced.inner);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection((connection as FencedConnection).inner);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
