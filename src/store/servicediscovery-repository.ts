/**
 * AWS Cloud Map: namespaces, their services, the services' instances and the record of each
 * asynchronous operation. Namespaces and services carry a revision that every write to them bumps;
 * a write names the revisions it was planned from, and any change to an instance also rewrites its
 * service, so a DeleteService cannot miss an instance registered meanwhile (optimistic concurrency).
 */
export type CloudMapNamespaceType = 'DNS_PUBLIC' | 'DNS_PRIVATE' | 'HTTP';
export type CloudMapHealth = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
export type CloudMapTag = { readonly Key: string; readonly Value: string };

export interface CloudMapNamespaceRecord {
  /** ns-…, 16 lower-case letters and digits. */
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  /** What makes the name unique in the account: lower case, without a trailing dot. */
  readonly nameKey: string;
  readonly type: CloudMapNamespaceType;
  readonly createdAt: Date;
  readonly details: {
    readonly description?: string;
    readonly creatorRequestId?: string;
    /** DNS namespaces: the Route 53 hosted zone Cloud Map would make, and its SOA record's TTL. */
    readonly hostedZoneId?: string;
    readonly soaTtl?: number;
    /** Private DNS namespaces: the VPC the caller named (namespaces in one VPC may not overlap). */
    readonly vpc?: string;
    readonly tags: readonly CloudMapTag[];
  };
}

export interface CloudMapServiceRecord {
  /** srv-…, 16 lower-case letters and digits. */
  readonly id: string;
  readonly arn: string;
  readonly namespaceId: string;
  readonly name: string;
  /** Unique in the namespace: lower case in DNS namespaces (names differing by case are one DNS name). */
  readonly nameKey: string;
  readonly createdAt: Date;
  readonly details: {
    readonly description?: string;
    readonly creatorRequestId?: string;
    readonly type: 'HTTP' | 'DNS_HTTP' | 'DNS';
    readonly dnsConfig?: {
      readonly NamespaceId?: string;
      readonly RoutingPolicy?: 'MULTIVALUE' | 'WEIGHTED';
      readonly DnsRecords: readonly { readonly Type: string; readonly TTL: number }[];
    };
    readonly healthCheckConfig?: {
      readonly Type: string;
      readonly ResourcePath?: string;
      readonly FailureThreshold?: number;
    };
    /** HealthCheckCustomConfig was given: instances' health is what UpdateInstanceCustomHealthStatus says. */
    readonly customHealth: boolean;
    /** UpdateServiceAttributes' key-value pairs (at most 30). */
    readonly attributes?: Readonly<Record<string, string>>;
    readonly tags: readonly CloudMapTag[];
  };
}

export interface CloudMapInstanceRecord {
  readonly serviceId: string;
  readonly id: string;
  readonly creatorRequestId?: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** UNKNOWN: the service has no health check Berth keeps (no custom health). */
  readonly health: CloudMapHealth;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type CloudMapOperationType =
  | 'CREATE_NAMESPACE'
  | 'DELETE_NAMESPACE'
  | 'UPDATE_NAMESPACE'
  | 'UPDATE_SERVICE'
  | 'REGISTER_INSTANCE'
  | 'DEREGISTER_INSTANCE';

export interface CloudMapOperationRecord {
  /** 32 lower-case letters and digits, a dash and 8 more, as Cloud Map's. */
  readonly id: string;
  readonly type: CloudMapOperationType;
  readonly status: 'SUBMITTED' | 'PENDING' | 'SUCCESS' | 'FAIL';
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly targets: Readonly<Partial<Record<'NAMESPACE' | 'SERVICE' | 'INSTANCE', string>>>;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** What ListOperations filters by (NAMESPACE_ID, SERVICE_ID), besides the targets. */
  readonly namespaceId?: string;
  readonly serviceId?: string;
  /** The request a CreatorRequestId or UpdaterRequestId names: a retry finds its operation by it. */
  readonly requestKey?: string;
}

/** A namespace or service as read, with what the store counts. */
export type StoredNamespace = CloudMapNamespaceRecord & { readonly revision: number; readonly serviceCount: number };
export type StoredService = CloudMapServiceRecord & { readonly revision: number; readonly instanceCount: number };

/**
 * One write, all or none. For namespaces and services, `expectRevision` is the revision the change
 * was planned from (undefined: it must not exist yet) and `next` what replaces it (absent: delete).
 * Instances are written whole (`next`) or deleted; the change to their service that goes with them
 * is what serializes them.
 */
export interface CloudMapWrite {
  readonly namespaces?: readonly {
    readonly id: string;
    readonly expectRevision: number | undefined;
    readonly next?: CloudMapNamespaceRecord;
  }[];
  readonly services?: readonly {
    readonly id: string;
    readonly expectRevision: number | undefined;
    readonly next?: CloudMapServiceRecord;
  }[];
  readonly instances?: readonly {
    readonly serviceId: string;
    readonly id: string;
    readonly next?: CloudMapInstanceRecord;
  }[];
  readonly operations?: readonly CloudMapOperationRecord[];
  /** Operations last updated before this are deleted (a bounded number per write). */
  readonly pruneOperationsBefore?: Date;
}

export interface ServiceDiscoveryRepository {
  namespace(id: string): Promise<StoredNamespace | undefined>;
  namespaceByName(nameKey: string): Promise<StoredNamespace | undefined>;
  /** Every namespace, in id order (an account has a few dozen at most). */
  namespaces(): Promise<StoredNamespace[]>;
  service(id: string): Promise<StoredService | undefined>;
  serviceByName(namespaceId: string, nameKey: string): Promise<StoredService | undefined>;
  /** Services of one namespace, or of all, in id order. */
  services(namespaceId?: string): Promise<StoredService[]>;
  instance(serviceId: string, id: string): Promise<CloudMapInstanceRecord | undefined>;
  /** One service's instances (or several services'), in service then instance id order. */
  instances(serviceIds: string | readonly string[]): Promise<CloudMapInstanceRecord[]>;
  operation(id: string): Promise<CloudMapOperationRecord | undefined>;
  operationByRequest(requestKey: string): Promise<CloudMapOperationRecord | undefined>;
  /** Operations in (createdAt, id) order, after a position. */
  operations(page: {
    readonly after?: { readonly createdAt: Date; readonly id: string };
    readonly limit: number;
  }): Promise<CloudMapOperationRecord[]>;
  /** A counter every write bumps: what a cache of the namespaces' DNS answers compares. */
  revision(): Promise<number>;
  /**
   * Applies the change in one transaction; resolves false, writing nothing, when a revision is not
   * the expected one or a name is taken meanwhile (the caller plans again from what it reads).
   */
  write(change: CloudMapWrite): Promise<boolean>;
}
