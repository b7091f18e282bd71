import type { Kysely, Selectable, Transaction } from 'kysely';
import type { SecretRecord, SecretsRepository, SecretVersionRecord, SecretWrite } from '../secrets-repository.ts';
import type { Database } from './schema.ts';
import type { SecretsTable, SecretVersionsTable } from './sqlite-secrets-schema.ts';

/** Secrets Manager's secrets; values arrive encrypted under their KMS key and stay so. */
export class SqliteSecrets implements SecretsRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(write: SecretWrite): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('secrets')
        .select('arn')
        .where('name', '=', write.secret.name)
        .executeTakeFirst();
      if (taken) return false;
      await trx.insertInto('secrets').values(secretRow(write.secret)).execute();
      await writeVersions(trx, write);
      return true;
    });
  }

  async write(write: SecretWrite): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('secrets')
        .set({ body: JSON.stringify(write.secret.body) })
        .where('arn', '=', write.secret.arn)
        .execute();
      await writeVersions(trx, write);
    });
  }

  async getByName(name: string): Promise<SecretRecord | undefined> {
    const row = await this.#db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
    return row && secretOf(row);
  }

  async getByArn(arn: string): Promise<SecretRecord | undefined> {
    const row = await this.#db.selectFrom('secrets').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && secretOf(row);
  }

  async list(): Promise<SecretRecord[]> {
    return (await this.#db.selectFrom('secrets').selectAll().orderBy('name').execute()).map(secretOf);
  }

  async versions(arn: string): Promise<SecretVersionRecord[]> {
    const rows = await this.#db
      .selectFrom('secret_versions')
      .selectAll()
      .where('secret_arn', '=', arn)
      .orderBy('created_at')
      .orderBy('version_id')
      .execute();
    return rows.map(versionOf);
  }

  async delete(arn: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('secret_versions').where('secret_arn', '=', arn).execute();
      await trx.deleteFrom('secrets').where('arn', '=', arn).execute();
    });
  }
}

async function writeVersions(trx: Transaction<Database>, write: SecretWrite): Promise<void> {
  const arn = write.secret.arn;
  for (const versionId of write.deleteVersions ?? [])
    await trx.deleteFrom('secret_versions').where('secret_arn', '=', arn).where('version_id', '=', versionId).execute();
  for (const version of write.versions ?? []) {
    const row = {
      secret_arn: arn,
      version_id: version.versionId,
      created_at: version.createdAt.getTime(),
      stages: JSON.stringify(version.stages),
      kind: version.kind,
      ciphertext: Buffer.from(version.ciphertext).toString('base64'),
      last_accessed_at: version.lastAccessedAt?.getTime() ?? null,
    };
    await trx
      .insertInto('secret_versions')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['secret_arn', 'version_id'])
          .doUpdateSet({ stages: row.stages, last_accessed_at: row.last_accessed_at }),
      )
      .execute();
  }
}

function secretRow(secret: SecretRecord): SecretsTable {
  return {
    arn: secret.arn,
    name: secret.name,
    created_at: secret.createdAt.getTime(),
    body: JSON.stringify(secret.body),
  };
}

function secretOf(row: Selectable<SecretsTable>): SecretRecord {
  return {
    arn: row.arn,
    name: row.name,
    createdAt: new Date(Number(row.created_at)),
    body: JSON.parse(row.body) as Record<string, unknown>,
  };
}

function versionOf(row: Selectable<SecretVersionsTable>): SecretVersionRecord {
  return {
    versionId: row.version_id,
    createdAt: new Date(Number(row.created_at)),
    stages: JSON.parse(row.stages) as string[],
    kind: row.kind === 'binary' ? 'binary' : 'string',
    ciphertext: Buffer.from(row.ciphertext, 'base64'),
    ...(row.last_accessed_at === null ? {} : { lastAccessedAt: new Date(Number(row.last_accessed_at)) }),
  };
}
