import type { IamAccessKeyRecord, IamEntityKind, IamEntityRecord } from '../../store/index.ts';

/*
 * IAM's entities as the directory keeps them in memory: immutable values, replaced whole on each
 * change. Inline policies are kept by name, in the order they were put; managed policy
 * attachments are policy ARNs; group membership is kept on the user (its groups, by name).
 */

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

interface Entity {
  readonly name: string;
  readonly arn: string;
  readonly id: string;
  readonly path: string;
  readonly createdAt: Date;
}

/** What users, groups and roles share: the policies that make their permissions. */
export interface PolicyHolder extends Entity {
  /** Inline policies: name → document text (as given; IAM answers it URL-encoded). */
  readonly inline: Readonly<Record<string, string>>;
  /** Attached managed policies, by ARN, in attachment order. */
  readonly attached: readonly string[];
}

export interface IamUser extends PolicyHolder {
  readonly kind: 'user';
  readonly tags: readonly Tag[];
  /** Group names, in the order the user joined them. */
  readonly groups: readonly string[];
  /** The permissions boundary: a managed policy ARN. */
  readonly boundary?: string;
}

export interface IamGroup extends PolicyHolder {
  readonly kind: 'group';
}

export interface IamRole extends PolicyHolder {
  readonly kind: 'role';
  readonly trustPolicy: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
  readonly boundary?: string;
  /** The service a service-linked role belongs to (ecs.amazonaws.com): only that service may change it. */
  readonly serviceName?: string;
}

export interface PolicyVersion {
  readonly versionId: string;
  readonly document: string;
  readonly createdAt: Date;
}

export interface ManagedPolicy extends Entity {
  readonly kind: 'policy';
  readonly description?: string;
  readonly defaultVersionId: string;
  /** Oldest first; at most five. */
  readonly versions: readonly PolicyVersion[];
  /** The number the next version gets (IAM never reuses one). */
  readonly nextVersion: number;
  readonly updatedAt: Date;
  readonly tags: readonly Tag[];
  /** An AWS managed policy (arn:aws:iam::aws:policy/…): listed and attachable, never changed. */
  readonly awsManaged?: true;
}

export interface InstanceProfile extends Entity {
  readonly kind: 'instance-profile';
  /** At most one role, by name. */
  readonly roles: readonly string[];
  readonly tags: readonly Tag[];
}

export type IamEntity = IamUser | IamGroup | IamRole | ManagedPolicy | InstanceProfile;

export interface AccessKey {
  readonly accessKeyId: string;
  readonly userName: string;
  readonly secretAccessKey: string;
  readonly status: 'Active' | 'Inactive';
  readonly createdAt: Date;
  readonly lastUsed?: { readonly at: Date; readonly service: string; readonly region: string };
}

export function defaultVersion(policy: ManagedPolicy): PolicyVersion {
  return policy.versions.find((v) => v.versionId === policy.defaultVersionId)!;
}

/** An entity as the store keeps it: the identifying fields as columns, the rest as JSON. */
export function toRecord(entity: IamEntity): IamEntityRecord {
  const { kind, name, arn, id, path, createdAt, ...rest } = entity;
  const body: Record<string, unknown> = { ...rest };
  if (entity.kind === 'policy') {
    body.updatedAt = entity.updatedAt.getTime();
    body.versions = entity.versions.map((v) => ({ ...v, createdAt: v.createdAt.getTime() }));
  }
  return { kind, name, arn, id, path, createdAt, body };
}

export function fromRecord(record: IamEntityRecord): IamEntity {
  const { kind, name, arn, id, path, createdAt } = record;
  const body = record.body as Record<string, unknown>;
  const base = { name, arn, id, path, createdAt };
  const holder = {
    inline: (body.inline ?? {}) as Record<string, string>,
    attached: (body.attached ?? []) as string[],
  };
  switch (kind) {
    case 'user':
      // Users made by `berth iam create-user` have an empty body.
      return {
        kind,
        ...base,
        ...holder,
        tags: (body.tags ?? []) as Tag[],
        groups: (body.groups ?? []) as string[],
        ...(typeof body.boundary === 'string' ? { boundary: body.boundary } : {}),
      };
    case 'group':
      return { kind, ...base, ...holder };
    case 'role':
      return { ...(body as Partial<IamRole>), kind, ...base, ...holder } as IamRole;
    case 'policy':
      return {
        ...(body as Partial<ManagedPolicy>),
        kind,
        ...base,
        updatedAt: new Date(body.updatedAt as number),
        versions: (body.versions as { versionId: string; document: string; createdAt: number }[]).map((v) => ({
          ...v,
          createdAt: new Date(v.createdAt),
        })),
      } as ManagedPolicy;
    case 'instance-profile':
      return { ...(body as Partial<InstanceProfile>), kind, ...base } as InstanceProfile;
  }
}

export function keyToRecord(key: AccessKey): IamAccessKeyRecord {
  return key;
}

export type { IamEntityKind };
