export type { ClusterRecord, ClusterRepository, ClusterStatus, MetadataStore, Page } from './store.ts';
