import { formatArn, parseArn } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore, TaskDefinitionRecord } from '../store/index.ts';
import { ClientException, InvalidParameterException } from './errors.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import type {
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  Failure,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  TaskDefinition,
} from './shapes.generated.ts';
import { checkTaskDefinition, isEcrImage, registeredVolumes } from './task-definition-rules.ts';

export interface TaskDefinitionDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  /**
   * The hosts Berth's own registry answers at ("localhost:4510"): an image there is an ECR image,
   * which a FARGATE definition pulls with its execution role. Absent: ECR's own hosts alone.
   */
  readonly registryHosts?: (() => readonly string[]) | undefined;
}

export function taskDefinitionArn(context: RequestContext, family: string, revision: number): string {
  return formatArn('ecs', context, `task-definition/${family}:${revision}`);
}

/** A reference as ECS accepts it: family (latest ACTIVE), family:revision, or the ARN. */
export function parseTaskDefinitionReference(reference: string): { family: string; revision: number | undefined } {
  const resource = reference.startsWith('arn:') ? (parseArn(reference)?.resource ?? '') : reference;
  const text = reference.startsWith('arn:') ? resource.replace(/^task-definition\//, '') : resource;
  const match = /^([a-zA-Z0-9_-]{1,255})(?::(\d+))?$/.exec(text);
  if (!match) throw new ClientException('Unable to describe task definition.');
  return { family: match[1]!, revision: match[2] === undefined ? undefined : Number(match[2]) };
}

export async function findTaskDefinition(
  deps: TaskDefinitionDeps,
  reference: string,
): Promise<TaskDefinitionRecord | undefined> {
  const { family, revision } = parseTaskDefinitionReference(reference);
  return revision === undefined
    ? deps.store.taskDefinitions.latestActive(family)
    : deps.store.taskDefinitions.get(family, revision);
}

/** The stored body, with its timestamps back as Dates. */
export function toTaskDefinition(record: TaskDefinitionRecord): TaskDefinition {
  const body = { ...record.body } as Record<string, unknown>;
  for (const field of ['registeredAt', 'deregisteredAt', 'deleteRequestedAt']) {
    if (typeof body[field] === 'number') body[field] = new Date(body[field]);
  }
  return { ...(body as TaskDefinition), status: record.status };
}

export async function registerTaskDefinition(
  deps: TaskDefinitionDeps,
  input: RegisterTaskDefinitionRequest,
  context: RequestContext,
): Promise<RegisterTaskDefinitionResponse> {
  const registryHosts = deps.registryHosts?.() ?? [];
  const derived = checkTaskDefinition(input, { isEcrImage: (image) => isEcrImage(image, registryHosts) });
  const registeredAt = deps.clock.now();
  const { tags, ...definition } = input;
  const record = await deps.store.taskDefinitions.registerNext(input.family, (revision) => ({
    family: input.family,
    revision,
    arn: taskDefinitionArn(context, input.family, revision),
    status: 'ACTIVE',
    registeredAt,
    tags: tags ?? [],
    body: {
      ...definition,
      containerDefinitions: input.containerDefinitions.map((c) => ({
        ...c,
        essential: c.essential ?? true,
        cpu: c.cpu ?? 0,
        portMappings: (c.portMappings ?? []).map((p) => ({
          ...p,
          protocol: p.protocol ?? 'tcp',
          ...(p.containerPort !== undefined && derived.networkMode !== 'bridge'
            ? { hostPort: p.hostPort ?? p.containerPort }
            : {}),
        })),
        environment: c.environment ?? [],
        mountPoints: c.mountPoints ?? [],
        volumesFrom: c.volumesFrom ?? [],
      })),
      taskDefinitionArn: taskDefinitionArn(context, input.family, revision),
      family: input.family,
      revision,
      networkMode: derived.networkMode,
      volumes: registeredVolumes(input.volumes),
      placementConstraints: input.placementConstraints ?? [],
      requiresAttributes: derived.requiresAttributes,
      compatibilities: derived.compatibilities,
      requiresCompatibilities: input.requiresCompatibilities ?? [],
      ...(derived.cpu !== undefined ? { cpu: derived.cpu } : {}),
      ...(derived.memory !== undefined ? { memory: derived.memory } : {}),
      registeredAt: registeredAt.getTime(),
      registeredBy: context.principal.arn,
    },
  }));
  return { taskDefinition: toTaskDefinition(record), tags: [...record.tags] };
}

export async function describeTaskDefinition(
  deps: TaskDefinitionDeps,
  input: DescribeTaskDefinitionRequest,
): Promise<DescribeTaskDefinitionResponse> {
  const record = await findTaskDefinition(deps, input.taskDefinition);
  if (!record || record.status === 'DELETE_IN_PROGRESS')
    throw new ClientException('Unable to describe task definition.');
  return {
    taskDefinition: toTaskDefinition(record),
    ...(input.include?.includes('TAGS') ? { tags: [...record.tags] } : {}),
  };
}

interface ListKey {
  family: string;
  revision: number;
}

export async function listTaskDefinitions(
  deps: TaskDefinitionDeps,
  input: ListTaskDefinitionsRequest,
): Promise<ListTaskDefinitionsResponse> {
  const limit = pageSize(input.maxResults);
  const family = input.familyPrefix || undefined;
  const descending = input.sort === 'DESC';
  const rows = await deps.store.taskDefinitions.list({
    familyPrefix: family,
    status: input.status ?? 'ACTIVE',
    descending,
    after: decodeKey(input.nextToken) ?? (family !== undefined && descending ? lastKeyOf(family) : undefined),
    limit: limit + 1,
  });
  const listed = family === undefined ? rows : rows.filter((r) => r.family === family);
  const page = listed.slice(0, limit);
  const last = page.at(-1);
  return {
    taskDefinitionArns: page.map((r) => r.arn),
    ...(listed.length > limit && last
      ? { nextToken: encodeNextToken(JSON.stringify({ family: last.family, revision: last.revision })) }
      : {}),
  };
}

/*
 * ListTaskDefinitions' familyPrefix is, despite its name, "the full family name": "web" lists web's
 * revisions, not webapp's (ListTaskDefinitionFamilies' familyPrefix is a true prefix). The store
 * lists by prefix in (family, revision) order, where a family sorts before every longer name it
 * begins, so ascending its revisions come first and the filter keeps them; descending they come
 * last, so the listing starts after (family, ∞), which no longer name precedes.
 */
function lastKeyOf(family: string): ListKey {
  return { family, revision: Number.MAX_SAFE_INTEGER };
}

function decodeKey(token: string | undefined): ListKey | undefined {
  const text = decodeNextToken(token);
  if (text === undefined) return undefined;
  try {
    const key = JSON.parse(text) as Partial<ListKey>;
    if (typeof key.family === 'string' && typeof key.revision === 'number')
      return { family: key.family, revision: key.revision };
  } catch {
    // fall through
  }
  throw new InvalidParameterException('Invalid nextToken: it must be a token returned by a previous call.');
}

export async function listTaskDefinitionFamilies(
  deps: TaskDefinitionDeps,
  input: ListTaskDefinitionFamiliesRequest,
): Promise<ListTaskDefinitionFamiliesResponse> {
  const limit = pageSize(input.maxResults);
  const families = await deps.store.taskDefinitions.families({
    familyPrefix: input.familyPrefix,
    status: input.status ?? 'ACTIVE',
    after: decodeNextToken(input.nextToken),
    limit: limit + 1,
  });
  const page = families.slice(0, limit);
  return { families: page, ...(families.length > limit ? { nextToken: encodeNextToken(page.at(-1)!) } : {}) };
}

async function requireRevision(deps: TaskDefinitionDeps, reference: string): Promise<TaskDefinitionRecord> {
  const { family, revision } = parseTaskDefinitionReference(reference);
  if (revision === undefined)
    throw new ClientException('The task definition must be given with its revision (family:revision or the ARN).');
  const record = await deps.store.taskDefinitions.get(family, revision);
  if (!record || record.status === 'DELETE_IN_PROGRESS')
    throw new ClientException('The specified task definition does not exist.');
  return record;
}

/** INACTIVE: running tasks and services keep it, new RunTask and services may not use it. */
export async function deregisterTaskDefinition(
  deps: TaskDefinitionDeps,
  input: DeregisterTaskDefinitionRequest,
): Promise<DeregisterTaskDefinitionResponse> {
  const record = await requireRevision(deps, input.taskDefinition);
  if (record.status === 'ACTIVE') {
    const updated: TaskDefinitionRecord = {
      ...record,
      status: 'INACTIVE',
      body: { ...record.body, deregisteredAt: deps.clock.now().getTime() },
    };
    await deps.store.taskDefinitions.update(updated);
    return { taskDefinition: toTaskDefinition(updated) };
  }
  return { taskDefinition: toTaskDefinition(record) };
}

/** Only INACTIVE revisions may be deleted; the others come back as failures. */
export async function deleteTaskDefinitions(
  deps: TaskDefinitionDeps,
  input: DeleteTaskDefinitionsRequest,
): Promise<DeleteTaskDefinitionsResponse> {
  if (input.taskDefinitions.length > 10)
    throw new ClientException('You can delete at most 10 task definitions at a time.');
  const deleted: TaskDefinition[] = [];
  const failures: Failure[] = [];
  for (const reference of input.taskDefinitions) {
    let record: TaskDefinitionRecord;
    try {
      record = await requireRevision(deps, reference);
    } catch {
      failures.push({
        arn: reference,
        reason: 'TASK_DEFINITION_NOT_FOUND',
        detail: 'The specified task definition does not exist.',
      });
      continue;
    }
    if (record.status === 'ACTIVE') {
      failures.push({
        arn: record.arn,
        reason: 'TASK_DEFINITION_IS_ACTIVE',
        detail: 'The task definition must be deregistered (INACTIVE) before it is deleted.',
      });
      continue;
    }
    const updated: TaskDefinitionRecord = {
      ...record,
      status: 'DELETE_IN_PROGRESS',
      body: { ...record.body, deleteRequestedAt: deps.clock.now().getTime() },
    };
    await deps.store.taskDefinitions.update(updated);
    deleted.push(toTaskDefinition(updated));
  }
  return { taskDefinitions: deleted, failures };
}
