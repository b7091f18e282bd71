import type { DatabaseSync } from 'node:sqlite';
import { type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { asDataVolumeFull } from '../../shared/storage-full.ts';

/**
 * Adapts node:sqlite (built into Node 24, no native addon) to the better-sqlite3-shaped interface
 * that Kysely's SqliteDialect drives. Prepared statements are cached by SQL text: Kysely compiles
 * the same few statements over and over.
 *
 * It is also the store's edge for a full disk: SQLITE_FULL leaves as DataVolumeFullError. SQLite
 * has then rolled the transaction back itself, so the ROLLBACK Kysely sends next is skipped instead
 * of failing with "no transaction is active" and hiding the cause; the connection stays usable, and
 * writes work again once space is freed.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= 500) this.#statements.clear();
      statement = sql === 'rollback' ? this.#rollback() : adapt(this.#db.prepare(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  #rollback(): SqliteStatement {
    const rollback = adapt(this.#db.prepare('rollback'));
    return {
      ...rollback,
      run: (parameters) => (this.#db.isTransaction ? rollback.run(parameters) : { changes: 0, lastInsertRowid: 0 }),
    };
  }
}

type Bindable = null | number | bigint | string | Uint8Array;

function bind(parameters: ReadonlyArray<unknown>): Bindable[] {
  return parameters.map((p) => {
    if (p === undefined || p === null) return null;
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (p instanceof Date) return p.getTime();
    return p as Bindable;
  });
}

function adapt(statement: StatementSync): SqliteStatement {
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => {
      try {
        return statement.all(...bind(parameters));
      } catch (error) {
        throw asDataVolumeFull(error);
      }
    },
    run: (parameters) => {
      try {
        const { changes, lastInsertRowid } = statement.run(...bind(parameters));
        return { changes, lastInsertRowid };
      } catch (error) {
        throw asDataVolumeFull(error);
      }
    },
    iterate: (parameters) => iterate(statement.iterate(...bind(parameters))),
  };
}

function* iterate(rows: Iterator<unknown>): IterableIterator<unknown> {
  for (;;) {
    let next;
    try {
      next = rows.next();
    } catch (error) {
      throw asDataVolumeFull(error);
    }
    if (next.done) return;
    yield next.value;
  }
}
