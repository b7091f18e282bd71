import type { MemberTable, OperationMembers } from '../shared/member-classification.ts';

/*
 * What each Cloud Map operation does with each input member (shared/member-classification.ts).
 * src/aws-protocol/ refuses; a test checks that every input member is classified here.
 */

const TAGS = ['Tags[].Key', 'Tags[].Value'];

/** Route 53 health checks probe an endpoint from the internet; Berth has no such checker. */
const ROUTE_53_HEALTH_CHECK = {
  inert:
    "Route 53's health checker probes public endpoints and Berth has none: the setting is checked (public DNS and HTTP namespaces only, not with CNAME records) and stored, the instances' health is UNKNOWN, DNS answers them all and DiscoverInstances ignores HealthStatus for them; use HealthCheckCustomConfig for health Berth acts on",
} as const;

/** AWS_ALIAS_DNS_NAME and AWS_EC2_INSTANCE_ID name AWS resources a Berth server does not have. */
const AWS_RESOURCE_ATTRIBUTES = {
  refused:
    'AWS_ALIAS_DNS_NAME (a Route 53 alias to an Elastic Load Balancing DNS name) and AWS_EC2_INSTANCE_ID (an EC2 instance whose private address Cloud Map would use) name AWS resources: the instance would be registered without records or an address',
  byDesign: true,
  when: (value: unknown) =>
    typeof value === 'object' && value !== null && ('AWS_ALIAS_DNS_NAME' in value || 'AWS_EC2_INSTANCE_ID' in value),
} as const;

export const serviceDiscoveryMembers: MemberTable = {
  CreateHttpNamespace: { acted: ['Name', 'CreatorRequestId', 'Description', ...TAGS] },
  CreatePrivateDnsNamespace: {
    // Vpc: Berth has no VPCs. It only decides which private namespaces may not overlap (one VPC's).
    acted: ['Name', 'CreatorRequestId', 'Description', 'Vpc', ...TAGS, 'Properties.DnsProperties.SOA.TTL'],
  },
  CreatePublicDnsNamespace: {
    acted: ['Name', 'CreatorRequestId', 'Description', ...TAGS, 'Properties.DnsProperties.SOA.TTL'],
  },
  GetNamespace: { acted: ['Id'] },
  ListNamespaces: { acted: ['NextToken', 'MaxResults', 'Filters[].Name', 'Filters[].Values', 'Filters[].Condition'] },
  UpdateHttpNamespace: { acted: ['Id', 'UpdaterRequestId', 'Namespace.Description'] },
  UpdatePrivateDnsNamespace: {
    acted: ['Id', 'UpdaterRequestId', 'Namespace.Description', 'Namespace.Properties.DnsProperties.SOA.TTL'],
  },
  UpdatePublicDnsNamespace: {
    acted: ['Id', 'UpdaterRequestId', 'Namespace.Description', 'Namespace.Properties.DnsProperties.SOA.TTL'],
  },
  DeleteNamespace: { acted: ['Id'] },
  CreateService: {
    acted: [
      'Name',
      'NamespaceId',
      'CreatorRequestId',
      'Description',
      'DnsConfig.NamespaceId',
      'DnsConfig.RoutingPolicy',
      'DnsConfig.DnsRecords[].Type',
      'DnsConfig.DnsRecords[].TTL',
      ...TAGS,
      'Type',
    ],
    rules: {
      HealthCheckConfig: ROUTE_53_HEALTH_CHECK,
      'HealthCheckCustomConfig.FailureThreshold': {
        inert: 'deprecated: Cloud Map ignores it (always 1) and marks an instance as the last status it was sent',
      },
    },
  },
  GetService: { acted: ['Id'] },
  ListServices: { acted: ['NextToken', 'MaxResults', 'Filters[].Name', 'Filters[].Values', 'Filters[].Condition'] },
  UpdateService: {
    acted: ['Id', 'Service.Description', 'Service.DnsConfig.DnsRecords[].Type', 'Service.DnsConfig.DnsRecords[].TTL'],
    rules: { 'Service.HealthCheckConfig': ROUTE_53_HEALTH_CHECK },
  },
  DeleteService: { acted: ['Id'] },
  GetServiceAttributes: { acted: ['ServiceId'] },
  UpdateServiceAttributes: { acted: ['ServiceId', 'Attributes'] },
  DeleteServiceAttributes: { acted: ['ServiceId', 'Attributes'] },
  RegisterInstance: {
    acted: ['ServiceId', 'InstanceId', 'CreatorRequestId', 'Attributes'],
    rules: { Attributes: AWS_RESOURCE_ATTRIBUTES },
  },
  DeregisterInstance: { acted: ['ServiceId', 'InstanceId'] },
  GetInstance: { acted: ['ServiceId', 'InstanceId'] },
  ListInstances: { acted: ['ServiceId', 'NextToken', 'MaxResults'] },
  GetInstancesHealthStatus: { acted: ['ServiceId', 'Instances', 'MaxResults', 'NextToken'] },
  UpdateInstanceCustomHealthStatus: { acted: ['ServiceId', 'InstanceId', 'Status'] },
  DiscoverInstances: {
    acted: [
      'NamespaceName',
      'ServiceName',
      'MaxResults',
      'QueryParameters',
      'OptionalParameters',
      'HealthStatus',
      'OwnerAccount',
    ],
  },
  DiscoverInstancesRevision: { acted: ['NamespaceName', 'ServiceName', 'OwnerAccount'] },
  GetOperation: { acted: ['OperationId', 'OwnerAccount'] },
  ListOperations: { acted: ['NextToken', 'MaxResults', 'Filters[].Name', 'Filters[].Values', 'Filters[].Condition'] },
  TagResource: { acted: ['ResourceARN', ...TAGS] },
  UntagResource: { acted: ['ResourceARN', 'TagKeys'] },
  ListTagsForResource: { acted: ['ResourceARN'] },
} satisfies Record<string, OperationMembers>;
