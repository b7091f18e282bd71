import type { CloudWatchTables } from './sqlite-cloudwatch-schema.ts';
import type { LogTables } from './logs-schema.ts';
import type { KmsTables } from './sqlite-kms-schema.ts';
import type { SecretsTables } from './sqlite-secrets-schema.ts';
import type { ServiceDiscoveryTables } from './sqlite-servicediscovery-schema.ts';
import type { SsmSessionTables } from './sqlite-ssm-sessions-schema.ts';
import type { AcmTables } from './sqlite-acm-schema.ts';
import type { ApplicationAutoScalingTables } from './sqlite-application-autoscaling-schema.ts';

/** Kysely's view of the SQLite schema (see migrations/); times are epoch milliseconds. */
export interface ClustersTable {
  name: string;
  arn: string;
  status: string;
  created_at: number;
  details: string;
}

export interface RepositoriesTable {
  name: string;
  arn: string;
  created_at: number;
  details: string;
}

export interface BlobsTable {
  digest: string;
  size: number;
  linked_at: number;
}

export interface RepositoryBlobsTable {
  repository: string;
  digest: string;
  linked_at: number;
}

export interface ManifestsTable {
  repository: string;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  config_media_type: string | null;
  subject: string | null;
  size: number;
  image_size: number;
  body: Uint8Array;
  annotations: string | null;
  pushed_at: number;
  last_pulled_at: number | null;
  scan_completed_at: number | null;
}

export interface ManifestReferencesTable {
  repository: string;
  manifest: string;
  reference: string;
  kind: string;
}

export interface TagsTable {
  repository: string;
  tag: string;
  digest: string;
  updated_at: number;
}

export interface UploadsTable {
  id: string;
  repository: string;
  size: number;
  started_at: number;
  updated_at: number;
}

export interface IamUsersTable {
  name: string;
  arn: string;
  user_id: string;
  created_at: number;
  path: string;
  body: string;
}

export interface AccessKeysTable {
  access_key_id: string;
  user_name: string;
  secret_access_key: string;
  status: string;
  created_at: number;
  last_used: string | null;
}

export interface IamEntitiesTable {
  kind: string;
  name: string;
  arn: string;
  id: string;
  path: string;
  created_at: number;
  body: string;
}

export interface TaskDefinitionsTable {
  family: string;
  revision: number;
  arn: string;
  status: string;
  registered_at: number;
  body: string;
  tags: string;
}

export interface ContainerInstancesTable {
  id: string;
  cluster: string;
  arn: string;
  status: string;
  registered_at: number;
  body: string;
}

export interface AccountSettingsTable {
  principal_arn: string;
  name: string;
  value: string;
}

export interface TasksTable {
  id: string;
  cluster: string;
  arn: string;
  family: string;
  container_instance: string | null;
  launch_type: string;
  started_by: string | null;
  task_group: string;
  service_name: string | null;
  desired_status: string;
  last_status: string;
  created_at: number;
  stopped_at: number | null;
  client_token: string | null;
  reservation: string;
  body: string;
  /** Copies of body fields the service scheduler reads every pass (taskRow keeps them in step). */
  started_at: number | null;
  health_status: string | null;
  /** Each container's healthStatus ('' for none) followed by ';'. */
  container_health: string;
}

export interface CapacityProvidersTable {
  name: string;
  arn: string;
  status: string;
  body: string;
}

export interface ServicesTable {
  cluster: string;
  name: string;
  arn: string;
  status: string;
  created_at: number;
  body: string;
}

export interface ElbResourcesTable {
  arn: string;
  kind: string;
  name: string | null;
  parent_arn: string | null;
  created_at: number;
  body: string;
  tags: string;
}

export interface S3BucketsTable {
  name: string;
  region: string;
  created_at: number;
}

export interface S3ObjectsTable {
  bucket: string;
  key: string;
  digest: string;
  size: number;
  etag: string;
  content_type: string;
  last_modified: number;
  headers: string;
}

/** STS sessions (sqlite-sessions.ts). */
export interface StsSessionsTable {
  access_key_id: string;
  secret_access_key: string;
  token_hash: string;
  source_access_key_id: string;
  created_at: number;
  expires_at: number;
  body: string;
}

/** Parameter Store (sqlite-ssm.ts). */
export interface SsmParametersTable {
  name: string;
  revision: number;
  version: number;
  tags: string;
}

export interface SsmParameterVersionsTable {
  name: string;
  version: number;
  value: string;
  labels: string;
  modified_at: number;
  details: string;
}

/** ECR registry settings: one JSON value per name. */
export interface RegistrySettingsTable {
  name: string;
  value: string;
}

export interface Database
  extends
    LogTables,
    KmsTables,
    SecretsTables,
    ServiceDiscoveryTables,
    CloudWatchTables,
    SsmSessionTables,
    AcmTables,
    ApplicationAutoScalingTables {
  registry_settings: RegistrySettingsTable;
  sts_sessions: StsSessionsTable;
  ssm_parameters: SsmParametersTable;
  ssm_parameter_versions: SsmParameterVersionsTable;
  s3_buckets: S3BucketsTable;
  s3_objects: S3ObjectsTable;
  elb_resources: ElbResourcesTable;
  services: ServicesTable;
  tasks: TasksTable;
  capacity_providers: CapacityProvidersTable;
  clusters: ClustersTable;
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
  uploads: UploadsTable;
  iam_users: IamUsersTable;
  access_keys: AccessKeysTable;
  iam_entities: IamEntitiesTable;
  task_definitions: TaskDefinitionsTable;
  container_instances: ContainerInstancesTable;
  account_settings: AccountSettingsTable;
}
