import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { LeaseLostError, withoutFence, type FenceToken } from '../fencing.ts';
import type { LeaseRepository } from '../lease-repository.ts';
import type { Database } from './schema.ts';
import { decideAcquire, decideRelease, decideRenew, type Lease, type LeaseClaim } from '../leases.ts';

/** Kysely's view of the leases table (migrations/0025-leases.ts). */
export type LeasesTable = {
  name: string;
  holder: string;
  epoch: number;
  acquired_at: number;
  renewed_at: number;
  expires_at: number;
};

// Type aliases, not interfaces: Kysely's withTables wants an index-signature-compatible shape.
export type LeaseTables = { leases: LeasesTable };

/** The database's clock in epoch milliseconds: what every lease decision is judged by. */
export const sqliteNow: RawBuilder<number> = sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
export const postgresNow: RawBuilder<number> = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::int8`;

/**
 * The lease repository in portable Kysely: each call reads the row and the database's now, decides
 * (leases.ts) and writes, in one transaction (SERIALIZABLE on PostgreSQL, so two claimants racing
 * for one lease cannot both win). SqliteStore passes `preempt`: it owns its file alone, so it is
 * the only possible holder, and acquisition always succeeds (a new epoch for a new run).
 */
export class SqliteLeases implements LeaseRepository {
  readonly #db: Kysely<LeaseTables>;
  readonly #now: RawBuilder<number>;
  readonly #preempt: boolean;

  constructor(db: Kysely<Database>, options: { now: RawBuilder<number>; preempt: boolean }) {
    this.#db = db.withTables<LeaseTables>();
    this.#now = options.now;
    this.#preempt = options.preempt;
  }

  acquire(claim: LeaseClaim): Promise<Lease | undefined> {
    return this.#decide(claim.name, (current, now) => {
      const decision = decideAcquire(current, claim, { now, preempt: this.#preempt });
      return decision.granted ? decision.lease : undefined;
    });
  }

  renew(held: Lease, durationMs: number): Promise<Lease | undefined> {
    return this.#decide(held.name, (current, now) => {
      const decision = decideRenew(current, held, { now, durationMs });
      return decision?.granted ? decision.lease : undefined;
    });
  }

  async release(held: Lease): Promise<void> {
    await this.#decide(held.name, (current, now) => decideRelease(current, held, { now }));
  }

  async list(prefix: string): Promise<{ now: number; leases: Lease[] }> {
    // Lease calls are never fenced themselves (a holder renews outside the writes it fences).
    return withoutFence(() => this.#db.transaction()).execute(async (trx) => {
      const now = await nowOf(trx, this.#now);
      const rows = await trx
        .selectFrom('leases')
        .selectAll()
        .where('name', '>=', prefix)
        .where('name', '<', `${prefix}\u{10ffff}`)
        .orderBy('name')
        .execute();
      return { now, leases: rows.map(toLease) };
    });
  }

  /** Reads the row, lets `decide` pick the next one (undefined: no change), writes it. */
  #decide(name: string, decide: (current: Lease | undefined, now: number) => Lease | undefined) {
    return withoutFence(() => this.#db.transaction()).execute(async (trx) => {
      const now = await nowOf(trx, this.#now);
      const row = await trx.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
      const current = row && toLease(row);
      const next = decide(current, now);
      if (next === undefined) return undefined;
      const values = {
        holder: next.holder,
        epoch: next.epoch,
        acquired_at: next.acquiredAt,
        renewed_at: next.renewedAt,
        expires_at: next.expiresAt,
      };
      if (current !== undefined) {
        await trx.updateTable('leases').set(values).where('name', '=', name).execute();
        return next;
      }
      // A claimant racing for a lease nobody held yet: the first insert wins, the others are refused.
      const inserted = await trx
        .insertInto('leases')
        .values({ name, ...values })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 ? next : undefined;
    });
  }
}

/**
 * The fence check (fencing.ts), in the caller's transaction: the lease still has this holder and
 * epoch. On PostgreSQL the read joins the SERIALIZABLE transaction's reads, so a takeover committed
 * meanwhile aborts the write (and its retry then sees the new epoch).
 */
export async function checkFence<DB>(trx: Kysely<DB>, fence: FenceToken): Promise<void> {
  // The leases table is not in every caller's view of the schema (SerializableKysely is generic).
  const row = await (trx as unknown as Kysely<LeaseTables>)
    .selectFrom('leases')
    .select('epoch')
    .where('name', '=', fence.name)
    .where('holder', '=', fence.holder)
    .where('epoch', '=', fence.epoch)
    .executeTakeFirst();
  if (row === undefined) throw new LeaseLostError(fence);
}

async function nowOf(trx: Kysely<LeaseTables>, now: RawBuilder<number>): Promise<number> {
  const { rows } = await sql<{ now: number }>`select ${now} as now`.execute(trx);
  return Number(rows[0]!.now);
}

function toLease(row: Selectable<LeasesTable>): Lease {
  return {
    name: row.name,
    holder: row.holder,
    epoch: Number(row.epoch),
    acquiredAt: Number(row.acquired_at),
    renewedAt: Number(row.renewed_at),
    expiresAt: Number(row.expires_at),
  };
}
