import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { arnOf } from './ids.ts';

/*
 * What each Cloud Map operation asks the access control for (the Service Authorization Reference for
 * AWS Cloud Map): servicediscovery:<Operation> on the namespace or service the request names (its
 * ARN, made from an id), `*` for the creates of namespaces, the lists, GetOperation and the
 * discoveries (they name things by name). Condition keys: servicediscovery:NamespaceArn for
 * CreateService; servicediscovery:ServiceArn for the instance operations (not for the service
 * attributes'); NamespaceName and ServiceName for DiscoverInstances(Revision);
 * servicediscovery:ServiceCreatedByAccount (always this account: nothing is shared with a Berth
 * server) for the writes to a service; aws:RequestTag/* and aws:TagKeys for tags, and with Tags a
 * create also asks servicediscovery:TagResource, as the reference lists. From the input alone: a
 * declaration neither reads the store nor fails.
 */

type Input = Record<string, unknown>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '*';
}

function tagConditions(tags: unknown): Record<string, string | string[]> {
  const list = Array.isArray(tags) ? (tags as { Key?: unknown; Value?: unknown }[]) : [];
  if (list.length === 0) return {};
  return {
    ...Object.fromEntries(list.map((tag) => [`aws:RequestTag/${text(tag.Key)}`, text(tag.Value)])),
    'aws:TagKeys': list.map((tag) => text(tag.Key)),
  };
}

/** The request, and servicediscovery:TagResource on the same resource when it sets tags. */
function withTags(request: AccessRequest, tags: unknown): AccessRequest[] {
  const conditions = tagConditions(tags);
  if (Object.keys(conditions).length === 0) return [request];
  const tagged = { ...request, conditions: { ...request.conditions, ...conditions } };
  return [tagged, { action: 'servicediscovery:TagResource', resource: request.resource, conditions }];
}

const createNamespace =
  (action: string): Declare =>
  (input) =>
    withTags({ action: `servicediscovery:${action}`, resource: '*' }, input.Tags);

function onNamespace(action: string): Declare {
  return (input, context) => [
    { action: `servicediscovery:${action}`, resource: arnOf(text(input.Id), 'namespace', context) },
  ];
}

function onService(action: string, options: { member?: string; serviceArn?: true; createdBy?: true } = {}): Declare {
  return (input, context) => {
    const resource = arnOf(text(input[options.member ?? 'Id']), 'service', context);
    const conditions = {
      ...(options.serviceArn ? { 'servicediscovery:ServiceArn': resource } : {}),
      ...(options.createdBy ? { 'servicediscovery:ServiceCreatedByAccount': context.accountId } : {}),
    };
    return [
      {
        action: `servicediscovery:${action}`,
        resource,
        ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
      },
    ];
  };
}

const onInstance = (action: string, write = false): Declare =>
  onService(action, { member: 'ServiceId', serviceArn: true, ...(write ? { createdBy: true as const } : {}) });

const createService: Declare = (input, context) => {
  const dnsConfig = input.DnsConfig as Input | undefined;
  const namespace = arnOf(text(input.NamespaceId ?? dnsConfig?.NamespaceId), 'namespace', context);
  return withTags(
    {
      action: 'servicediscovery:CreateService',
      resource: namespace,
      conditions: { 'servicediscovery:NamespaceArn': namespace },
    },
    input.Tags,
  );
};

const discover =
  (action: string): Declare =>
  (input) => [
    {
      action: `servicediscovery:${action}`,
      resource: '*',
      conditions: {
        'servicediscovery:NamespaceName': text(input.NamespaceName),
        'servicediscovery:ServiceName': text(input.ServiceName),
      },
    },
  ];

const anywhere =
  (action: string): Declare =>
  () => [{ action: `servicediscovery:${action}`, resource: '*' }];

function onTaggedResource(action: string, conditions: (input: Input) => Record<string, string | string[]>): Declare {
  return (input) => {
    const keys = conditions(input);
    return [
      {
        action: `servicediscovery:${action}`,
        resource: text(input.ResourceARN),
        ...(Object.keys(keys).length > 0 ? { conditions: keys } : {}),
      },
    ];
  };
}

const DECLARATIONS: Record<string, Declare> = {
  CreateHttpNamespace: createNamespace('CreateHttpNamespace'),
  CreatePrivateDnsNamespace: createNamespace('CreatePrivateDnsNamespace'),
  CreatePublicDnsNamespace: createNamespace('CreatePublicDnsNamespace'),
  GetNamespace: onNamespace('GetNamespace'),
  ListNamespaces: anywhere('ListNamespaces'),
  UpdateHttpNamespace: onNamespace('UpdateHttpNamespace'),
  UpdatePrivateDnsNamespace: onNamespace('UpdatePrivateDnsNamespace'),
  UpdatePublicDnsNamespace: onNamespace('UpdatePublicDnsNamespace'),
  DeleteNamespace: onNamespace('DeleteNamespace'),
  CreateService: createService,
  GetService: onService('GetService'),
  ListServices: anywhere('ListServices'),
  UpdateService: onService('UpdateService', { createdBy: true }),
  DeleteService: onService('DeleteService', { createdBy: true }),
  GetServiceAttributes: onService('GetServiceAttributes', { member: 'ServiceId' }),
  UpdateServiceAttributes: onService('UpdateServiceAttributes', { member: 'ServiceId', createdBy: true }),
  DeleteServiceAttributes: onService('DeleteServiceAttributes', { member: 'ServiceId', createdBy: true }),
  RegisterInstance: onInstance('RegisterInstance', true),
  DeregisterInstance: onInstance('DeregisterInstance', true),
  GetInstance: onInstance('GetInstance'),
  ListInstances: onInstance('ListInstances'),
  GetInstancesHealthStatus: onInstance('GetInstancesHealthStatus'),
  UpdateInstanceCustomHealthStatus: onInstance('UpdateInstanceCustomHealthStatus', true),
  DiscoverInstances: discover('DiscoverInstances'),
  DiscoverInstancesRevision: discover('DiscoverInstancesRevision'),
  GetOperation: anywhere('GetOperation'),
  ListOperations: anywhere('ListOperations'),
  TagResource: onTaggedResource('TagResource', (input) => tagConditions(input.Tags)),
  UntagResource: onTaggedResource('UntagResource', (input): Record<string, string[]> =>
    Array.isArray(input.TagKeys) && input.TagKeys.length > 0 ? { 'aws:TagKeys': input.TagKeys.map(text) } : {},
  ),
  ListTagsForResource: onTaggedResource('ListTagsForResource', () => ({})),
};

/** The access declarations of the Cloud Map operations Berth implements, by operation name. */
export const serviceDiscoveryAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<
  string,
  DeclareAccess
>;
