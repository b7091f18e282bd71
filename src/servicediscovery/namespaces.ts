import type { RequestContext } from '../shared/request-context.ts';
import type { CloudMapNamespaceRecord, CloudMapNamespaceType, StoredNamespace } from '../store/index.ts';
import { WRITE_ATTEMPTS, type ServiceDiscoveryDeps } from './deps.ts';
import {
  DuplicateRequest,
  InvalidInput,
  NamespaceAlreadyExists,
  RequestLimitExceeded,
  ResourceInUse,
} from './errors.ts';
import { namespaceArn, newHostedZoneId, newNamespaceId } from './ids.ts';
import { namespaceOf } from './lookups.ts';
import { checkDnsNamespaceName, namespaceKey } from './names.ts';
import { failed, recording, succeeded } from './operation-records.ts';
import { pageByKey } from './page-tokens.ts';
import { namespaceFilter } from './filters.ts';
import type {
  CreateHttpNamespaceRequest,
  CreatePrivateDnsNamespaceRequest,
  CreatePublicDnsNamespaceRequest,
  DeleteNamespaceRequest,
  DeleteNamespaceResponse,
  GetNamespaceRequest,
  GetNamespaceResponse,
  ListNamespacesRequest,
  ListNamespacesResponse,
  Tag,
} from './shapes.generated.ts';
import { checkTags } from './tags.ts';
import { namespaceSummary, namespaceView } from './views.ts';

/*
 * Namespaces. Creating, updating and deleting one are Cloud Map's asynchronous operations: each
 * answers an OperationId, and the operation is recorded in the write that does the work. A
 * CreatorRequestId already used gives the same operation again when it asked for the same
 * namespace (a retry), DuplicateRequest otherwise. A private DNS namespace whose name overlaps
 * another one's in the same VPC (a.local and b.a.local) fails as its Route 53 hosted zone would:
 * the operation is FAIL with CANNOT_CREATE_HOSTED_ZONE.
 */

interface NamespaceRequest {
  readonly type: CloudMapNamespaceType;
  readonly name: string;
  readonly creatorRequestId?: string;
  readonly description?: string;
  readonly tags?: readonly Tag[];
  readonly soaTtl?: number;
  readonly vpc?: string;
}

export function createHttpNamespace(
  deps: ServiceDiscoveryDeps,
  input: CreateHttpNamespaceRequest,
  context: RequestContext,
) {
  return createNamespace(deps, { ...common(input), type: 'HTTP' }, context);
}

export function createPrivateDnsNamespace(
  deps: ServiceDiscoveryDeps,
  input: CreatePrivateDnsNamespaceRequest,
  context: RequestContext,
) {
  const soaTtl = input.Properties?.DnsProperties.SOA.TTL;
  return createNamespace(
    deps,
    { ...common(input), type: 'DNS_PRIVATE', vpc: input.Vpc, ...(soaTtl !== undefined ? { soaTtl } : {}) },
    context,
  );
}

export function createPublicDnsNamespace(
  deps: ServiceDiscoveryDeps,
  input: CreatePublicDnsNamespaceRequest,
  context: RequestContext,
) {
  const soaTtl = input.Properties?.DnsProperties.SOA.TTL;
  return createNamespace(
    deps,
    { ...common(input), type: 'DNS_PUBLIC', ...(soaTtl !== undefined ? { soaTtl } : {}) },
    context,
  );
}

function common(input: { Name: string; CreatorRequestId?: string; Description?: string; Tags?: Tag[] }) {
  return {
    name: input.Name,
    ...(input.CreatorRequestId !== undefined ? { creatorRequestId: input.CreatorRequestId } : {}),
    ...(input.Description !== undefined && input.Description !== '' ? { description: input.Description } : {}),
    ...(input.Tags !== undefined ? { tags: input.Tags } : {}),
  };
}

