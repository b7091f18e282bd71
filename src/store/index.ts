export type {
  ServiceRecord,
  ServiceRepository,
  CapacityProviderRecord,
  CapacityProviderRepository,
  AccountSettingRecord,
  AccountSettingRepository,
  ContainerInstanceRecord,
  ContainerInstanceRepository,
  TaskDefinitionRecord,
  TaskListFilter,
  TaskPlacement,
  TaskRecord,
  TaskStatuses,
  TaskRepository,
  TaskReservation,
  TaskDefinitionRepository,
  TaskDefinitionStatus,
  ClusterRecord,
  ClusterRepository,
  ClusterStatus,
  ManifestRecord,
  ManifestReference,
  MetadataStore,
  Page,
  RegistryContent,
  RepositoryRecord,
  RepositoryRepository,
  UploadRecord,
} from './store.ts';
export type {
  AppendLogEventsResult,
  LogEventPosition,
  LogEventQuery,
  LogEventRecord,
  LogGroupRecord,
  LogRepository,
  LogStreamListing,
  LogStreamRecord,
  NewLogEvent,
} from './log-repository.ts';
export type { ElbChange, ElbRepository, ElbResourceKind, ElbResourceRecord } from './elb-repository.ts';
export type {
  IamAccessKeyRecord,
  IamChange,
  IamEntityKind,
  IamEntityRecord,
  IamKeyUse,
  IamRepository,
} from './iam-repository.ts';
export type { S3BucketRecord, S3ObjectQuery, S3ObjectRecord, S3Repository } from './s3-repository.ts';
export type { RegistrySettingRepository } from './registry-setting-repository.ts';
export type { StsSessionRecord, StsSessionRepository } from './sts-repository.ts';
export type { KmsAliasRecord, KmsKeyRecord, KmsKeyState, KmsRepository } from './kms-repository.ts';
export type { SecretRecord, SecretsRepository, SecretVersionRecord, SecretWrite } from './secrets-repository.ts';
export type {
  SsmParameterRecord,
  SsmParameterVersionRecord,
  SsmRepository,
  SsmVersionDetails,
  SsmWrite,
} from './ssm-repository.ts';
export {
  ACTIVE_SESSION_STATUSES,
  type SsmSessionQuery,
  type SsmSessionRecord,
  type SsmSessionRepository,
  type SsmSessionStatus,
} from './ssm-session-repository.ts';
export type {
  CloudMapHealth,
  CloudMapInstanceRecord,
  CloudMapNamespaceRecord,
  CloudMapNamespaceType,
  CloudMapOperationRecord,
  CloudMapOperationType,
  CloudMapServiceRecord,
  CloudMapTag,
  CloudMapWrite,
  ServiceDiscoveryRepository,
  StoredNamespace,
  StoredService,
} from './servicediscovery-repository.ts';
export type {
  AlarmHistoryRecord,
  BlockRecord,
  AlarmRecord,
  CloudWatchRepository,
  MetricRecord,
} from './cloudwatch-repository.ts';
export type { AcmRepository, CertificateRecord } from './acm-repository.ts';
export type {
  ApplicationAutoScalingRepository,
  AutoScalingKind,
  AutoScalingRecord,
} from './application-autoscaling-repository.ts';
export type { Lease, LeaseClaim } from './leases.ts';
export { decideAcquire, decideRelease, decideRenew, isHeld, planShards } from './leases.ts';
export type { LeaseRepository } from './lease-repository.ts';
export type { BlobHolder, BlobLocationRepository, BlobServer } from './blob-location-repository.ts';
export type { ReportedTargetHealth, TargetHealthRepository } from './target-health-repository.ts';
export { currentFence, LeaseLostError, withFence, type FenceToken } from './fencing.ts';
export { CHANGE_TOPICS, InProcessChangeBus, type ChangeBus } from './change-bus.ts';
