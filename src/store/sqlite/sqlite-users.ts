import type { Kysely } from 'kysely';
import { isSealed, type SecretBox } from '../../shared/secret-box.ts';
import type { AccessKeyRecord, UserRecord, UserRepository } from '../store.ts';
import type { Database } from './schema.ts';

/**
 * IAM-style users and their access keys. Secret access keys are sealed (SecretBox, the data
 * folder's master key) before they reach SQLite, and opened as they are read: the database file
 * alone discloses none of them.
 */
export class SqliteUsers implements UserRepository {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;
  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async createWithKey(user: UserRecord, key: AccessKeyRecord): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('iam_users')
        .values({ name: user.name, arn: user.arn, user_id: user.userId, created_at: user.createdAt.getTime() })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx
        .insertInto('access_keys')
        .values({
          access_key_id: key.accessKeyId,
          user_name: key.userName,
          secret_access_key: this.#box.seal(key.secretAccessKey, secretContext(key.accessKeyId)),
          status: key.status,
          created_at: key.createdAt.getTime(),
        })
        .execute();
      return true;
    });
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.#db.selectFrom('iam_users').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      arn: r.arn,
      userId: r.user_id,
      createdAt: new Date(Number(r.created_at)),
    }));
  }

  async listAccessKeys(): Promise<AccessKeyRecord[]> {
    const rows = await this.#db.selectFrom('access_keys').selectAll().orderBy('access_key_id').execute();
    return rows.map((r) => ({
      accessKeyId: r.access_key_id,
      userName: r.user_name,
      secretAccessKey: this.#open(r.access_key_id, r.secret_access_key),
      status: r.status === 'Inactive' ? 'Inactive' : 'Active',
      createdAt: new Date(Number(r.created_at)),
    }));
  }

  #open(accessKeyId: string, sealed: string): string {
    try {
      return this.#box.open(sealed, secretContext(accessKeyId));
    } catch (error) {
      throw new Error(
        `the secret of access key ${accessKeyId} does not open with the data folder's master key (keys/master.key): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** Binds a sealed secret to its access key: moved onto another row, it does not open. */
function secretContext(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}

/**
 * Seals the secret access keys that older versions stored in plain text, in one transaction;
 * sealed rows are left alone, so running it on every start is a no-op once done. Resolves with how
 * many were sealed. The caller turns secure_delete on, so no freed page keeps the old text.
 */
export async function sealPlaintextSecretKeys(db: Kysely<Database>, box: SecretBox): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('access_keys').select(['access_key_id', 'secret_access_key']).execute();
    const plaintext = rows.filter((row) => !isSealed(row.secret_access_key));
    for (const row of plaintext) {
      await trx
        .updateTable('access_keys')
        .set({ secret_access_key: box.seal(row.secret_access_key, secretContext(row.access_key_id)) })
        .where('access_key_id', '=', row.access_key_id)
        .execute();
    }
    return plaintext.length;
  });
}
