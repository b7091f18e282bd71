import type { SecretLookup } from '../aws-protocol/index.ts';
import type { Clock } from '../shared/clock.ts';
import { rootPrincipal, userPrincipal, type Principal } from '../shared/principal.ts';
import type { IamChange, IamKeyUse, MetadataStore } from '../store/index.ts';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.ts';
import { parseDocument } from './model/documents.ts';
import {
  defaultVersion,
  fromRecord,
  toRecord,
  type AccessKey,
  type IamEntity,
  type IamGroup,
  type IamRole,
  type IamUser,
  type InstanceProfile,
  type ManagedPolicy,
  type PolicyHolder,
  type Tag,
} from './model/entities.ts';
import { nameKey, nameOfArn } from './model/names.ts';
import type { Policy, PolicyKind } from './policy/index.ts';

/** A change to IAM: entities put whole or removed, keys put or removed; one store transaction. */
export interface IamChanges {
  readonly put?: readonly IamEntity[];
  readonly remove?: readonly IamEntity[];
  readonly putKeys?: readonly AccessKey[];
  readonly removeKeys?: readonly string[];
}

/** What the access control evaluates a principal's own permissions with. */
export interface IdentityPolicies {
  readonly identity: readonly Policy[];
  /** The permissions boundary, when the user or role has one. */
  readonly boundary?: readonly Policy[];
}

/** A role as STS needs it: its trust policy compiled. */
export interface RoleForSts {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly roleId: string;
  readonly maxSessionDuration: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly trustPolicy: Policy;
}

interface SigningKey {
  readonly secret: string;
  readonly principal: Principal;
}

export interface IamDirectoryOptions {
  readonly accountId: string;
  readonly clock: Clock;
  readonly root: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** How often key uses (GetAccessKeyLastUsed) are written to the store; 60 s by default. */
  readonly keyUseFlushMs?: number;
}

/** Parsed documents kept at most this many; past it the cache starts over (IAM data is small). */
const MAX_COMPILED = 10_000;

/**
 * Every IAM entity and access key of the account, in memory (one server per data folder): loaded
 * from the store at start and written through by the IAM operations (store first, then memory,
 * one change at a time). It is the SigV4 secret lookup for the root key pair and users' Active
 * keys, and answers the access control's questions about a principal, from caches that every
 * write clears: what it answers per request is an array computed once.
 */
