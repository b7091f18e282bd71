import { sql, type Kysely, type Migration } from 'kysely';

/*
 * CloudWatch Logs: groups, streams, events. Ids are integer primary keys (SQLite assigns them; a
 * PostgreSQL store would declare them as identity columns). Events are read as range scans over
 * (stream_id, timestamp, seq) for one stream and (group_id, timestamp, seq) across a group; seq
 * comes from the group's next_seq, so (timestamp, seq) is unique within a group.
 */
export const logsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('log_groups')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retention_in_days', 'integer')
      .addColumn('log_group_class', 'text', (c) => c.notNull())
      .addColumn('stored_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('next_seq', 'bigint', (c) => c.notNull().defaultTo(1))
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
      .addColumn('details', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
      .execute();
    await db.schema
      .createTable('log_streams')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('group_id', 'integer', (c) => c.notNull().references('log_groups.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('first_event_timestamp', 'bigint')
      .addColumn('last_event_timestamp', 'bigint')
      .addColumn('last_ingestion_time', 'bigint')
      .addColumn('uploads', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('stored_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('log_streams_name', ['group_id', 'name'])
      .execute();
    await db.schema
      .createIndex('log_streams_last_event')
      .on('log_streams')
      .columns(['group_id', 'last_event_timestamp', 'name'])
      .execute();
    await db.schema
      .createTable('log_events')
      .addColumn('group_id', 'integer', (c) => c.notNull())
      .addColumn('stream_id', 'integer', (c) => c.notNull().references('log_streams.id').onDelete('cascade'))
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('ingestion_time', 'bigint', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('log_events_stream')
      .on('log_events')
      .columns(['stream_id', 'timestamp', 'seq'])
      .execute();
    await db.schema
      .createIndex('log_events_group')
      .on('log_events')
      .columns(['group_id', 'timestamp', 'seq'])
      .execute();
  },
};