async function createNamespace(
  deps: ServiceDiscoveryDeps,
  request: NamespaceRequest,
  context: RequestContext,
): Promise<{ OperationId: string }> {
  if (request.type !== 'HTTP') checkDnsNamespaceName(request.name);
  if (request.tags) checkTags(request.tags, request.name);
  const nameKey = namespaceKey(request.name);
  const requestKey =
    request.creatorRequestId !== undefined ? `CREATE_NAMESPACE:${request.creatorRequestId}` : undefined;
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const retried =
      requestKey !== undefined ? await retriedOperation(deps, requestKey, { nameKey, type: request.type }) : undefined;
    if (retried !== undefined) return { OperationId: retried };
    const existing = await repository.namespaceByName(nameKey);
    if (existing) throw NamespaceAlreadyExists.of(existing);
    const id = newNamespaceId();
    const scope = { targets: { NAMESPACE: id }, namespaceId: id, ...(requestKey !== undefined ? { requestKey } : {}) };
    const overlap = request.type === 'DNS_PRIVATE' ? await overlapping(deps, nameKey, request.vpc) : undefined;
    if (overlap) {
      const operation = failed(deps, 'CREATE_NAMESPACE', scope, {
        code: 'CANNOT_CREATE_HOSTED_ZONE',
        message: `ConflictingDomainExists: ${request.vpc} already has the private namespace ${overlap.name} (${overlap.id}), whose name overlaps ${request.name}: one VPC cannot have two private hosted zones where one's name is within the other's.`,
      });
      if (await repository.write(recording(deps, [operation]))) return { OperationId: operation.id };
      continue;
    }
    const record = namespaceRecord(request, { id, nameKey, arn: namespaceArn(context, id), at: deps.clock.now() });
    const operation = succeeded(deps, 'CREATE_NAMESPACE', scope);
    const written = await repository.write({
      namespaces: [{ id, expectRevision: undefined, next: record }],
      ...recording(deps, [operation]),
    });
    if (written) return { OperationId: operation.id };
  }
  throw new RequestLimitExceeded();
}

/** The operation an earlier request with this CreatorRequestId started, if it asked for the same namespace. */
async function retriedOperation(
  deps: ServiceDiscoveryDeps,
  requestKey: string,
  asked: { nameKey: string; type: CloudMapNamespaceType },
): Promise<string | undefined> {
  const repository = deps.store.serviceDiscovery;
  const earlier = await repository.operationByRequest(requestKey);
  if (!earlier) return undefined;
  const made = earlier.targets.NAMESPACE ? await repository.namespace(earlier.targets.NAMESPACE) : undefined;
  if (made && (made.nameKey !== asked.nameKey || made.type !== asked.type)) throw DuplicateRequest.of(earlier.id);
  return earlier.id;
}

function namespaceRecord(
  request: NamespaceRequest,
  made: { id: string; nameKey: string; arn: string; at: Date },
): CloudMapNamespaceRecord {
  return {
    id: made.id,
    arn: made.arn,
    name: request.name,
    nameKey: made.nameKey,
    type: request.type,
    createdAt: made.at,
    details: {
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.creatorRequestId !== undefined ? { creatorRequestId: request.creatorRequestId } : {}),
      ...(request.type !== 'HTTP' ? { hostedZoneId: newHostedZoneId() } : {}),
      ...(request.soaTtl !== undefined ? { soaTtl: request.soaTtl } : {}),
      ...(request.vpc !== undefined ? { vpc: request.vpc } : {}),
      tags: (request.tags ?? []).map((tag) => ({ Key: tag.Key, Value: tag.Value })),
    },
  };
}

/** A private namespace of the same VPC that `nameKey` is within, or that is within it. */
async function overlapping(
  deps: ServiceDiscoveryDeps,
  nameKey: string,
  vpc: string | undefined,
): Promise<StoredNamespace | undefined> {
  const namespaces = await deps.store.serviceDiscovery.namespaces();
  return namespaces.find(
    (other) =>
      other.type === 'DNS_PRIVATE' &&
      other.details.vpc === vpc &&
      (nameKey.endsWith(`.${other.nameKey}`) || other.nameKey.endsWith(`.${nameKey}`)),
  );
}

