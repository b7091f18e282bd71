import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';

/** One log event row as PutLogEvents inserts it: timestamp, UTF-8 size, message. */
export type LogEventRow = readonly [timestamp: number, size: number, message: string];

/**
 * The few SQL fragments the Kysely repositories in sqlite/ write differently per database. Every
 * other query they make is portable, so SqliteStore and PostgresStore share them, each passing its
 * dialect (SQLite's is the default: its statements are exactly the ones it always ran).
 */
export interface SqlDialect {
  /** A top-level member of a JSON text column, as text. */
  jsonMember(column: string, member: string): RawBuilder<string>;
  /** Whether `text` occurs in the text column, case-sensitively. */
  contains(column: string, text: string): RawBuilder<SqlBool>;
  /** The smaller (or greater) of two numbers; NULL when `a` is NULL (callers coalesce). */
  least(a: Expression<number | null>, b: Expression<number> | number): RawBuilder<number>;
  greatest(a: Expression<number | null>, b: Expression<number> | number): RawBuilder<number>;
  /** Inserts a PutLogEvents batch with one statement; the events get seq firstSeq, firstSeq + 1, ... */
  insertLogEvents(
    db: Kysely<never>,
    target: { groupId: number; streamId: number; firstSeq: number; ingestionTime: number },
    rows: readonly LogEventRow[],
  ): Promise<void>;
  /** Whether a failed statement broke a UNIQUE (or primary key) constraint. */
  isUniqueViolation(error: unknown): boolean;
}

export const sqliteDialect: SqlDialect = {
  jsonMember: (column, member) => sql<string>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${member}`)})`,
  contains: (column, text) => sql<SqlBool>`instr(${sql.ref(column)}, ${text}) > 0`,
  least: (a, b) => sql<number>`min(${a}, ${b})`,
  greatest: (a, b) => sql<number>`max(${a}, ${b})`,
  // The batch travels as one JSON parameter through json_each: one statement, one bound value.
  async insertLogEvents(db, { groupId, streamId, firstSeq, ingestionTime }, rows) {
    await sql`
    insert into log_events (group_id, stream_id, timestamp, seq, ingestion_time, size, message)
    select ${groupId}, ${streamId}, value ->> 0, ${firstSeq} + key, ${ingestionTime}, value ->> 1, value ->> 2
    from json_each(${JSON.stringify(rows)})`.execute(db);
  },
  isUniqueViolation: (error) => /UNIQUE constraint failed/.test(String((error as Error | undefined)?.message)),
};
