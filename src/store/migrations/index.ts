import { sql, type Kysely, type Migration } from 'kysely';
import { logsMigration } from './0009-logs.ts';
import { elbMigration } from './0012-elb.ts';
import { s3Migration } from './0014-s3.ts';
import { registrySettingsMigration } from './0015-registry-settings.ts';
import { stsSessionsMigration } from './0017-sts-sessions.ts';
import { kmsMigration } from './0018-kms.ts';
import { secretsManagerMigration } from './0019-secretsmanager.ts';
import { iamMigration } from './0016-iam.ts';
import { ssmMigration } from './0020-ssm.ts';
import { serviceDiscoveryMigration } from './0021-servicediscovery.ts';
import { ssmSessionsMigration } from './0024-ssm-sessions.ts';
import { cloudWatchMigration } from './0022-cloudwatch.ts';
import { leasesMigration } from './0025-leases.ts';
import { acmMigration } from './0023-acm.ts';
import { applicationAutoScalingMigration } from './0026-application-autoscaling.ts';
import { cloudWatchPackedMigration } from './0027-cloudwatch-packed.ts';
import { blobLocationsMigration } from './0028-blob-locations.ts';
import { lbTargetHealthMigration } from './0029-lb-target-health.ts';
import { taskSchedulingColumns, type TaskSchedulingColumns } from './task-columns.ts';

/*
 * Versioned schema migrations, applied in name order at start (Kysely's Migrator records them in
 * kysely_migration). Written with Kysely's schema builder so SQLite and PostgreSQL share them.
 * Never edit a migration that has shipped: add the next one.
 */
