import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../shared/secret-box.ts';
import type {
  IamAccessKeyRecord,
  IamChange,
  IamEntityKind,
  IamEntityRecord,
  IamKeyUse,
  IamRepository,
} from '../iam-repository.ts';
import type { AccessKeysTable, Database, IamEntitiesTable, IamUsersTable } from './schema.ts';
import { openSecretKey, sealSecretKey } from './sqlite-users.ts';

/**
 * IAM in SQLite: users in iam_users, the other entities in iam_entities, keys in access_keys with
 * their secrets sealed (SecretBox, the data folder's master key), so the database file alone
 * discloses none of them.
 */
export class SqliteIam implements IamRepository {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;
  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async load(): Promise<{ entities: IamEntityRecord[]; accessKeys: IamAccessKeyRecord[] }> {
    const users = await this.#db.selectFrom('iam_users').selectAll().orderBy('name').execute();
    const others = await this.#db.selectFrom('iam_entities').selectAll().orderBy('kind').orderBy('name').execute();
    const keys = await this.#db.selectFrom('access_keys').selectAll().orderBy('access_key_id').execute();
    return {
      entities: [...users.map(fromUserRow), ...others.map(fromEntityRow)],
      accessKeys: keys.map((row) => this.#fromKeyRow(row)),
    };
  }

  async write(change: IamChange): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const id of change.removeKeys ?? []) {
        await trx.deleteFrom('access_keys').where('access_key_id', '=', id).execute();
      }
      for (const { kind, name } of change.remove ?? []) {
        if (kind === 'user') await trx.deleteFrom('iam_users').where('name', '=', name).execute();
        else await trx.deleteFrom('iam_entities').where('kind', '=', kind).where('name', '=', name).execute();
      }
      for (const record of change.put ?? []) {
        if (record.kind === 'user') {
          const row = toUserRow(record);
          await trx
            .insertInto('iam_users')
            .values(row)
            .onConflict((oc) => oc.column('name').doUpdateSet({ arn: row.arn, path: row.path, body: row.body }))
            .execute();
        } else {
          const row = toEntityRow(record);
          await trx
            .insertInto('iam_entities')
            .values(row)
            .onConflict((oc) =>
              oc.columns(['kind', 'name']).doUpdateSet({ arn: row.arn, path: row.path, body: row.body }),
            )
            .execute();
        }
      }
      for (const key of change.putKeys ?? []) {
        await trx
          .insertInto('access_keys')
          .values({
            access_key_id: key.accessKeyId,
            user_name: key.userName,
            secret_access_key: sealSecretKey(this.#box, key.accessKeyId, key.secretAccessKey),
            status: key.status,
            created_at: key.createdAt.getTime(),
            last_used: key.lastUsed ? JSON.stringify(useJson(key.lastUsed)) : null,
          })
          .onConflict((oc) => oc.column('access_key_id').doUpdateSet({ status: key.status, user_name: key.userName }))
          .execute();
      }
    });
  }

  async recordKeyUses(uses: ReadonlyMap<string, IamKeyUse>): Promise<void> {
    if (uses.size === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (const [id, use] of uses) {
        await trx
          .updateTable('access_keys')
          .set({ last_used: JSON.stringify(useJson(use)) })
          .where('access_key_id', '=', id)
          .execute();
      }
    });
  }

  #fromKeyRow(row: Selectable<AccessKeysTable>): IamAccessKeyRecord {
    const used = row.last_used === null ? undefined : (JSON.parse(row.last_used) as ReturnType<typeof useJson>);
    return {
      accessKeyId: row.access_key_id,
      userName: row.user_name,
      secretAccessKey: openSecretKey(this.#box, row.access_key_id, row.secret_access_key),
      status: row.status === 'Inactive' ? 'Inactive' : 'Active',
      createdAt: new Date(Number(row.created_at)),
      ...(used ? { lastUsed: { at: new Date(used.at), service: used.service, region: used.region } } : {}),
    };
  }
}

function useJson(use: IamKeyUse): { at: number; service: string; region: string } {
  return { at: use.at.getTime(), service: use.service, region: use.region };
}

function toUserRow(record: IamEntityRecord): IamUsersTable {
  return {
    name: record.name,
    arn: record.arn,
    user_id: record.id,
    path: record.path,
    created_at: record.createdAt.getTime(),
    body: JSON.stringify(record.body),
  };
}

function fromUserRow(row: Selectable<IamUsersTable>): IamEntityRecord {
  return {
    kind: 'user',
    name: row.name,
    arn: row.arn,
    id: row.user_id,
    path: row.path,
    createdAt: new Date(Number(row.created_at)),
    body: JSON.parse(row.body) as Record<string, unknown>,
  };
}

function toEntityRow(record: IamEntityRecord): IamEntitiesTable {
  return {
    kind: record.kind,
    name: record.name,
    arn: record.arn,
    id: record.id,
    path: record.path,
    created_at: record.createdAt.getTime(),
    body: JSON.stringify(record.body),
  };
}

function fromEntityRow(row: Selectable<IamEntitiesTable>): IamEntityRecord {
  return {
    kind: row.kind as IamEntityKind,
    name: row.name,
    arn: row.arn,
    id: row.id,
    path: row.path,
    createdAt: new Date(Number(row.created_at)),
    body: JSON.parse(row.body) as Record<string, unknown>,
  };
}
