import type { ContainerInstanceRecord } from '../store/index.ts';
import { requireCluster } from './clusters.ts';
import { instanceIdOf, type ContainerInstanceDeps } from './container-instances.ts';
import { AttributeLimitExceededException, InvalidParameterException, TargetNotFoundException } from './errors.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import type {
  Attribute,
  DeleteAttributesRequest,
  DeleteAttributesResponse,
  ListAttributesRequest,
  ListAttributesResponse,
  PutAttributesRequest,
  PutAttributesResponse,
} from './shapes.generated.ts';

const MAX_CUSTOM_ATTRIBUTES = 10;

async function attributeTarget(
  deps: ContainerInstanceDeps,
  cluster: string,
  attribute: Attribute,
): Promise<ContainerInstanceRecord> {
  if (attribute.targetType !== undefined && attribute.targetType !== 'container-instance') {
    throw new InvalidParameterException(`Unsupported targetType '${attribute.targetType}'.`);
  }
  if (!attribute.targetId)
    throw new InvalidParameterException('An attribute needs a targetId: a container instance id or ARN.');
  const [record] = await deps.store.containerInstances.get(cluster, [instanceIdOf(attribute.targetId)]);
  if (!record || record.status === 'INACTIVE')
    throw new TargetNotFoundException(`Could not find the target '${attribute.targetId}'.`);
  return record;
}

export async function putAttributes(
  deps: ContainerInstanceDeps,
  input: PutAttributesRequest,
): Promise<PutAttributesResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  for (const attribute of input.attributes) {
    if (attribute.name.startsWith('ecs.') && !attribute.name.startsWith('ecs.capability.')) {
      throw new InvalidParameterException(`Attribute names starting with 'ecs.' are reserved: '${attribute.name}'.`);
    }
    const record = await attributeTarget(deps, cluster.name, attribute);
    const attributes = new Map(((record.body.attributes ?? []) as Attribute[]).map((a) => [a.name, a]));
    attributes.set(attribute.name, {
      name: attribute.name,
      ...(attribute.value !== undefined ? { value: attribute.value } : {}),
    });
    if ([...attributes.keys()].filter((n) => !n.startsWith('ecs.')).length > MAX_CUSTOM_ATTRIBUTES) {
      throw new AttributeLimitExceededException(
        `A container instance can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`,
      );
    }
    await deps.store.containerInstances.put({
      ...record,
      body: { ...record.body, attributes: [...attributes.values()] },
    });
  }
  return { attributes: input.attributes };
}

export async function deleteAttributes(
  deps: ContainerInstanceDeps,
  input: DeleteAttributesRequest,
): Promise<DeleteAttributesResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  for (const attribute of input.attributes) {
    const record = await attributeTarget(deps, cluster.name, attribute);
    const attributes = ((record.body.attributes ?? []) as Attribute[]).filter((a) => a.name !== attribute.name);
    await deps.store.containerInstances.put({ ...record, body: { ...record.body, attributes } });
  }
  return { attributes: input.attributes };
}

export async function listAttributes(
  deps: ContainerInstanceDeps,
  input: ListAttributesRequest,
): Promise<ListAttributesResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  if (input.attributeValue !== undefined && input.attributeName === undefined) {
    throw new InvalidParameterException('attributeValue can only be given with attributeName.');
  }
  // Keyset pagination on (instance ARN, attribute name): stable while attributes come and go.
  const after = decodeNextToken(input.nextToken);
  const keyOf = (a: Attribute): string => `${a.targetId}\u0000${a.name}`;
  const all: Attribute[] = [];
  for (const record of await deps.store.containerInstances.list(cluster.name, { limit: 100_000 })) {
    for (const a of (record.body.attributes ?? []) as Attribute[]) {
      if (input.attributeName !== undefined && a.name !== input.attributeName) continue;
      if (input.attributeValue !== undefined && a.value !== input.attributeValue) continue;
      all.push({ ...a, targetType: 'container-instance', targetId: record.arn });
    }
  }
  const rest = all
    .map((a) => ({ a, key: keyOf(a) }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .filter((x) => after === undefined || x.key > after);
  const limit = pageSize(input.maxResults);
  const page = rest.slice(0, limit);
  return {
    attributes: page.map((x) => x.a),
    ...(rest.length > limit ? { nextToken: encodeNextToken(page.at(-1)!.key) } : {}),
  };
}
