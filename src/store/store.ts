import type { ElbRepository } from './elb-repository.ts';
import type { IamRepository } from './iam-repository.ts';
import type { LogRepository } from './log-repository.ts';
import type { RegistrySettingRepository } from './registry-setting-repository.ts';
import type { S3Repository } from './s3-repository.ts';
import type { StsSessionRepository } from './sts-repository.ts';
import type { SsmRepository } from './ssm-repository.ts';
import type { SsmSessionRepository } from './ssm-session-repository.ts';
import type { AcmRepository } from './acm-repository.ts';
import type { ApplicationAutoScalingRepository } from './application-autoscaling-repository.ts';
import type { KmsRepository } from './kms-repository.ts';
import type { SecretsRepository } from './secrets-repository.ts';
import type { ServiceDiscoveryRepository } from './servicediscovery-repository.ts';
import type { CloudWatchRepository } from './cloudwatch-repository.ts';
import type { LeaseRepository } from './lease-repository.ts';
import type { ChangeBus } from './change-bus.ts';
import type { BlobLocationRepository } from './blob-location-repository.ts';
import type { TargetHealthRepository } from './target-health-repository.ts';

/**
 * The one storage interface every domain service uses. It follows what the services need, not SQL:
 * SQLite (default) implements it now, PostgreSQL later, both checked by testing/store-contract.ts.
 * Every method that writes commits durably before its promise resolves.
 */
export interface MetadataStore {
  /** Leases for the server loops (leases.ts); SQLite's always grant (one server per file). */
  readonly leases: LeaseRepository;
  /** Changes told to the other servers on the same database (change-bus.ts). */
  readonly changes: ChangeBus;
  readonly clusters: ClusterRepository;
  readonly repositories: RepositoryRepository;
  readonly registry: RegistryContent;
  readonly registrySettings: RegistrySettingRepository;
  readonly iam: IamRepository;
  readonly taskDefinitions: TaskDefinitionRepository;
  readonly containerInstances: ContainerInstanceRepository;
  readonly accountSettings: AccountSettingRepository;
  readonly tasks: TaskRepository;
  readonly capacityProviders: CapacityProviderRepository;
  readonly services: ServiceRepository;
  readonly logs: LogRepository;
  readonly elb: ElbRepository;
  readonly s3: S3Repository;
  readonly sessions: StsSessionRepository;
  readonly kms: KmsRepository;
  readonly secrets: SecretsRepository;
  readonly ssm: SsmRepository;
  readonly ssmSessions: SsmSessionRepository;
  readonly acm: AcmRepository;
  readonly applicationAutoScaling: ApplicationAutoScalingRepository;
  readonly serviceDiscovery: ServiceDiscoveryRepository;
  readonly cloudWatch: CloudWatchRepository;
  /** Which servers hold which registry blob (PostgreSQL only: SQLite has one server). */
  readonly blobLocations?: BlobLocationRepository;
  /** What the `berth lb` processes of every server report of target health (PostgreSQL only). */
  readonly targetHealth?: TargetHealthRepository;
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
  /** Replaces a cluster's status and details (an INACTIVE cluster's name may be created again). */
  update(record: ClusterRecord): Promise<void>;
  /** Inserts the cluster unless one with that name exists; returns what is stored either way. */
  insertIfAbsent(record: ClusterRecord): Promise<{ record: ClusterRecord; created: boolean }>;
  getByNames(names: readonly string[]): Promise<ClusterRecord[]>;
  /** Clusters in name order. */
  list(page: Page, options?: { status?: ClusterStatus }): Promise<ClusterRecord[]>;
}

export interface RepositoryRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: Date;
  /** The API's repository fields the store never queries by (tag mutability, scanning, tags...). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface RepositoryRepository {
  insertIfAbsent(record: RepositoryRecord): Promise<{ record: RepositoryRecord; created: boolean }>;
  get(name: string): Promise<RepositoryRecord | undefined>;
  getByNames(names: readonly string[]): Promise<RepositoryRecord[]>;
  /** Repositories in name order. */
  list(page: Page): Promise<RepositoryRecord[]>;
  /** Deletes the repository with its manifests, tags, blob links and upload records. */
  delete(name: string): Promise<boolean>;
  update(name: string, details: Readonly<Record<string, unknown>>): Promise<void>;
}

