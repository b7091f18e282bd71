import type { ManagedCapacities } from '../ecs/index.ts';
import type { ServerConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { Lease, MetadataStore } from '../store/index.ts';
import { LEASE_DURATION_MS } from './server-leases.ts';

/** The leases of managed capacities: capacity:<name>, held by the server whose engine it is. */
const PREFIX = 'capacity:';
const TICK_MS = 1000;

/**
 * The managed capacities of several servers on one store (ecs/managed-capacities.ts): each server
 * whose Docker engine answers holds a lease named for its capacity (its data folder's name, so a
 * restarted server takes its own back and re-attaches its containers), renewed every second. Every
 * server reads the roster each second: live = lease current; lost = expired longer than
 * BERTH_AGENT_LOST_SECONDS ago, judged by the database's clock.
 */
export class ManagedCapacityRoster implements ManagedCapacities {
  readonly #store: MetadataStore;
  readonly #lostAfterMs: number;
  readonly #logger: Logger;
  #leases = new Map<string, Lease>();
  /** The database's now at the last read, and this process's clock then (to advance it between reads). */
  #dbNow = 0;
  #readAtMs = 0;
  #own: string | undefined;
  readonly #timer: NodeJS.Timeout;
  #tick: Promise<void> | undefined;

  constructor(store: MetadataStore, options: { lostAfterMs: number; logger: Logger }) {
    this.#store = store;
    this.#lostAfterMs = options.lostAfterMs;
    this.#logger = options.logger;
    this.#timer = setInterval(() => {
      this.#tick ??= this.refresh()
        .catch((error: unknown) => this.#logger.warn({ err: String(error) }, 'managed capacity roster: read failed'))
        .finally(() => (this.#tick = undefined));
    }, TICK_MS);
    this.#timer.unref();
  }

  /** This server's engine takes FARGATE tasks as `capacity` from now on (announced at once). */
  async join(capacity: string): Promise<void> {
    this.#own = capacity;
    await this.refresh();
  }

  live(): readonly string[] {
    const now = this.#now();
    return [...this.#leases.values()]
      .filter((lease) => lease.expiresAt > now)
      .map((lease) => lease.name.slice(PREFIX.length))
      .sort();
  }

  lost(capacity: string): boolean {
    const lease = this.#leases.get(PREFIX + capacity);
    return lease !== undefined && this.#now() - lease.expiresAt > this.#lostAfterMs;
  }

  /** Renews this server's capacity (if it joined) and reads every capacity's lease. */
  async refresh(): Promise<void> {
    if (this.#own !== undefined) {
      // The same holder re-acquiring its own lease renews it (or takes it back once lapsed).
      const name = PREFIX + this.#own;
      const lease = await this.#store.leases.acquire({ name, holder: this.#own, durationMs: LEASE_DURATION_MS });
      if (!lease) this.#logger.warn({ capacity: this.#own }, 'managed capacity: another server holds its name');
    }
    const { now, leases } = await this.#store.leases.list(PREFIX);
    this.#leases = new Map(leases.map((lease) => [lease.name, lease]));
    this.#dbNow = now;
    this.#readAtMs = Date.now();
  }

  /** Stops announcing and reading (the lease lapses: after the lost delay the others replace its tasks). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#own = undefined;
    await this.#tick;
  }

  #now(): number {
    return this.#dbNow + (Date.now() - this.#readAtMs);
  }
}

/** The roster among several servers (lost after BERTH_AGENT_LOST_SECONDS); none for a server alone on its store. */
export function managedCapacityRoster(
  store: MetadataStore,
  config: Pick<ServerConfig, 'store' | 'agentLostSeconds'>,
  logger: Logger,
): ManagedCapacityRoster | undefined {
  if (config.store.kind !== 'postgres' || !config.store.multiServer) return undefined;
  return new ManagedCapacityRoster(store, { lostAfterMs: config.agentLostSeconds * 1000, logger });
}
