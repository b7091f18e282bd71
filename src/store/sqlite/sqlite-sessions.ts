import type { Kysely } from 'kysely';
import type { SecretBox } from '../../shared/secret-box.ts';
import type { StsSessionRecord, StsSessionRepository } from '../sts-repository.ts';
import type { Database } from './schema.ts';

/** STS sessions: secrets sealed with the data folder's master key, bound to their access key id. */
export class SqliteSessions implements StsSessionRepository {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;
  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async insert(record: StsSessionRecord): Promise<void> {
    await this.#db
      .insertInto('sts_sessions')
      .values({
        access_key_id: record.accessKeyId,
        secret_access_key: this.#box.seal(record.secretAccessKey, secretContext(record.accessKeyId)),
        token_hash: record.tokenHash,
        source_access_key_id: record.sourceAccessKeyId,
        created_at: record.createdAt.getTime(),
        expires_at: record.expiresAt.getTime(),
        body: JSON.stringify(record.body),
      })
      .execute();
  }

  async list(): Promise<StsSessionRecord[]> {
    const rows = await this.#db.selectFrom('sts_sessions').selectAll().orderBy('created_at').execute();
    return rows.map((row) => ({
      accessKeyId: row.access_key_id,
      secretAccessKey: this.#open(row.access_key_id, row.secret_access_key),
      tokenHash: row.token_hash,
      sourceAccessKeyId: row.source_access_key_id,
      createdAt: new Date(Number(row.created_at)),
      expiresAt: new Date(Number(row.expires_at)),
      body: JSON.parse(row.body) as Record<string, unknown>,
    }));
  }

  async deleteExpiredBefore(before: Date): Promise<number> {
    const result = await this.#db
      .deleteFrom('sts_sessions')
      .where('expires_at', '<', before.getTime())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async delete(accessKeyIds: readonly string[]): Promise<void> {
    if (accessKeyIds.length === 0) return;
    await this.#db
      .deleteFrom('sts_sessions')
      .where('access_key_id', 'in', [...accessKeyIds])
      .execute();
  }

  #open(accessKeyId: string, sealed: string): string {
    try {
      return this.#box.open(sealed, secretContext(accessKeyId));
    } catch (error) {
      throw new Error(
        `the secret of STS session ${accessKeyId} does not open with the data folder's master key (keys/master.key): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** Binds a sealed secret to its session: moved onto another row, it does not open. */
function secretContext(accessKeyId: string): string {
  return `sts-session:${accessKeyId}`;
}
