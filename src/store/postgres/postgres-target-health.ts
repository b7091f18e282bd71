import { sql, type Kysely } from 'kysely';
import { postgresNow as NOW } from '../sqlite/sqlite-leases.ts';
import type { ReportedTargetHealth, TargetHealthRepository } from '../target-health-repository.ts';

interface TargetHealthTables {
  lb_target_health: {
    lb_id: string;
    target_group_arn: string;
    targets: string;
    first_seen: number | string;
    reported_at: number | string;
  };
}

/** Rows of an lb not heard from for this long are deleted as others report. */
const FORGET_AFTER_MS = 600_000;

/** Target health shared by the servers on PostgreSQL (migrations/0029-lb-target-health.ts). */
export class PostgresTargetHealth implements TargetHealthRepository {
  readonly #db: Kysely<TargetHealthTables>;

  constructor(db: object) {
    this.#db = db as Kysely<TargetHealthTables>; // its table is not in Database: this migration is its own
  }

  async report(lbId: string, health: Readonly<Record<string, readonly unknown[]>>): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('lb_target_health')
        .select(sql<number | string | null>`min(first_seen)`.as('first'))
        .where('lb_id', '=', lbId)
        .executeTakeFirst();
      await trx.deleteFrom('lb_target_health').where('lb_id', '=', lbId).execute();
      await trx
        .deleteFrom('lb_target_health')
        .where('reported_at', '<', sql<number>`${NOW} - ${FORGET_AFTER_MS}`)
        .execute();
      const rows = Object.entries(health).map(([targetGroupArn, targets]) => ({
        lb_id: lbId,
        target_group_arn: targetGroupArn,
        targets: JSON.stringify(targets),
        first_seen: before?.first === null || before?.first === undefined ? NOW : Number(before.first),
        reported_at: NOW,
      }));
      if (rows.length > 0) await trx.insertInto('lb_target_health').values(rows).execute();
    });
  }

  async live(liveWithinMs: number): Promise<ReportedTargetHealth[]> {
    const rows = await this.#db
      .selectFrom('lb_target_health')
      .select(['lb_id', 'target_group_arn', 'targets', 'first_seen'])
      .where('reported_at', '>', sql<number>`${NOW} - ${liveWithinMs}`)
      .orderBy('first_seen')
      .orderBy('lb_id')
      .execute();
    return rows.map((r) => ({
      lbId: r.lb_id,
      targetGroupArn: r.target_group_arn,
      targets: JSON.parse(r.targets) as unknown[],
      firstSeen: Number(r.first_seen),
    }));
  }
}
