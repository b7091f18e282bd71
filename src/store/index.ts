export type {
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
