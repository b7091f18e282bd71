/** Kysely's view of the Cloud Map tables (migrations/0021-servicediscovery.ts); times are epoch milliseconds. */
export interface ServiceDiscoveryNamespacesTable {
  id: string;
  arn: string;
  name: string;
  name_key: string;
  type: string;
  revision: number;
  created_at: number;
  /** Description, request id, hosted zone, SOA TTL, VPC, tags, as JSON. */
  details: string;
}

export interface ServiceDiscoveryServicesTable {
  id: string;
  arn: string;
  namespace_id: string;
  name: string;
  name_key: string;
  revision: number;
  created_at: number;
  /** Description, request id, type, DNS and health check configuration, tags, as JSON. */
  details: string;
}

export interface ServiceDiscoveryInstancesTable {
  service_id: string;
  id: string;
  health: string;
  created_at: number;
  updated_at: number;
  /** Attributes and CreatorRequestId, as JSON. */
  body: string;
}

export interface ServiceDiscoveryOperationsTable {
  id: string;
  request_key: string | null;
  created_at: number;
  updated_at: number;
  /** Type, status, targets, error, namespace and service, as JSON. */
  body: string;
}

export interface ServiceDiscoveryStateTable {
  id: number;
  revision: number;
}

export interface ServiceDiscoveryTables {
  servicediscovery_namespaces: ServiceDiscoveryNamespacesTable;
  servicediscovery_services: ServiceDiscoveryServicesTable;
  servicediscovery_instances: ServiceDiscoveryInstancesTable;
  servicediscovery_operations: ServiceDiscoveryOperationsTable;
  servicediscovery_state: ServiceDiscoveryStateTable;
}
