import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  SsmParameterRecord,
  SsmParameterVersionRecord,
  SsmRepository,
  SsmVersionDetails,
  SsmWrite,
} from '../ssm-repository.ts';
import type { Database, SsmParameterVersionsTable } from './schema.ts';

/** A change planned from a revision that is no longer the stored one: the transaction rolls back. */
class StaleRevision extends Error {}

/** Parameter Store in SQLite: each write one transaction, checked against the revision it read. */
export class SqliteSsm implements SsmRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(name: string): Promise<SsmParameterRecord | undefined> {
    return (await this.getMany([name]))[0];
  }

  async getMany(names: readonly string[]): Promise<SsmParameterRecord[]> {
    if (names.length === 0) return [];
    const rows = await this.#current().where('p.name', 'in', names).execute();
    return rows.map(fromJoinedRow);
  }

  async history(name: string): Promise<SsmParameterVersionRecord[]> {
    const rows = await this.#db
      .selectFrom('ssm_parameter_versions')
      .selectAll()
      .where('name', '=', name)
      .orderBy('version')
      .execute();
    return rows.map(fromVersionRow);
  }

  async list(query: { prefix?: string; after?: string; limit: number }): Promise<SsmParameterRecord[]> {
    let select = this.#current()
      .orderBy('p.name')
      .limit(sql.lit(safeLimit(query.limit)));
    if (query.prefix) {
      // Names are [a-zA-Z0-9_.\-/]: every one under the prefix sorts below prefix + '~'.
      select = select.where('p.name', '>=', query.prefix).where('p.name', '<', `${query.prefix}~`);
    }
    if (query.after !== undefined) select = select.where('p.name', '>', query.after);
    return (await select.execute()).map(fromJoinedRow);
  }

  async write(changes: readonly SsmWrite[]): Promise<boolean> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        for (const change of changes) await applyWrite(trx, change);
      });
      return true;
    } catch (error) {
      if (error instanceof StaleRevision) return false;
      throw error;
    }
  }

  #current() {
    return this.#db
      .selectFrom('ssm_parameters as p')
      .innerJoin('ssm_parameter_versions as v', (join) =>
        join.onRef('v.name', '=', 'p.name').onRef('v.version', '=', 'p.version'),
      )
      .select(['p.name', 'p.revision', 'p.tags', 'v.version', 'v.value', 'v.labels', 'v.modified_at', 'v.details']);
  }
}

async function applyWrite(trx: Transaction<Database>, change: SsmWrite): Promise<void> {
  const stored = await trx
    .selectFrom('ssm_parameters')
    .select('revision')
    .where('name', '=', change.name)
    .executeTakeFirst();
  if (stored?.revision !== change.expectRevision) throw new StaleRevision();
  if (!change.next) {
    await trx.deleteFrom('ssm_parameter_versions').where('name', '=', change.name).execute();
    await trx.deleteFrom('ssm_parameters').where('name', '=', change.name).execute();
    return;
  }
  const head = {
    revision: (stored?.revision ?? 0) + 1,
    version: change.next.version,
    tags: JSON.stringify(change.next.tags),
  };
  await trx
    .insertInto('ssm_parameters')
    .values({ name: change.name, ...head })
    .onConflict((oc) => oc.column('name').doUpdateSet(head))
    .execute();
  for (const version of change.putVersions ?? []) {
    const row = toVersionRow(change.name, version);
    await trx
      .insertInto('ssm_parameter_versions')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['name', 'version']).doUpdateSet({
          value: row.value,
          labels: row.labels,
          modified_at: row.modified_at,
          details: row.details,
        }),
      )
      .execute();
  }
  const dropped = change.dropVersions ?? [];
  if (dropped.length > 0) {
    await trx
      .deleteFrom('ssm_parameter_versions')
      .where('name', '=', change.name)
      .where('version', 'in', dropped)
      .execute();
  }
}

function safeLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid page limit ${limit}`);
  return limit;
}

function toVersionRow(name: string, record: SsmParameterVersionRecord): SsmParameterVersionsTable {
  return {
    name,
    version: record.version,
    value: record.value,
    labels: JSON.stringify(record.labels),
    modified_at: record.modifiedAt.getTime(),
    details: JSON.stringify(record.details),
  };
}

function fromVersionRow(row: Omit<Selectable<SsmParameterVersionsTable>, 'name'>): SsmParameterVersionRecord {
  return {
    version: Number(row.version),
    value: row.value,
    labels: JSON.parse(row.labels) as string[],
    modifiedAt: new Date(Number(row.modified_at)),
    details: JSON.parse(row.details) as SsmVersionDetails,
  };
}

function fromJoinedRow(
  row: Omit<Selectable<SsmParameterVersionsTable>, 'name'> & { name: string; revision: number; tags: string },
): SsmParameterRecord {
  return {
    name: row.name,
    revision: Number(row.revision),
    tags: JSON.parse(row.tags) as SsmParameterRecord['tags'],
    current: fromVersionRow(row),
  };
}