export interface ManifestRecord {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  /** OCI artifactType, else undefined. */
  readonly artifactType: string | undefined;
  readonly configMediaType: string | undefined;
  /** The digest of the manifest this one refers to (OCI subject), else undefined. */
  readonly subject: string | undefined;
  readonly size: number;
  /** What ECR reports as imageSizeInBytes: the manifest's layers (or, for an index, its children's). */
  readonly imageSize: number;
  readonly body: Uint8Array;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  readonly pushedAt: Date;
  readonly lastPulledAt: Date | undefined;
  /** When the last image scan of it completed, if one ever ran. */
  readonly scanCompletedAt: Date | undefined;
}

export interface ManifestReference {
  readonly digest: string;
  readonly kind: 'blob' | 'manifest';
}

export interface UploadRecord {
  readonly id: string;
  readonly repository: string;
  /** Bytes acknowledged to the client; data past it on disk is discarded on the next append. */
  readonly size: number;
  readonly startedAt: Date;
  readonly updatedAt: Date;
}

/** Registry content: blobs linked to repositories, manifests, tags and upload sessions. */
export interface RegistryContent {
  /** Records a committed blob and links it to the repository (refreshing the link's time). */
  linkBlob(repository: string, digest: string, size: number, at: Date): Promise<void>;
  /** The blob's size, if the repository has it. */
  linkedBlobSize(repository: string, digest: string): Promise<number | undefined>;
  unlinkBlob(repository: string, digest: string): Promise<boolean>;
  /** Which of these digests the repository has, as blobs. */
  linkedBlobs(repository: string, digests: readonly string[]): Promise<Set<string>>;

  /** Stores a manifest, its references and (optionally) moves a tag to it, in one transaction. */
  putManifest(record: ManifestRecord, references: readonly ManifestReference[], tag: string | undefined): Promise<void>;
  getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined>;
  /** Which of these digests the repository has, as manifests, with their sizes. */
  manifestSizes(repository: string, digests: readonly string[]): Promise<Map<string, number>>;
  /** Deletes a manifest and every tag pointing at it. */
  deleteManifest(repository: string, digest: string): Promise<boolean>;
  /** Manifests whose subject is `digest`. */
  referrers(repository: string, digest: string): Promise<ManifestRecord[]>;
  recordPull(repository: string, digest: string, at: Date): Promise<void>;
  recordScan(repository: string, digest: string, at: Date): Promise<void>;
  listManifests(repository: string): Promise<ManifestRecord[]>;

  resolveTag(repository: string, tag: string): Promise<string | undefined>;
  /** Tags in lexical order. */
  listTags(repository: string, page: Page): Promise<string[]>;
  /** Tags by manifest digest. */
  tagsOf(repository: string): Promise<Map<string, string[]>>;
  deleteTag(repository: string, tag: string): Promise<boolean>;

  createUpload(record: UploadRecord): Promise<void>;
  getUpload(id: string): Promise<UploadRecord | undefined>;
  setUploadSize(id: string, size: number, at: Date): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  listUploads(repository?: string): Promise<UploadRecord[]>;

  /** Blobs no manifest references whose newest link is older than `linkedBefore`. */
  unreferencedBlobs(linkedBefore: Date, limit: number): Promise<string[]>;
  /**
   * Deletes the blob's record and links if it is still unreferenced and not linked since
   * `linkedBefore`; true when deleted (its data may then be removed).
   */
  deleteBlobIfUnreferenced(digest: string, linkedBefore: Date): Promise<boolean>;
  /** Every blob digest on record. */
  blobDigests(): Promise<Set<string>>;
}

export type TaskDefinitionStatus = 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';

