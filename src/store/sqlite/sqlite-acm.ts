import type { Kysely } from 'kysely';
import type { SecretBox } from '../../shared/secret-box.ts';
import type { AcmRepository, CertificateRecord } from '../acm-repository.ts';
import type { AcmCertificatesTable } from './sqlite-acm-schema.ts';
import type { Database } from './schema.ts';

/** ACM's certificates in portable Kysely (SQLite and PostgreSQL); private keys sealed under their ARN. */
export class SqliteAcm implements AcmRepository {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;

  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async put(record: CertificateRecord): Promise<void> {
    const row = {
      arn: record.arn,
      domain_name: record.domainName,
      type: record.type,
      key_algorithm: record.keyAlgorithm,
      created_at: record.createdAt,
      certificate_pem: record.certificatePem,
      chain_pem: record.chainPem ?? null,
      private_key: this.#box.seal(record.privateKeyPem, record.arn),
      body: JSON.stringify(record.body),
    };
    await this.#db
      .insertInto('acm_certificates')
      .values(row)
      .onConflict((oc) => oc.column('arn').doUpdateSet({ ...row, arn: undefined, created_at: undefined }))
      .execute();
  }

  async get(arn: string): Promise<CertificateRecord | undefined> {
    const row = await this.#db.selectFrom('acm_certificates').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && this.#record(row);
  }

  async list(): Promise<CertificateRecord[]> {
    const rows = await this.#db
      .selectFrom('acm_certificates')
      .selectAll()
      .orderBy('created_at')
      .orderBy('arn')
      .execute();
    return rows.map((row) => this.#record(row));
  }

  async delete(arn: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('acm_certificates').where('arn', '=', arn).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  #record(row: AcmCertificatesTable): CertificateRecord {
    return {
      arn: row.arn,
      domainName: row.domain_name,
      type: row.type,
      keyAlgorithm: row.key_algorithm,
      createdAt: Number(row.created_at),
      certificatePem: row.certificate_pem,
      chainPem: row.chain_pem ?? undefined,
      privateKeyPem: this.#box.open(row.private_key, row.arn),
      body: JSON.parse(row.body) as unknown,
    };
  }
}
