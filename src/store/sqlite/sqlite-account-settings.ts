import type { Kysely } from 'kysely';
import type { AccountSettingRecord, AccountSettingRepository } from '../store.ts';
import type { Database } from './schema.ts';

export class SqliteAccountSettings implements AccountSettingRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async put(record: AccountSettingRecord): Promise<void> {
    await this.#db
      .insertInto('account_settings')
      .values({ principal_arn: record.principalArn, name: record.name, value: record.value })
      .onConflict((oc) => oc.columns(['principal_arn', 'name']).doUpdateSet({ value: record.value }))
      .execute();
  }

  async delete(principalArn: string, name: string): Promise<AccountSettingRecord | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('account_settings')
        .selectAll()
        .where('principal_arn', '=', principalArn)
        .where('name', '=', name)
        .executeTakeFirst();
      if (!row) return undefined;
      await trx
        .deleteFrom('account_settings')
        .where('principal_arn', '=', principalArn)
        .where('name', '=', name)
        .execute();
      return { principalArn: row.principal_arn, name: row.name, value: row.value };
    });
  }

  async list(principalArns: readonly string[]): Promise<AccountSettingRecord[]> {
    if (principalArns.length === 0) return [];
    const rows = await this.#db
      .selectFrom('account_settings')
      .selectAll()
      .where('principal_arn', 'in', principalArns)
      .orderBy('name')
      .orderBy('principal_arn')
      .execute();
    return rows.map((r) => ({ principalArn: r.principal_arn, name: r.name, value: r.value }));
  }
}
