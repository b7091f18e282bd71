import { sql, type SqlBool } from 'kysely';
import type { SqlDialect } from '../sql-dialect.ts';

/** PostgreSQL's forms of the fragments the shared repositories write per database (sql-dialect.ts). */
export const postgresDialect: SqlDialect = {
  // Columns hold JSON as text: cast, then take the member as text.
  jsonMember: (column, member) => sql<string>`(${sql.ref(column)}::jsonb ->> ${sql.lit(member)})`,
  contains: (column, text) => sql<SqlBool>`strpos(${sql.ref(column)}, ${text}::text) > 0`,
  // least and greatest skip NULLs where SQLite's min and max answer NULL: callers coalesce either way.
  least: (a, b) => sql<number>`least(${a}, ${b}::bigint)`,
  greatest: (a, b) => sql<number>`greatest(${a}, ${b}::bigint)`,
  // Three array parameters unnested together: one statement whatever the batch size (10,000 events
  // as single-row values would pass PostgreSQL's 65,535 bound-parameter limit).
  async insertLogEvents(db, { groupId, streamId, firstSeq, ingestionTime }, rows) {
    await sql`
    insert into log_events (group_id, stream_id, timestamp, seq, ingestion_time, size, message)
    select ${groupId}::integer, ${streamId}::integer, e.timestamp, ${firstSeq}::bigint + e.ordinality - 1,
      ${ingestionTime}::bigint, e.size, e.message
    from unnest(${rows.map((r) => r[0])}::bigint[], ${rows.map((r) => r[1])}::integer[], ${rows.map((r) => r[2])}::text[])
      with ordinality as e(timestamp, size, message, ordinality)`.execute(db);
  },
  isUniqueViolation: (error) => (error as { code?: unknown } | undefined)?.code === '23505',
};
