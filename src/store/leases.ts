/*
 * Leases (issue #21): a named row with a holder, an epoch and an expiry, as Kubernetes' Lease
 * objects (coordination.k8s.io: holderIdentity, leaseTransitions, renewTime + leaseDurationSeconds).
 * A server holds a lease while it renews it before the expiry; once the expiry has passed, anyone may
 * take it over, and a takeover increments the epoch. Every write a lease holder makes carries the
 * epoch it holds (a fencing token, see fencing.ts), so a holder that paused past its expiry cannot
 * write over its successor. Times are the database's clock (epoch milliseconds), never a server's.
 *
 * The decisions are pure functions of the stored row and the database's now; the repositories
 * (lease-repository.ts) read the row, decide, and write in one transaction.
 */

export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** 1 at the first acquisition; +1 at each one after (takeover, or re-acquisition once lapsed). */
  readonly epoch: number;
  readonly acquiredAt: number;
  readonly renewedAt: number;
  /** Free for anyone from this instant on (database clock). */
  readonly expiresAt: number;
}

export interface LeaseClaim {
  readonly name: string;
  readonly holder: string;
  readonly durationMs: number;
}

export type LeaseDecision =
  | { readonly granted: true; readonly lease: Lease; readonly takeover: boolean }
  | { readonly granted: false; readonly lease: Lease };

/** Whether the lease is held (by anyone) at `now`. */
export function isHeld(lease: Lease, now: number): boolean {
  return lease.expiresAt > now;
}

/**
 * Acquisition. Granted when the lease is new, has lapsed, or is the claimant's and still held (then
 * it is a renewal: same epoch). `preempt` grants it whatever its state: a server that owns its
 * database outright (SQLite) is the only possible holder, and a previous holder is a previous run
 * of the same server.
 */
export function decideAcquire(
  current: Lease | undefined,
  claim: LeaseClaim,
  options: { now: number; preempt?: boolean },
): LeaseDecision {
  const { now } = options;
  const expiresAt = now + claim.durationMs;
  if (current === undefined) {
    const lease = { name: claim.name, holder: claim.holder, epoch: 1, acquiredAt: now, renewedAt: now, expiresAt };
    return { granted: true, lease, takeover: true };
  }
  if (current.holder === claim.holder && isHeld(current, now)) {
    return { granted: true, lease: { ...current, renewedAt: now, expiresAt }, takeover: false };
  }
  if (isHeld(current, now) && options.preempt !== true) return { granted: false, lease: current };
  const lease = {
    ...current,
    holder: claim.holder,
    epoch: current.epoch + 1,
    acquiredAt: now,
    renewedAt: now,
    expiresAt,
  };
  return { granted: true, lease, takeover: true };
}

/**
 * Renewal by the holder of `held`: granted while nobody took the lease over (same holder, same
 * epoch), even past its expiry — the epoch proves nobody else wrote under it meanwhile.
 */
export function decideRenew(
  current: Lease | undefined,
  held: Pick<Lease, 'holder' | 'epoch'>,
  options: { now: number; durationMs: number },
): LeaseDecision | undefined {
  if (current === undefined) return undefined;
  if (current.holder !== held.holder || current.epoch !== held.epoch) return { granted: false, lease: current };
  return {
    granted: true,
    lease: { ...current, renewedAt: options.now, expiresAt: options.now + options.durationMs },
    takeover: false,
  };
}

/** Release: the holder lets it lapse now, so the next claimant need not wait; else nothing changes. */
export function decideRelease(
  current: Lease | undefined,
  held: Pick<Lease, 'holder' | 'epoch'>,
  options: { now: number },
): Lease | undefined {
  if (current === undefined || current.holder !== held.holder || current.epoch !== held.epoch) return undefined;
  return { ...current, expiresAt: Math.min(current.expiresAt, options.now) };
}

/** What a holder renews and takes in a sharded lease set (one lease per shard, e.g. per cluster). */
export interface ShardPlan {
  /** Shards to try to acquire: free or lapsed, up to the fair share. */
  readonly acquire: readonly string[];
  /** Shards held beyond the fair share, let go so a newcomer finds some free. */
  readonly release: readonly string[];
}

/**
 * Which shards a server should take or let go: fair share = ceil(shards / live servers). It keeps
 * what it holds up to the fair share, releases the rest, and takes free or lapsed shards until it
 * holds its share. `leases` are the shards' current rows (by shard name), `servers` the number of
 * live servers (at least 1: this one).
 */
export function planShards(input: {
  readonly shards: readonly string[];
  readonly leases: ReadonlyMap<string, Lease>;
  readonly holder: string;
  readonly servers: number;
  readonly now: number;
}): ShardPlan {
  const { shards, leases, holder, now } = input;
  const fair = Math.ceil(shards.length / Math.max(1, input.servers));
  const mine = shards.filter((s) => {
    const lease = leases.get(s);
    return lease !== undefined && lease.holder === holder && isHeld(lease, now);
  });
  const release = mine.slice(fair);
  const free = shards.filter((s) => {
    const lease = leases.get(s);
    return lease === undefined || !isHeld(lease, now);
  });
  const acquire = free.slice(0, Math.max(0, fair - mine.length));
  return { acquire, release };
}