export interface TaskDefinitionRecord {
  readonly family: string;
  readonly revision: number;
  readonly arn: string;
  readonly status: TaskDefinitionStatus;
  readonly registeredAt: Date;
  /** The API's TaskDefinition, as JSON (timestamps as epoch milliseconds). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly tags: readonly { key?: string; value?: string }[];
}

export interface TaskDefinitionRepository {
  /**
   * Stores the next revision of a family: `build` gets the revision number (one more than any the
   * family ever had) and returns the record; both happen in one transaction.
   */
  registerNext(family: string, build: (revision: number) => TaskDefinitionRecord): Promise<TaskDefinitionRecord>;
  get(family: string, revision: number): Promise<TaskDefinitionRecord | undefined>;
  /** The latest ACTIVE revision of a family. */
  latestActive(family: string): Promise<TaskDefinitionRecord | undefined>;
  /** Revisions in family then revision order (or the reverse), after a (family, revision) key. */
  list(options: {
    familyPrefix?: string | undefined;
    status: TaskDefinitionStatus;
    descending: boolean;
    after?: { family: string; revision: number } | undefined;
    limit: number;
  }): Promise<TaskDefinitionRecord[]>;
  /** Families with an ACTIVE revision ('ACTIVE'), with none ('INACTIVE'), or all, after a name. */
  families(options: {
    familyPrefix?: string | undefined;
    status: 'ACTIVE' | 'INACTIVE' | 'ALL';
    after?: string | undefined;
    limit: number;
  }): Promise<string[]>;
  update(record: TaskDefinitionRecord): Promise<void>;
}

export interface ContainerInstanceRecord {
  /** The id in the ARN (32 hex digits). */
  readonly id: string;
  readonly cluster: string;
  readonly arn: string;
  /** ACTIVE, DRAINING or INACTIVE (deregistered). */
  readonly status: string;
  readonly registeredAt: Date;
  /** The API's ContainerInstance fields (resources, attributes, version, tags...), as JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ContainerInstanceRepository {
  put(record: ContainerInstanceRecord): Promise<void>;
  get(cluster: string, ids: readonly string[]): Promise<ContainerInstanceRecord[]>;
  /** Instances of a cluster in id order, after an id, optionally of one status. */
  list(
    cluster: string,
    options: { status?: string | undefined; after?: string | undefined; limit: number },
  ): Promise<ContainerInstanceRecord[]>;
  /** Stores the deregistered (INACTIVE) instance and its orphaned (STOPPED) tasks in one transaction. */
  deregister(record: ContainerInstanceRecord, orphanedTasks: readonly TaskRecord[]): Promise<void>;
  /** How many instances of the cluster are ACTIVE or DRAINING. */
  countRegistered(cluster: string): Promise<number>;
  /** Instances (in any cluster, not INACTIVE) whose EC2 instance id is one of these. */
  byEc2InstanceIds(ec2InstanceIds: readonly string[]): Promise<ContainerInstanceRecord[]>;
}

export interface AccountSettingRecord {
  readonly principalArn: string;
  readonly name: string;
  readonly value: string;
}

/** ECS account settings, per principal (the root's are the account defaults). */
export interface AccountSettingRepository {
  put(record: AccountSettingRecord): Promise<void>;
  delete(principalArn: string, name: string): Promise<AccountSettingRecord | undefined>;
  /** The settings of these principals, in (name, principal) order. */
  list(principalArns: readonly string[]): Promise<AccountSettingRecord[]>;
}

/** What a task holds on its container instance until it is STOPPED (the scheduler subtracts it). */
export interface TaskReservation {
  readonly cpu: number;
  readonly memory: number;
  readonly gpus: number;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  /** FARGATE among several servers: the managed capacity (a server's engine) the task holds them on. */
  readonly capacity?: string | undefined;
}