export async function getNamespace(
  deps: ServiceDiscoveryDeps,
  input: GetNamespaceRequest,
  context: RequestContext,
): Promise<GetNamespaceResponse> {
  return { Namespace: namespaceView(await namespaceOf(deps, input.Id, context), context.accountId) };
}

export async function listNamespaces(
  deps: ServiceDiscoveryDeps,
  input: ListNamespacesRequest,
  context: RequestContext,
): Promise<ListNamespacesResponse> {
  const matches = namespaceFilter(input.Filters);
  const namespaces = (await deps.store.serviceDiscovery.namespaces()).filter(matches);
  const page = pageByKey(namespaces, (namespace) => namespace.id, input);
  return {
    Namespaces: page.items.map((namespace) => namespaceSummary(namespace, context.accountId)),
    ...(page.NextToken !== undefined ? { NextToken: page.NextToken } : {}),
  };
}

export interface NamespaceChange {
  readonly Id: string;
  readonly UpdaterRequestId?: string;
  readonly type: CloudMapNamespaceType;
  readonly description?: string;
  readonly soaTtl?: number;
}

/** UpdateHttpNamespace, UpdatePrivateDnsNamespace, UpdatePublicDnsNamespace: the description, the SOA's TTL. */
export async function updateNamespace(
  deps: ServiceDiscoveryDeps,
  change: NamespaceChange,
  context: RequestContext,
): Promise<{ OperationId: string }> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const namespace = await namespaceOf(deps, change.Id, context);
    if (namespace.type !== change.type) {
      throw new InvalidInput(`Namespace ${namespace.id} is of type ${namespace.type}, not ${change.type}.`);
    }
    const requestKey =
      change.UpdaterRequestId !== undefined ? `UPDATE_NAMESPACE:${namespace.id}:${change.UpdaterRequestId}` : undefined;
    const earlier = requestKey !== undefined ? await repository.operationByRequest(requestKey) : undefined;
    if (earlier) return { OperationId: earlier.id };
    const { description: before, ...details } = namespace.details;
    const description = change.description ?? before;
    const next: CloudMapNamespaceRecord = {
      ...namespace,
      details: {
        ...details,
        ...(description !== undefined && description !== '' ? { description } : {}),
        ...(change.soaTtl !== undefined ? { soaTtl: change.soaTtl } : {}),
      },
    };
    const operation = succeeded(deps, 'UPDATE_NAMESPACE', {
      targets: { NAMESPACE: namespace.id },
      namespaceId: namespace.id,
      ...(requestKey !== undefined ? { requestKey } : {}),
    });
    const written = await repository.write({
      namespaces: [{ id: namespace.id, expectRevision: namespace.revision, next }],
      ...recording(deps, [operation]),
    });
    if (written) return { OperationId: operation.id };
  }
  throw new RequestLimitExceeded();
}

export async function deleteNamespace(
  deps: ServiceDiscoveryDeps,
  input: DeleteNamespaceRequest,
  context: RequestContext,
): Promise<DeleteNamespaceResponse> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const namespace = await namespaceOf(deps, input.Id, context);
    if (namespace.serviceCount > 0) {
      throw new ResourceInUse('Namespace has associated services; delete the services before deleting the namespace');
    }
    const operation = succeeded(deps, 'DELETE_NAMESPACE', {
      targets: { NAMESPACE: namespace.id },
      namespaceId: namespace.id,
    });
    const written = await repository.write({
      namespaces: [{ id: namespace.id, expectRevision: namespace.revision }],
      ...recording(deps, [operation]),
    });
    if (written) return { OperationId: operation.id };
  }
  throw new RequestLimitExceeded();
}
