import type { Kysely, Migration } from 'kysely';

/*
 * CloudWatch metrics and alarms (store/cloudwatch-repository.ts). A metric is a row keyed by its
 * identity (namespace, name, sorted dimensions); its datapoints are aggregates, one row per metric,
 * resolution (1, 60, 300 or 3600 seconds), unit and bucket start: count, sum, min, max and a bounded
 * percentile sketch. No raw value is kept. Alarms are one JSON body each, with a revision for
 * compare-and-set between the API and the evaluator; their history is append-only.
 */
export const cloudWatchMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('cw_metrics')
      .addColumn('metric_key', 'text', (c) => c.primaryKey())
      .addColumn('namespace', 'text', (c) => c.notNull())
      .addColumn('metric_name', 'text', (c) => c.notNull())
      .addColumn('dimensions', 'text', (c) => c.notNull())
      .addColumn('last_put_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cw_metrics_name').on('cw_metrics').columns(['namespace', 'metric_name']).execute();
    await db.schema
      .createTable('cw_datapoints')
      .addColumn('metric_key', 'text', (c) => c.notNull())
      .addColumn('resolution', 'integer', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('bucket_start', 'bigint', (c) => c.notNull())
      .addColumn('sample_count', 'double precision', (c) => c.notNull())
      .addColumn('sum', 'double precision', (c) => c.notNull())
      .addColumn('minimum', 'double precision', (c) => c.notNull())
      .addColumn('maximum', 'double precision', (c) => c.notNull())
      .addColumn('sketch', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cw_datapoints_pk', ['metric_key', 'resolution', 'bucket_start', 'unit'])
      .execute();
    await db.schema
      .createIndex('cw_datapoints_age')
      .on('cw_datapoints')
      .columns(['resolution', 'bucket_start'])
      .execute();
    await db.schema
      .createTable('cw_alarms')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('cw_alarm_history')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('alarm_name', 'text', (c) => c.notNull())
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('item_type', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cw_alarm_history_time').on('cw_alarm_history').columns(['timestamp', 'id']).execute();
  },
};
