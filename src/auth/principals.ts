import type { SecretLookup } from '../aws-protocol/index.ts';
import { newAccessKeyId, newSecretAccessKey } from '../shared/ids.ts';
import { rootPrincipal, userPrincipal, type Principal } from '../shared/principal.ts';
import type { Clock } from '../shared/clock.ts';
import type { MetadataStore } from '../store/index.ts';

interface KnownKey {
  readonly secret: string;
  readonly principal: Principal;
}

export interface CreatedUser {
  readonly User: { UserName: string; Arn: string; UserId: string; CreateDate: string };
  readonly AccessKey: { UserName: string; AccessKeyId: string; SecretAccessKey: string; Status: 'Active' };
}

export class UserExistsError extends Error {}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * Every access key the server accepts and whose it is: the root key pair, and IAM-style users'
 * keys from the store. Kept in memory (one server per data folder), written through on creation.
 */
export class Principals implements SecretLookup {
  readonly #keys = new Map<string, KnownKey>();
  readonly #store: MetadataStore;
  readonly #accountId: string;
  readonly #clock: Clock;

  private constructor(store: MetadataStore, accountId: string, clock: Clock) {
    this.#store = store;
    this.#accountId = accountId;
    this.#clock = clock;
  }

  static async load(
    store: MetadataStore,
    options: { accountId: string; clock: Clock; root: { accessKeyId: string; secretAccessKey: string } },
  ): Promise<Principals> {
    const principals = new Principals(store, options.accountId, options.clock);
    principals.#keys.set(options.root.accessKeyId, {
      secret: options.root.secretAccessKey,
      principal: rootPrincipal(options.accountId),
    });
    const users = new Map((await store.users.listUsers()).map((u) => [u.name, u]));
    for (const key of await store.users.listAccessKeys()) {
      const user = users.get(key.userName);
      if (user && key.status === 'Active')
        principals.#keys.set(key.accessKeyId, {
          secret: key.secretAccessKey,
          principal: userPrincipal(user),
        });
    }
    return principals;
  }

  secretFor(accessKeyId: string): string | undefined {
    return this.#keys.get(accessKeyId)?.secret;
  }

  principalOf(accessKeyId: string): Principal | undefined {
    return this.#keys.get(accessKeyId)?.principal;
  }

  /** Creates a user with one access key (what `berth iam create-user` does), durable before it answers. */
  async createUser(name: string): Promise<CreatedUser> {
    if (!USER_NAME.test(name)) throw new Error(`invalid user name '${name}': 1 to 64 letters, digits or +=,.@_-`);
    const createdAt = this.#clock.now();
    const user = {
      name,
      arn: `arn:aws:iam::${this.#accountId}:user/${name}`,
      userId: `AIDA${newAccessKeyId().slice(4)}`,
      createdAt,
    };
    const key = {
      accessKeyId: newAccessKeyId(),
      userName: name,
      secretAccessKey: newSecretAccessKey(),
      status: 'Active' as const,
      createdAt,
    };
    if (!(await this.#store.users.createWithKey(user, key)))
      throw new UserExistsError(`User with name ${name} already exists.`);
    this.#keys.set(key.accessKeyId, { secret: key.secretAccessKey, principal: userPrincipal(user) });
    return {
      User: { UserName: name, Arn: user.arn, UserId: user.userId, CreateDate: createdAt.toISOString() },
      AccessKey: {
        UserName: name,
        AccessKeyId: key.accessKeyId,
        SecretAccessKey: key.secretAccessKey,
        Status: 'Active',
      },
    };
  }
}
