import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LeaseLostError, planShards, withFence, type Lease, type LeaseRepository } from '../store/index.ts';
import type { ClusterShards } from '../ecs/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { LoopLease } from './periodic.ts';

/** How long a lease lasts unrenewed: a dead holder's work moves within this (plus one tick). */
export const LEASE_DURATION_MS = 5000;
/** Held leases are renewed this often (Kubernetes' retry period, against its 15 s lease). */
const RENEW_INTERVAL_MS = 1000;

const SERVER = 'server:';
const LOOP = 'loop:';
const CLUSTER = 'cluster:';

/**
 * One server's leases when several share a PostgreSQL store (issue #21; docs/multi-server.md):
 * its presence (server:<holder>, what the others count for their fair share), the singleton loops
 * it won (loop:<name>), and the service scheduler's clusters (cluster:<name>), up to a fair share.
 * A background tick renews what it holds and tries for the singletons; the scheduler pass takes its
 * clusters (shards). Each piece of work runs under its lease's fence (store/fencing.ts), so the
 * writes of a holder that paused past its expiry fail instead of landing over its successor's.
 */
export class ServerLeases implements LoopLease {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #repo: LeaseRepository;
  readonly #logger: Logger;
  readonly #loops: readonly string[];
  readonly #durationMs: number;
  /** What this server holds: lease name → the lease and when (this server's clock) it last renewed it. */
  readonly #held = new Map<string, { lease: Lease; renewedAtMs: number }>();
  /** Per lease: how often this server took it from a previous holder (epoch > 1), and lost it. */
  readonly takeovers = new Map<string, number>();
  readonly losses = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;

  constructor(repo: LeaseRepository, options: { logger: Logger; loops: readonly string[]; durationMs?: number }) {
    this.#repo = repo;
    this.#logger = options.logger;
    this.#loops = options.loops;
    this.#durationMs = options.durationMs ?? LEASE_DURATION_MS;
  }

  /** Announces this server and takes the singleton leases it can, then keeps them renewed. */
  async start(): Promise<void> {
    await this.#renewAndClaim();
    this.#timer = setInterval(() => {
      this.#tick ??= this.#renewAndClaim()
        .catch((error: unknown) => this.#logger.warn({ err: String(error) }, 'lease renewal failed'))
        .finally(() => (this.#tick = undefined));
    }, RENEW_INTERVAL_MS);
    this.#timer.unref();
  }

  /** LoopLease: runs a loop's timed work here only while this server holds its lease, fenced. */
  run<T>(loop: string, work: () => Promise<T>): Promise<T | undefined> {
    const lease = this.#current(LOOP + loop);
    return lease ? this.#fenced(lease, work) : Promise.resolve(undefined);
  }

  /** The scheduler's sharding: takes (and lets go of) clusters toward a fair share, runs the ones held. */
  readonly shards: ClusterShards = async (clusters, reconcile) => {
    const { now, leases } = await this.#repo.list(CLUSTER);
    const { leases: servers } = await this.#repo.list(SERVER);
    const byCluster = new Map(leases.map((l) => [l.name.slice(CLUSTER.length), l]));
    const live = servers.filter((s) => s.expiresAt > now).length;
    const plan = planShards({ shards: clusters, leases: byCluster, holder: this.holder, servers: live, now });
    for (const cluster of plan.release) await this.#release(CLUSTER + cluster);
    for (const cluster of plan.acquire) await this.#acquire(CLUSTER + cluster);
    for (const cluster of clusters) {
      const lease = this.#current(CLUSTER + cluster);
      if (lease) await this.#fenced(lease, () => reconcile(cluster));
    }
  };

  /** Names of the leases held now (for /readyz and logs). */
  held(): string[] {
    return [...this.#held.keys()].filter((name) => this.#current(name) !== undefined);
  }

  /** The leases held now with their epochs, and whether this server's presence is current (/readyz). */
  readiness(): { holder: string; present: boolean; held: { name: string; epoch: number }[] } {
    const held = this.held().map((name) => ({ name, epoch: this.#held.get(name)!.lease.epoch }));
    return { holder: this.holder, present: this.#current(SERVER + this.holder) !== undefined, held };
  }

  /** Every lease's row as the store has it now (its database clock's now beside): for /metrics. */
  all(): Promise<{ now: number; leases: Lease[] }> {
    return this.#repo.list('');
  }

  /** Stops renewing and releases everything, so the others take over at once rather than after the expiry. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
    for (const name of [...this.#held.keys()]) await this.#release(name).catch(() => {});
  }

  async #renewAndClaim(): Promise<void> {
    for (const [name, { lease }] of [...this.#held]) {
      const renewed = await this.#repo.renew(lease, this.#durationMs);
      if (renewed) this.#held.set(name, { lease: renewed, renewedAtMs: Date.now() });
      else this.#lost(name);
    }
    if (!this.#held.has(SERVER + this.holder)) await this.#acquire(SERVER + this.holder);
    for (const loop of this.#loops) if (!this.#held.has(LOOP + loop)) await this.#acquire(LOOP + loop);
  }

  async #acquire(name: string): Promise<void> {
    const lease = await this.#repo.acquire({ name, holder: this.holder, durationMs: this.#durationMs });
    if (!lease) return;
    this.#held.set(name, { lease, renewedAtMs: Date.now() });
    if (name.startsWith(SERVER)) return;
    // Epoch 1 is the lease's first holder; after that, someone held it before (dead, or released it).
    if (lease.epoch > 1) this.takeovers.set(name, (this.takeovers.get(name) ?? 0) + 1);
    this.#logger.info({ lease: name, epoch: lease.epoch }, 'lease acquired');
  }

  async #release(name: string): Promise<void> {
    const held = this.#held.get(name);
    this.#held.delete(name);
    if (held) await this.#repo.release(held.lease);
  }

  #lost(name: string): void {
    const held = this.#held.get(name);
    this.#held.delete(name);
    if (!held) return;
    this.losses.set(name, (this.losses.get(name) ?? 0) + 1);
    this.#logger.warn({ lease: name, epoch: held.lease.epoch }, 'lease lost to another server');
  }

  /**
   * A held lease, unless this server has not renewed it for a whole lease duration (the database
   * unreachable, the process paused): then another server may hold it already, and work here would
   * only be refused by the fence.
   */
  #current(name: string): Lease | undefined {
    const held = this.#held.get(name);
    return held && Date.now() - held.renewedAtMs < this.#durationMs ? held.lease : undefined;
  }

  async #fenced<T>(lease: Lease, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withFence(lease, work);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.#lost(lease.name);
      return undefined;
    }
  }
}
