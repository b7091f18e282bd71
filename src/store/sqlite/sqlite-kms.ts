import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../shared/secret-box.ts';
import type { KmsAliasRecord, KmsKeyRecord, KmsKeyState, KmsRepository } from '../kms-repository.ts';
import type { Database } from './schema.ts';
import type { KmsAliasesTable, KmsKeysTable } from './sqlite-kms-schema.ts';

/** What the body column holds: the key's fields the store never queries by. */
interface KeyBody {
  description: string;
  keyManager: 'AWS' | 'CUSTOMER';
  policy: string;
  tags: { TagKey: string; TagValue: string }[];
  deletionDate?: number;
  pendingWindowInDays?: number;
}

class AliasTaken extends Error {}

/** KMS keys and aliases; key material sealed with the data folder's master key, bound to its key id. */
export class SqliteKms implements KmsRepository {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;
  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async insertKey(key: KmsKeyRecord, alias?: KmsAliasRecord): Promise<boolean> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        await trx
          .insertInto('kms_keys')
          .values({
            key_id: key.keyId,
            arn: key.arn,
            state: key.state,
            created_at: key.createdAt.getTime(),
            material: this.#box.seal(Buffer.from(key.material).toString('base64'), materialContext(key.keyId)),
            body: bodyOf(key),
          })
          .execute();
        if (alias) {
          const result = await trx
            .insertInto('kms_aliases')
            .values(aliasRow(alias))
            .onConflict((oc) => oc.column('alias_name').doNothing())
            .executeTakeFirst();
          if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw new AliasTaken();
        }
      });
      return true;
    } catch (error) {
      if (error instanceof AliasTaken) return false;
      throw error;
    }
  }

  async getKey(keyId: string): Promise<KmsKeyRecord | undefined> {
    const row = await this.#db.selectFrom('kms_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    return row && this.#keyOf(row);
  }

  async listKeys(page: { readonly after?: string | undefined; readonly limit: number }): Promise<KmsKeyRecord[]> {
    let query = this.#db.selectFrom('kms_keys').selectAll().orderBy('key_id').limit(page.limit);
    if (page.after !== undefined) query = query.where('key_id', '>', page.after);
    return (await query.execute()).map((row) => this.#keyOf(row));
  }

  async updateKey(key: KmsKeyRecord): Promise<void> {
    await this.#db
      .updateTable('kms_keys')
      .set({ state: key.state, body: bodyOf(key) })
      .where('key_id', '=', key.keyId)
      .execute();
  }

  async deleteKey(keyId: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('kms_aliases').where('target_key_id', '=', keyId).execute();
      await trx.deleteFrom('kms_keys').where('key_id', '=', keyId).execute();
    });
  }

  async getAlias(aliasName: string): Promise<KmsAliasRecord | undefined> {
    const row = await this.#db
      .selectFrom('kms_aliases')
      .selectAll()
      .where('alias_name', '=', aliasName)
      .executeTakeFirst();
    return row && aliasOf(row);
  }

  async listAliases(keyId?: string): Promise<KmsAliasRecord[]> {
    let query = this.#db.selectFrom('kms_aliases').selectAll().orderBy('alias_name');
    if (keyId !== undefined) query = query.where('target_key_id', '=', keyId);
    return (await query.execute()).map(aliasOf);
  }

  async insertAlias(alias: KmsAliasRecord): Promise<boolean> {
    const result = await this.#db
      .insertInto('kms_aliases')
      .values(aliasRow(alias))
      .onConflict((oc) => oc.column('alias_name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async updateAlias(alias: KmsAliasRecord): Promise<void> {
    await this.#db
      .updateTable('kms_aliases')
      .set({ target_key_id: alias.targetKeyId, updated_at: alias.updatedAt.getTime() })
      .where('alias_name', '=', alias.aliasName)
      .execute();
  }

  async deleteAlias(aliasName: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('kms_aliases').where('alias_name', '=', aliasName).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  #keyOf(row: Selectable<KmsKeysTable>): KmsKeyRecord {
    const body = JSON.parse(row.body) as KeyBody;
    let material: string;
    try {
      material = this.#box.open(row.material, materialContext(row.key_id));
    } catch (error) {
      throw new Error(
        `the material of KMS key ${row.key_id} does not open with the data folder's master key (keys/master.key): ${(error as Error).message}`,
        { cause: error },
      );
    }
    return {
      keyId: row.key_id,
      arn: row.arn,
      createdAt: new Date(Number(row.created_at)),
      state: row.state as KmsKeyState,
      material: Buffer.from(material, 'base64'),
      description: body.description,
      keyManager: body.keyManager,
      policy: body.policy,
      tags: body.tags,
      ...(body.deletionDate === undefined ? {} : { deletionDate: new Date(body.deletionDate) }),
      ...(body.pendingWindowInDays === undefined ? {} : { pendingWindowInDays: body.pendingWindowInDays }),
    };
  }
}

function bodyOf(key: KmsKeyRecord): string {
  const body: KeyBody = {
    description: key.description,
    keyManager: key.keyManager,
    policy: key.policy,
    tags: key.tags.map((tag) => ({ TagKey: tag.TagKey, TagValue: tag.TagValue })),
    ...(key.deletionDate ? { deletionDate: key.deletionDate.getTime() } : {}),
    ...(key.pendingWindowInDays === undefined ? {} : { pendingWindowInDays: key.pendingWindowInDays }),
  };
  return JSON.stringify(body);
}

function aliasRow(alias: KmsAliasRecord): KmsAliasesTable {
  return {
    alias_name: alias.aliasName,
    target_key_id: alias.targetKeyId,
    created_at: alias.createdAt.getTime(),
    updated_at: alias.updatedAt.getTime(),
  };
}

function aliasOf(row: Selectable<KmsAliasesTable>): KmsAliasRecord {
  return {
    aliasName: row.alias_name,
    targetKeyId: row.target_key_id,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** Binds sealed material to its key: moved onto another row, it does not open. */
function materialContext(keyId: string): string {
  return `kms-key:${keyId}`;
}