export const migrations: Record<string, Migration> = {
  '0001-clusters': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('clusters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
        .execute();
    },
  },
  '0002-registry': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('repositories')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
        .execute();
      // Blob content is shared by all repositories; a repository sees a blob only through a link.
      await db.schema
        .createTable('blobs')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('linked_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('repository_blobs')
        .addColumn('repository', 'text', (c) => c.notNull().references('repositories.name').onDelete('cascade'))
        .addColumn('digest', 'text', (c) => c.notNull().references('blobs.digest'))
        .addColumn('linked_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('repository_blobs_pk', ['repository', 'digest'])
        .execute();
      await db.schema.createIndex('repository_blobs_digest').on('repository_blobs').column('digest').execute();
      await db.schema
        .createTable('manifests')
        .addColumn('repository', 'text', (c) => c.notNull().references('repositories.name').onDelete('cascade'))
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('artifact_type', 'text')
        .addColumn('config_media_type', 'text')
        .addColumn('subject', 'text')
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('image_size', 'bigint', (c) => c.notNull())
        .addColumn('body', 'blob', (c) => c.notNull())
        .addColumn('annotations', 'text')
        .addColumn('pushed_at', 'bigint', (c) => c.notNull())
        .addColumn('last_pulled_at', 'bigint')
        .addPrimaryKeyConstraint('manifests_pk', ['repository', 'digest'])
        .execute();
      await db.schema.createIndex('manifests_subject').on('manifests').columns(['repository', 'subject']).execute();
      // What each manifest needs: its config and layers (blobs), or its children (manifests).
      await db.schema
        .createTable('manifest_references')
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('manifest', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('manifest_references_pk', ['repository', 'manifest', 'reference'])
        .addForeignKeyConstraint(
          'manifest_references_manifest',
          ['repository', 'manifest'],
          'manifests',
          ['repository', 'digest'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('manifest_references_reference')
        .on('manifest_references')
        .column('reference')
        .execute();
      await db.schema
        .createTable('tags')
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['repository', 'tag'])
        .addForeignKeyConstraint(
          'tags_manifest',
          ['repository', 'digest'],
          'manifests',
          ['repository', 'digest'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();
      await db.schema.createIndex('tags_digest').on('tags').columns(['repository', 'digest']).execute();
      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('repository', 'text', (c) => c.notNull().references('repositories.name').onDelete('cascade'))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0003-image-scans': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('manifests').addColumn('scan_completed_at', 'bigint').execute();
    },
  },
  '0004-iam-users': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('iam_users')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // The secret is kept: SigV4 verification recomputes the HMAC with it, as AWS does.
      await db.schema
        .createTable('access_keys')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('user_name', 'text', (c) => c.notNull().references('iam_users.name').onDelete('cascade'))
        .addColumn('secret_access_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0005-task-definitions': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('task_definitions')
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo(sql`'[]'`))
        .addPrimaryKeyConstraint('task_definitions_pk', ['family', 'revision'])
        .execute();
      await db.schema
        .createIndex('task_definitions_status')
        .on('task_definitions')
        .columns(['status', 'family', 'revision'])
        .execute();
    },
  },
  '0006-container-instances': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('container_instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('cluster', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('container_instances_cluster')
        .on('container_instances')
        .columns(['cluster', 'status', 'id'])
        .execute();
    },
  },
  '0007-account-settings': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('account_settings')
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('account_settings_pk', ['principal_arn', 'name'])
        .execute();
    },
  },
  '0008-tasks': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('cluster', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('container_instance', 'text')
        .addColumn('launch_type', 'text', (c) => c.notNull())
        .addColumn('started_by', 'text')
        .addColumn('task_group', 'text', (c) => c.notNull())
        .addColumn('service_name', 'text')
        .addColumn('desired_status', 'text', (c) => c.notNull())
        .addColumn('last_status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('stopped_at', 'bigint')
        .addColumn('client_token', 'text')
        .addColumn('reservation', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tasks_cluster').on('tasks').columns(['cluster', 'desired_status', 'id']).execute();
      await db.schema
        .createIndex('tasks_instance')
        .on('tasks')
        .columns(['container_instance', 'last_status'])
        .execute();
      await db.schema.createIndex('tasks_unstopped').on('tasks').columns(['last_status', 'launch_type']).execute();
      await db.schema.createIndex('tasks_client_token').on('tasks').columns(['cluster', 'client_token']).execute();
    },
  },
  '0009-logs': logsMigration,
  '0010-capacity-providers': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('capacity_providers')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('arn', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0011-services': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('services')
        .addColumn('cluster', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('services_pk', ['cluster', 'name'])
        .execute();
      await db.schema.createIndex('services_status').on('services').columns(['status']).execute();
    },
  },
  '0012-elb': elbMigration,
  '0013-task-indexes': {
    // The service scheduler and DescribeServices read one service's tasks, and the circuit breaker
    // one deployment's stopped ones: without these, each read scanned every task of the cluster.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('tasks_service')
        .on('tasks')
        .columns(['cluster', 'service_name', 'last_status'])
        .execute();
      await db.schema
        .createIndex('tasks_started_by')
        .on('tasks')
        .columns(['cluster', 'started_by', 'desired_status', 'id'])
        .execute();
      // What the service scheduler reads of each task every pass, out of the JSON body.
      await db.schema.alterTable('tasks').addColumn('started_at', 'bigint').execute();
      await db.schema.alterTable('tasks').addColumn('health_status', 'text').execute();
      await db.schema
        .alterTable('tasks')
        .addColumn('container_health', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      const tasks = db as Kysely<{ tasks: { id: string; body: string } & TaskSchedulingColumns }>;
      for (const { id, body } of await tasks.selectFrom('tasks').select(['id', 'body']).execute()) {
        await tasks
          .updateTable('tasks')
          .set(taskSchedulingColumns(JSON.parse(body)))
          .where('id', '=', id)
          .execute();
      }
    },
  },
  '0014-s3': s3Migration,
  '0015-registry-settings': registrySettingsMigration,
  '0016-iam': iamMigration,
  '0017-sts-sessions': stsSessionsMigration,
  '0018-kms': kmsMigration,
  '0019-secretsmanager': secretsManagerMigration,
  '0020-ssm': ssmMigration,
  '0021-servicediscovery': serviceDiscoveryMigration,
  '0024-ssm-sessions': ssmSessionsMigration,
  '0022-cloudwatch': cloudWatchMigration,
  '0025-leases': leasesMigration,
  '0023-acm': acmMigration,
  '0026-application-autoscaling': applicationAutoScalingMigration,
  '0027-cloudwatch-packed': cloudWatchPackedMigration,
  '0028-blob-locations': blobLocationsMigration,
  '0029-lb-target-health': lbTargetHealthMigration,
};
