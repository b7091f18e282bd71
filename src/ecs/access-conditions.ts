import type { AccessRequest } from '../shared/authorization.ts';

/**
 * The condition keys ECS's Service Authorization Reference lists for its actions, computed from a
 * call's validated input alone (access.ts puts them on the requests). Keys whose value the input
 * does not determine are left out, so that a policy's ...IfExists and Null operators see them absent.
 */

export type Input = Record<string, unknown>;
export type Conditions = Record<string, string | readonly string[]>;

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function object(value: unknown): Input | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : undefined;
}

function objects(value: unknown): Input[] {
  return Array.isArray(value) ? value.map(object).filter((v): v is Input => v !== undefined) : [];
}

/** "true"/"false" for a boolean member, else `fallback` (the API's default when it has one). */
function flag(value: unknown, fallback?: boolean): string | undefined {
  if (typeof value === 'boolean') return String(value);
  return fallback === undefined ? undefined : String(fallback);
}

/** Drops the keys whose value is undefined or an empty list. */
export function defined(conditions: Record<string, string | readonly string[] | undefined>): Conditions {
  const kept: Conditions = {};
  for (const [key, value] of Object.entries(conditions)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    kept[key] = value;
  }
  return kept;
}

/** aws:RequestTag/KEY and aws:TagKeys of the tags a call sets (ECS's [{key, value}]). */
export function requestTags(tags: unknown): Conditions {
  const conditions: Conditions = {};
  const keys: string[] = [];
  for (const tag of objects(tags)) {
    const key = text(tag.key);
    if (key === undefined) continue;
    keys.push(key);
    conditions[`aws:RequestTag/${key}`] = text(tag.value) ?? '';
  }
  return keys.length === 0 ? {} : { ...conditions, 'aws:TagKeys': keys };
}

/**
 * Tagging a resource while creating it is also ecs:TagResource on it, with ecs:CreateAction naming
 * the create (the reference lists ecs:TagResource under every create that takes tags).
 */
export function tagOnCreate(createAction: string, resource: string, tags: unknown): AccessRequest[] {
  const conditions = requestTags(tags);
  if (!('aws:TagKeys' in conditions)) return [];
  return [{ action: 'ecs:TagResource', resource, conditions: { ...conditions, 'ecs:CreateAction': createAction } }];
}

/** The capacity providers a call names: a strategy's, and a cluster's list. */
export function capacityProviders(input: Input, arnOf: (name: string) => string): string[] {
  const names = [
    ...list(input.capacityProviders),
    ...[...objects(input.capacityProviderStrategy), ...objects(input.defaultCapacityProviderStrategy)].map((item) =>
      text(item.capacityProvider),
    ),
  ].filter((name): name is string => name !== undefined);
  return [...new Set(names.map(arnOf))];
}

/** ecs:subnet and ecs:auto-assign-public-ip of an awsvpc network configuration. */
function networkConditions(input: Input): Record<string, string | readonly string[] | undefined> {
  const awsvpc = object(object(input.networkConfiguration)?.awsvpcConfiguration);
  if (!awsvpc) return {};
  return {
    'ecs:subnet': list(awsvpc.subnets),
    // assignPublicIp defaults to DISABLED.
    'ecs:auto-assign-public-ip': String(text(awsvpc.assignPublicIp) === 'ENABLED'),
  };
}

/**
 * The keys of RunTask and StartTask (`creating`: the API's defaults fill in what the input leaves
 * out, since a new task has them) and of CreateService and UpdateService (which add network, Service
 * Connect, VPC Lattice and tag propagation keys; UpdateService leaves out what it does not change).
 */
export function launchConditions(
  input: Input,
  options: { creating: boolean; service: boolean; capacityProviderArn: (name: string) => string },
): Conditions {
  const { creating, service } = options;
  const volumes = input.volumeConfigurations;
  const connect = object(input.serviceConnectConfiguration);
  const lattice = input.vpcLatticeConfigurations;
  return defined({
    ...requestTags(input.tags),
    'ecs:capacity-provider': capacityProviders(input, options.capacityProviderArn),
    'ecs:enable-execute-command': flag(input.enableExecuteCommand, creating ? false : undefined),
    'ecs:enable-ebs-volumes': Array.isArray(volumes) ? String(volumes.length > 0) : creating ? 'false' : undefined,
    ...(service
      ? {
          ...networkConditions(input),
          'ecs:enable-ecs-managed-tags': flag(input.enableECSManagedTags, creating ? false : undefined),
          'ecs:propagate-tags': text(input.propagateTags) ?? (creating ? 'NONE' : undefined),
          'ecs:enable-service-connect': connect ? flag(connect.enabled) : creating ? 'false' : undefined,
          'ecs:namespace': connect ? text(connect.namespace) : undefined,
          'ecs:enable-vpc-lattice': Array.isArray(lattice)
            ? String(lattice.length > 0)
            : creating
              ? 'false'
              : undefined,
        }
      : {}),
  });
}

/** A task size as the reference's numeric keys take it: CPU units (1024 = 1 vCPU) or MiB. */
export function taskSize(value: unknown): string | undefined {
  const given = text(value)?.trim();
  if (!given) return undefined;
  const scaled = /^(\d+(?:\.\d+)?)\s*(vcpu|gb)$/i.exec(given);
  if (scaled) return String(Math.round(Number(scaled[1]) * 1024));
  return /^\d+$/.test(given) ? given : undefined;
}

/** RegisterTaskDefinition's keys: tags, ecs:compute-compatibility, ecs:privileged, task size. */
export function definitionConditions(input: Input): Conditions {
  const containers = objects(input.containerDefinitions);
  return defined({
    ...requestTags(input.tags),
    'ecs:compute-compatibility': list(input.requiresCompatibilities),
    'ecs:privileged': String(containers.some((c) => c.privileged === true)),
    'ecs:task-cpu': taskSize(input.cpu),
    'ecs:task-memory': taskSize(input.memory),
  });
}
