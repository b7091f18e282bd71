import type { Kysely } from 'kysely';
import type {
  ApplicationAutoScalingRepository,
  AutoScalingKind,
  AutoScalingRecord,
} from '../application-autoscaling-repository.ts';
import type { AutoScalingRecordsTable } from './sqlite-application-autoscaling-schema.ts';
import type { Database } from './schema.ts';

class StaleRevision extends Error {}

/** Application Auto Scaling's records in portable Kysely (SQLite and PostgreSQL). */
export class SqliteApplicationAutoScaling implements ApplicationAutoScalingRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(kind: AutoScalingKind, id: string): Promise<AutoScalingRecord | undefined> {
    const row = await this.#db
      .selectFrom('autoscaling_records')
      .selectAll()
      .where('kind', '=', kind)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && record(row);
  }

  async list(kind: AutoScalingKind, options: { target?: string } = {}): Promise<AutoScalingRecord[]> {
    let query = this.#db.selectFrom('autoscaling_records').selectAll().where('kind', '=', kind);
    if (options.target !== undefined) query = query.where('target', '=', options.target);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(record);
  }

  async write(
    item: Omit<AutoScalingRecord, 'revision'>,
    options: { expectRevision: number | undefined },
  ): Promise<boolean> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        const stored = await trx
          .selectFrom('autoscaling_records')
          .select('revision')
          .where('kind', '=', item.kind)
          .where('id', '=', item.id)
          .executeTakeFirst();
        if (stored?.revision !== options.expectRevision) throw new StaleRevision();
        const body = JSON.stringify(item.body);
        if (stored === undefined) {
          await trx
            .insertInto('autoscaling_records')
            .values({
              kind: item.kind,
              id: item.id,
              target: item.target,
              created_at: item.createdAt,
              revision: 1,
              body,
            })
            .execute();
        } else {
          await trx
            .updateTable('autoscaling_records')
            .set({ revision: stored.revision + 1, body, target: item.target })
            .where('kind', '=', item.kind)
            .where('id', '=', item.id)
            .execute();
        }
      });
      return true;
    } catch (error) {
      if (error instanceof StaleRevision) return false;
      throw error;
    }
  }

  async delete(kind: AutoScalingKind, id: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('autoscaling_records')
      .where('kind', '=', kind)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteOfTarget(target: string, kinds: readonly AutoScalingKind[]): Promise<void> {
    if (kinds.length === 0) return;
    await this.#db
      .deleteFrom('autoscaling_records')
      .where('target', '=', target)
      .where('kind', 'in', [...kinds])
      .execute();
  }

  async pruneActivities(before: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('autoscaling_records')
      .where('kind', '=', 'activity')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function record(row: AutoScalingRecordsTable): AutoScalingRecord {
  return {
    kind: row.kind as AutoScalingKind,
    id: row.id,
    target: row.target,
    createdAt: Number(row.created_at),
    revision: Number(row.revision),
    body: JSON.parse(row.body) as Record<string, unknown>,
  };
}
