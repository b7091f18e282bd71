import type { ServiceDiscoveryDeps } from './deps.ts';
import { discoverInstances, discoverInstancesRevision } from './discover.ts';
import {
  deregisterInstance,
  getInstance,
  getInstancesHealthStatus,
  listInstances,
  registerInstance,
  updateInstanceCustomHealthStatus,
} from './instances.ts';
import {
  createHttpNamespace,
  createPrivateDnsNamespace,
  createPublicDnsNamespace,
  deleteNamespace,
  getNamespace,
  listNamespaces,
  updateNamespace,
} from './namespaces.ts';
import { getOperation, listOperations } from './operation-queries.ts';
import { deleteServiceAttributes, getServiceAttributes, updateServiceAttributes } from './service-attributes.ts';
import { createService, deleteService, getService, listServices, updateService } from './services.ts';
import type { ServiceDiscoveryApi } from './shapes.generated.ts';
import { listTagsForResource, tagResource, untagResource } from './tags.ts';

/** The Cloud Map operations, by their AWS names. */
export function serviceDiscoveryOperations(deps: ServiceDiscoveryDeps): Partial<ServiceDiscoveryApi> {
  return {
    CreateHttpNamespace: (input, context) => createHttpNamespace(deps, input, context),
    CreatePrivateDnsNamespace: (input, context) => createPrivateDnsNamespace(deps, input, context),
    CreatePublicDnsNamespace: (input, context) => createPublicDnsNamespace(deps, input, context),
    GetNamespace: (input, context) => getNamespace(deps, input, context),
    ListNamespaces: (input, context) => listNamespaces(deps, input, context),
    UpdateHttpNamespace: (input, context) =>
      updateNamespace(deps, { ...updater(input), type: 'HTTP', description: input.Namespace.Description }, context),
    UpdatePrivateDnsNamespace: (input, context) =>
      updateNamespace(deps, { ...updater(input), type: 'DNS_PRIVATE', ...dnsChange(input.Namespace) }, context),
    UpdatePublicDnsNamespace: (input, context) =>
      updateNamespace(deps, { ...updater(input), type: 'DNS_PUBLIC', ...dnsChange(input.Namespace) }, context),
    DeleteNamespace: (input, context) => deleteNamespace(deps, input, context),
    CreateService: (input, context) => createService(deps, input, context),
    GetService: (input, context) => getService(deps, input, context),
    ListServices: (input, context) => listServices(deps, input, context),
    UpdateService: (input, context) => updateService(deps, input, context),
    DeleteService: (input, context) => deleteService(deps, input, context),
    GetServiceAttributes: (input, context) => getServiceAttributes(deps, input, context),
    UpdateServiceAttributes: (input, context) => updateServiceAttributes(deps, input, context),
    DeleteServiceAttributes: (input, context) => deleteServiceAttributes(deps, input, context),
    RegisterInstance: (input, context) => registerInstance(deps, input, context),
    DeregisterInstance: (input, context) => deregisterInstance(deps, input, context),
    GetInstance: (input, context) => getInstance(deps, input, context),
    ListInstances: (input, context) => listInstances(deps, input, context),
    GetInstancesHealthStatus: (input, context) => getInstancesHealthStatus(deps, input, context),
    UpdateInstanceCustomHealthStatus: (input, context) => updateInstanceCustomHealthStatus(deps, input, context),
    DiscoverInstances: (input, context) => discoverInstances(deps, input, context),
    DiscoverInstancesRevision: (input, context) => discoverInstancesRevision(deps, input, context),
    GetOperation: (input, context) => getOperation(deps, input, context),
    ListOperations: (input, context) => listOperations(deps, input, context),
    TagResource: (input, context) => tagResource(deps, input, context),
    UntagResource: (input, context) => untagResource(deps, input, context),
    ListTagsForResource: (input, context) => listTagsForResource(deps, input, context),
  };
}

function updater(input: { Id: string; UpdaterRequestId?: string }) {
  return {
    Id: input.Id,
    ...(input.UpdaterRequestId !== undefined ? { UpdaterRequestId: input.UpdaterRequestId } : {}),
  };
}

function dnsChange(change: { Description?: string; Properties?: { DnsProperties: { SOA: { TTL: number } } } }) {
  const ttl = change.Properties?.DnsProperties.SOA.TTL;
  return {
    ...(change.Description !== undefined ? { description: change.Description } : {}),
    ...(ttl !== undefined ? { soaTtl: ttl } : {}),
  };
}
