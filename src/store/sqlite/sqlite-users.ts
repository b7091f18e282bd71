import type { Kysely } from 'kysely';
import type { AccessKeyRecord, UserRecord, UserRepository } from '../store.ts';
import type { Database } from './schema.ts';

export class SqliteUsers implements UserRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
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
          secret_access_key: key.secretAccessKey,
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
      secretAccessKey: r.secret_access_key,
      status: r.status === 'Inactive' ? 'Inactive' : 'Active',
      createdAt: new Date(Number(r.created_at)),
    }));
  }
}