export interface TaskRecord {
  /** The id in the ARN (32 hex digits). */
  readonly id: string;
  readonly cluster: string;
  readonly arn: string;
  readonly family: string;
  /** The container instance's id; undefined for tasks on managed (FARGATE) capacity. */
  readonly containerInstance?: string | undefined;
  readonly launchType: string;
  readonly startedBy?: string | undefined;
  readonly group: string;
  readonly serviceName?: string | undefined;
  readonly desiredStatus: string;
  readonly lastStatus: string;
  readonly createdAt: Date;
  readonly stoppedAt?: Date | undefined;
  readonly clientToken?: string | undefined;
  readonly reservation: TaskReservation;
  /** The API's Task fields (containers, overrides, attachments, timestamps, tags...), as JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export type TaskStatuses = Pick<TaskRecord, 'startedBy' | 'desiredStatus' | 'lastStatus'>;

export interface TaskPlacement {
  readonly containerInstance: string;
  readonly group: string;
  readonly reservation: TaskReservation;
}

export interface TaskListFilter {
  readonly containerInstance?: string | undefined;
  readonly family?: string | undefined;
  readonly startedBy?: string | undefined;
  readonly serviceName?: string | undefined;
  readonly desiredStatus?: string | undefined;
  readonly launchType?: string | undefined;
}

export interface TaskRepository {
  /** Inserts tasks, all in one transaction. */
  insert(records: readonly TaskRecord[]): Promise<void>;
  update(record: TaskRecord): Promise<void>;
  get(cluster: string, ids: readonly string[]): Promise<TaskRecord[]>;
  /** Tasks of a cluster in id order, after an id. */
  list(cluster: string, filter: TaskListFilter, page: Page): Promise<TaskRecord[]>;
  /** What the unstopped tasks on a cluster's container instances hold (what placement needs, cheaply). */
  placed(cluster: string): Promise<TaskPlacement[]>;
  /** Tasks not yet STOPPED: of one container instance, of a cluster, or on managed capacity. */
  unstopped(where: { containerInstance: string } | { cluster: string } | { managed: true }): Promise<TaskRecord[]>;
  /**
   * The unstopped tasks of a cluster's services, as the service scheduler reads them each pass: the
   * records' bodies carry only healthStatus, startedAt and each container's healthStatus (the
   * rest of a body is what makes reading thousands of tasks every second costly).
   */
  serviceTasks(cluster: string): Promise<TaskRecord[]>;
  /** The statuses of one service's unstopped tasks, by deployment: what DescribeServices counts. */
  serviceStatuses(cluster: string, serviceName: string): Promise<TaskStatuses[]>;
  /** The tasks a RunTask with this clientToken created. */
  byClientToken(cluster: string, clientToken: string): Promise<TaskRecord[]>;
  /** Tasks per lastStatus in a cluster (or on one container instance). */
  countByStatus(where: { cluster: string } | { containerInstance: string }): Promise<Map<string, number>>;
  /** Deletes STOPPED tasks stopped before the time; returns how many. */
  pruneStopped(before: Date): Promise<number>;
}

export interface CapacityProviderRecord {
  readonly name: string;
  readonly arn: string;
  /** ACTIVE, or INACTIVE once deleted (still describable). */
  readonly status: string;
  /** The API's CapacityProvider fields (auto scaling group provider, tags, update status), as JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface CapacityProviderRepository {
  /** Inserts unless an ACTIVE one has that name (an INACTIVE one is replaced); false when taken. */
  insert(record: CapacityProviderRecord): Promise<boolean>;
  update(record: CapacityProviderRecord): Promise<void>;
  get(names: readonly string[]): Promise<CapacityProviderRecord[]>;
  /** In name order, after a name. */
  list(page: Page): Promise<CapacityProviderRecord[]>;
}

export interface ServiceRecord {
  readonly cluster: string;
  readonly name: string;
  readonly arn: string;
  /** ACTIVE, DRAINING (deleted, tasks stopping) or INACTIVE (gone; the name may be used again). */
  readonly status: string;
  readonly createdAt: Date;
  /** The API's Service fields (deployments, events, configuration, tags...), as JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ServiceRepository {
  /** Inserts unless a service of that name is ACTIVE or DRAINING in the cluster (an INACTIVE one is replaced). */
  insert(record: ServiceRecord): Promise<boolean>;
  update(record: ServiceRecord): Promise<void>;
  /**
   * Replaces a service only if it is still stored as `previous` (same status and body); false when
   * it changed meanwhile (an UpdateService while the scheduler worked on what it had read).
   */
  replace(previous: ServiceRecord, next: ServiceRecord): Promise<boolean>;
  get(cluster: string, names: readonly string[]): Promise<ServiceRecord[]>;
  /** Services of a cluster that are not INACTIVE, in name order, after a name. */
  list(cluster: string, page: Page): Promise<ServiceRecord[]>;
  /** Every service that is not INACTIVE, in every cluster (what the service scheduler works on). */
  live(): Promise<ServiceRecord[]>;
  /** How many ACTIVE services a cluster has. */
  countActive(cluster: string): Promise<number>;
}
