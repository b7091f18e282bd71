import type { CloudMapOperationRecord, StoredNamespace, StoredService } from '../store/index.ts';
import type {
  HealthCheckConfig,
  Namespace,
  NamespaceSummary,
  Operation,
  RecordType,
  Service,
  ServiceSummary,
} from './shapes.generated.ts';

/*
 * What the API reports of each resource. A DNS namespace's properties name the Route 53 hosted zone
 * Cloud Map would make and its SOA TTL (15 seconds when none was given); every namespace's HttpName is
 * its name. A service echoes its settings; HealthCheckCustomConfig's FailureThreshold is always 1 (the
 * member is deprecated and Cloud Map ignores it). ListServices' summaries leave out the deprecated
 * DnsConfig.NamespaceId, as Cloud Map's do.
 */

export const DEFAULT_SOA_TTL = 15;

function properties(namespace: StoredNamespace): NonNullable<Namespace['Properties']> {
  const dns =
    namespace.type === 'HTTP'
      ? {}
      : {
          ...(namespace.details.hostedZoneId !== undefined ? { HostedZoneId: namespace.details.hostedZoneId } : {}),
          SOA: { TTL: namespace.details.soaTtl ?? DEFAULT_SOA_TTL },
        };
  return { DnsProperties: dns, HttpProperties: { HttpName: namespace.name } };
}

export function namespaceSummary(namespace: StoredNamespace, accountId: string): NamespaceSummary {
  return {
    Id: namespace.id,
    Arn: namespace.arn,
    ResourceOwner: accountId,
    Name: namespace.name,
    Type: namespace.type,
    ...(namespace.details.description !== undefined ? { Description: namespace.details.description } : {}),
    ServiceCount: namespace.serviceCount,
    Properties: properties(namespace),
    CreateDate: namespace.createdAt,
  };
}

export function namespaceView(namespace: StoredNamespace, accountId: string): Namespace {
  return {
    ...namespaceSummary(namespace, accountId),
    ...(namespace.details.creatorRequestId !== undefined
      ? { CreatorRequestId: namespace.details.creatorRequestId }
      : {}),
  };
}

export function serviceSummary(service: StoredService, accountId: string): ServiceSummary {
  const details = service.details;
  return {
    Id: service.id,
    Arn: service.arn,
    ResourceOwner: accountId,
    Name: service.name,
    Type: details.type,
    ...(details.description !== undefined ? { Description: details.description } : {}),
    InstanceCount: service.instanceCount,
    ...(details.dnsConfig
      ? {
          DnsConfig: {
            ...(details.dnsConfig.RoutingPolicy ? { RoutingPolicy: details.dnsConfig.RoutingPolicy } : {}),
            DnsRecords: details.dnsConfig.DnsRecords.map((r) => ({ Type: r.Type as RecordType, TTL: r.TTL })),
          },
        }
      : {}),
    ...(details.healthCheckConfig ? { HealthCheckConfig: { ...details.healthCheckConfig } as HealthCheckConfig } : {}),
    ...(details.customHealth ? { HealthCheckCustomConfig: { FailureThreshold: 1 } } : {}),
    CreateDate: service.createdAt,
    CreatedByAccount: accountId,
  };
}

export function serviceView(service: StoredService, accountId: string): Service {
  const details = service.details;
  const summary = serviceSummary(service, accountId);
  return {
    ...summary,
    NamespaceId: service.namespaceId,
    ...(details.dnsConfig?.NamespaceId !== undefined && summary.DnsConfig
      ? { DnsConfig: { NamespaceId: details.dnsConfig.NamespaceId, ...summary.DnsConfig } }
      : {}),
    ...(details.creatorRequestId !== undefined ? { CreatorRequestId: details.creatorRequestId } : {}),
  };
}

export function operationView(operation: CloudMapOperationRecord, accountId: string): Operation {
  return {
    Id: operation.id,
    OwnerAccount: accountId,
    Type: operation.type,
    Status: operation.status,
    ...(operation.errorMessage !== undefined ? { ErrorMessage: operation.errorMessage } : {}),
    ...(operation.errorCode !== undefined ? { ErrorCode: operation.errorCode } : {}),
    CreateDate: operation.createdAt,
    UpdateDate: operation.updatedAt,
    Targets: { ...operation.targets },
  };
}