export class IamDirectory implements SecretLookup {
  readonly accountId: string;
  readonly #store: MetadataStore;
  readonly #clock: Clock;
  readonly #root: IamDirectoryOptions['root'];
  readonly #entities = {
    user: new Map<string, IamUser>(),
    group: new Map<string, IamGroup>(),
    role: new Map<string, IamRole>(),
    'instance-profile': new Map<string, InstanceProfile>(),
  };
  /** Managed policies by ARN, AWS's included. */
  readonly #policies = new Map<string, ManagedPolicy>();
  readonly #keys = new Map<string, AccessKey>();
  #signing = new Map<string, SigningKey>();
  readonly #identity = new Map<string, IdentityPolicies>();
  readonly #compiled = new Map<string, Policy>();
  readonly #keyUses = new Map<string, IamKeyUse>();
  #tail: Promise<unknown> = Promise.resolve();
  #flushTimer: NodeJS.Timeout | undefined;

  private constructor(store: MetadataStore, options: IamDirectoryOptions) {
    this.#store = store;
    this.#clock = options.clock;
    this.#root = options.root;
    this.accountId = options.accountId;
  }

  static async load(store: MetadataStore, options: IamDirectoryOptions): Promise<IamDirectory> {
    const directory = new IamDirectory(store, options);
    for (const policy of AWS_MANAGED_POLICIES) directory.#policies.set(policy.arn, policy);
    const { entities, accessKeys } = await store.iam.load();
    for (const record of entities) directory.#set(fromRecord(record));
    for (const key of accessKeys) directory.#keys.set(key.accessKeyId, key);
    directory.#rebuild();
    directory.#flushTimer = setInterval(
      () => void directory.flushKeyUses().catch(() => {}),
      options.keyUseFlushMs ?? 60_000,
    );
    directory.#flushTimer.unref();
    return directory;
  }

  // SigV4 -----------------------------------------------------------------------------------------

  secretFor(accessKeyId: string): string | undefined {
    return this.#signing.get(accessKeyId)?.secret;
  }

  principalOf(accessKeyId: string): Principal | undefined {
    return this.#signing.get(accessKeyId)?.principal;
  }

  // Reads (of committed state) ---------------------------------------------------------------------

  user(name: string): IamUser | undefined {
    return this.#entities.user.get(nameKey(name));
  }
  group(name: string): IamGroup | undefined {
    return this.#entities.group.get(nameKey(name));
  }
  role(name: string): IamRole | undefined {
    return this.#entities.role.get(nameKey(name));
  }
  instanceProfile(name: string): InstanceProfile | undefined {
    return this.#entities['instance-profile'].get(nameKey(name));
  }
  policy(arn: string): ManagedPolicy | undefined {
    return this.#policies.get(arn);
  }
  accessKey(accessKeyId: string): AccessKey | undefined {
    const key = this.#keys.get(accessKeyId);
    const used = this.#keyUses.get(accessKeyId);
    return key && used ? { ...key, lastUsed: used } : key;
  }

  /** Every entity of a kind, sorted by name as IAM lists them. */
  users(): IamUser[] {
    return sorted(this.#entities.user.values());
  }
  groups(): IamGroup[] {
    return sorted(this.#entities.group.values());
  }
  roles(): IamRole[] {
    return sorted(this.#entities.role.values());
  }
  instanceProfiles(): InstanceProfile[] {
    return sorted(this.#entities['instance-profile'].values());
  }
  policies(): ManagedPolicy[] {
    return sorted(this.#policies.values());
  }
  /** A managed policy's default version's document (STS's PolicyArns). */
  defaultDocumentOf(arn: string): string | undefined {
    const policy = this.policy(arn);
    return policy && defaultVersion(policy).document;
  }
  /** A managed policy by name among the account's own (names are unique in the account). */
  customerPolicyNamed(name: string): ManagedPolicy | undefined {
    const key = nameKey(name);
    for (const policy of this.#policies.values()) if (!policy.awsManaged && nameKey(policy.name) === key) return policy;
    return undefined;
  }
  accessKeysOf(userName: string): AccessKey[] {
    const key = nameKey(userName);
    return [...this.#keys.values()]
      .filter((k) => nameKey(k.userName) === key)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }
  membersOf(groupName: string): IamUser[] {
    const key = nameKey(groupName);
    return this.users().filter((user) => user.groups.some((g) => nameKey(g) === key));
  }
  /** The users, groups and roles a managed policy is attached to. */
  attachmentsOf(policyArn: string): (IamUser | IamGroup | IamRole)[] {
    return [...this.users(), ...this.groups(), ...this.roles()].filter((holder) => holder.attached.includes(policyArn));
  }
  /** Users and roles whose permissions boundary is the policy. */
  boundedBy(policyArn: string): (IamUser | IamRole)[] {
    return [...this.users(), ...this.roles()].filter((holder) => holder.boundary === policyArn);
  }

  // Writes ----------------------------------------------------------------------------------------

  /**
   * Applies one change: `plan` reads the committed state (synchronously, so nothing changes under
   * it) and says what to write, or throws the API error that refuses it. Changes run one at a time;
   * each is durable in the store before memory sees it and before the call resolves.
   */
  update<T>(plan: () => { changes: IamChanges; result: T }): Promise<T> {
    const run = this.#tail.then(async () => {
      const { changes, result } = plan();
      await this.#store.iam.write(storeChange(changes));
      for (const entity of changes.remove ?? []) this.#delete(entity);
      for (const entity of changes.put ?? []) this.#set(entity);
      for (const id of changes.removeKeys ?? []) {
        this.#keys.delete(id);
        this.#keyUses.delete(id);
      }
      for (const key of changes.putKeys ?? []) this.#keys.set(key.accessKeyId, key);
      this.#rebuild();
      return result;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  // The access control -----------------------------------------------------------------------------

  /** A policy document compiled once per text and kind (a managed policy version never changes). */
  compile(text: string, kind: PolicyKind): Policy {
    const cacheKey = `${kind}\n${text}`;
    let policy = this.#compiled.get(cacheKey);
    if (policy === undefined) {
      if (this.#compiled.size >= MAX_COMPILED) this.#compiled.clear();
      policy = parseDocument(text, kind);
      this.#compiled.set(cacheKey, policy);
    }
    return policy;
  }

  /**
   * A principal's identity-based policies: for a user its inline and attached policies (default
   * versions) and its groups'; for a role session the role's; with the permissions boundary. The
   * root and unknown principals get none. The same array until an IAM write.
   */
  identityPoliciesOf(principal: Principal): IdentityPolicies {
    const cached = this.#identity.get(principal.arn);
    if (cached) return cached;
    const holder = this.#holderOf(principal);
    let result: IdentityPolicies = { identity: [] };
    if (holder) {
      const holders: PolicyHolder[] = [holder];
      if (holder.kind === 'user') for (const g of holder.groups) holders.push(...optional(this.group(g)));
      const identity = holders.flatMap((h) => this.#policiesOf(h));
      const boundary = holder.boundary === undefined ? undefined : this.policy(holder.boundary);
      result = boundary
        ? { identity, boundary: [this.compile(defaultVersion(boundary).document, 'identity')] }
        : { identity };
    }
    this.#identity.set(principal.arn, result);
    return result;
  }

  /** aws:PrincipalTag/*: a user's or (for a session, under its session tags) a role's tags. */
  principalTagsOf(principal: Principal): Readonly<Record<string, string>> {
    const holder = this.#holderOf(principal);
    return holder ? Object.fromEntries(holder.tags.map((t) => [t.Key, t.Value])) : {};
  }

  roleByName(name: string): RoleForSts | undefined {
    const role = this.role(name);
    return role && this.#forSts(role);
  }

  roleByArn(arn: string): RoleForSts | undefined {
    const role = this.role(nameOfArn(arn));
    return role && role.arn === arn ? this.#forSts(role) : undefined;
  }

  /**
   * Remembers that a user's key signed a request (GetAccessKeyLastUsed). Kept in memory and written
   * to the store at most once a minute, and at close: a crash loses at most a minute of "last used".
   */
  recordKeyUse(accessKeyId: string, service: string, region: string, at: Date): void {
    if (this.#keys.has(accessKeyId)) this.#keyUses.set(accessKeyId, { at, service, region });
  }

  async flushKeyUses(): Promise<void> {
    if (this.#keyUses.size === 0) return;
    const uses = new Map(this.#keyUses);
    this.#keyUses.clear();
    await this.#store.iam.recordKeyUses(uses);
    for (const [id, use] of uses) {
      const key = this.#keys.get(id);
      if (key && !this.#keyUses.has(id)) this.#keys.set(id, { ...key, lastUsed: use });
    }
  }

  /** Writes the pending key uses; the store may close after. */
  async close(): Promise<void> {
    clearInterval(this.#flushTimer);
    await this.#tail;
    await this.flushKeyUses();
  }

  now(): Date {
    return this.#clock.now();
  }

  // -------------------------------------------------------------------------------------------------

  #holderOf(principal: Principal): IamUser | IamRole | undefined {
    if (principal.kind === 'user' && principal.userName !== undefined) {
      const user = this.user(principal.userName);
      return user?.arn === principal.arn ? user : undefined;
    }
    if (principal.kind === 'assumed-role' && principal.session) {
      const role = this.role(nameOfArn(principal.session.roleArn));
      return role?.arn === principal.session.roleArn ? role : undefined;
    }
    return undefined;
  }

  #policiesOf(holder: PolicyHolder): Policy[] {
    const inline = Object.values(holder.inline).map((text) => this.compile(text, 'identity'));
    const attached = holder.attached
      .map((arn) => this.policy(arn))
      .filter((p): p is ManagedPolicy => p !== undefined)
      .map((p) => this.compile(defaultVersion(p).document, 'identity'));
    return [...inline, ...attached];
  }

  #forSts(role: IamRole): RoleForSts {
    return {
      name: role.name,
      arn: role.arn,
      path: role.path,
      roleId: role.id,
      maxSessionDuration: role.maxSessionDuration,
      tags: Object.fromEntries(role.tags.map((t) => [t.Key, t.Value])),
      trustPolicy: this.compile(role.trustPolicy, 'trust'),
    };
  }

  #set(entity: IamEntity): void {
    if (entity.kind === 'policy') this.#policies.set(entity.arn, entity);
    else (this.#entities[entity.kind] as Map<string, IamEntity>).set(nameKey(entity.name), entity);
  }

  #delete(entity: IamEntity): void {
    if (entity.kind === 'policy') this.#policies.delete(entity.arn);
    else this.#entities[entity.kind].delete(nameKey(entity.name));
  }

  /** After a change: which keys sign as whom, and no cached answer about anyone. */
  #rebuild(): void {
    const signing = new Map<string, SigningKey>();
    signing.set(this.#root.accessKeyId, {
      secret: this.#root.secretAccessKey,
      principal: rootPrincipal(this.accountId),
    });
    for (const key of this.#keys.values()) {
      const user = this.user(key.userName);
      if (user && key.status === 'Active')
        signing.set(key.accessKeyId, {
          secret: key.secretAccessKey,
          principal: userPrincipal({ arn: user.arn, userId: user.id, name: user.name }),
        });
    }
    this.#signing = signing;
    this.#identity.clear();
  }
}

function storeChange(changes: IamChanges): IamChange {
  return {
    put: (changes.put ?? []).filter((e) => !(e.kind === 'policy' && e.awsManaged)).map(toRecord),
    remove: (changes.remove ?? []).map((e) => ({ kind: e.kind, name: e.name })),
    putKeys: changes.putKeys ?? [],
    removeKeys: changes.removeKeys ?? [],
  };
}

function sorted<T extends { name: string }>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

export type { Tag };
