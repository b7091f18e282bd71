import { Counter, Gauge, type Registry } from 'prom-client';
import { Metrics } from '../http/metrics.ts';
import type { ServerLeases } from './server-leases.ts';

/** What /readyz answers, beside its status: each check, and among several servers this one's leases. */
export interface Readiness {
  readonly ready: boolean;
  readonly details: object;
}

/**
 * /readyz: ready while the server is not closing, its data volume takes writes, its store answers
 * (PostgreSQL reached), and, among several servers, its presence lease is current (renewed within
 * the lease's duration; a server cut off from PostgreSQL loses it). The loops and clusters it
 * holds are listed, with their epochs: holding none is normal for a server beside others.
 */
export function serverReadiness(parts: {
  readonly closing: () => boolean;
  readonly volume: { readonly writable: boolean };
  readonly store: { ping(): Promise<void> };
  readonly leases: ServerLeases | undefined;
}): () => Promise<Readiness> {
  return async () => {
    const store = await parts.store.ping().then(
      () => 'reachable',
      (error: unknown) => `unreachable: ${(error as Error).message}`,
    );
    const leases = parts.leases?.readiness();
    const ready = !parts.closing() && parts.volume.writable && store === 'reachable' && (leases?.present ?? true);
    const details = {
      store,
      volume: parts.volume.writable ? 'writable' : 'not writable',
      ...(parts.closing() ? { closing: true } : {}),
      ...(leases ? { leases } : {}),
    };
    return { ready, details };
  };
}

/** The server's /metrics: requests and the process's, and among several servers its leases'. */
export function serverMetrics(leases: ServerLeases | undefined): Metrics {
  const metrics = new Metrics();
  if (leases) registerLeaseMetrics(metrics.registry, leases);
  return metrics;
}

/**
 * Lease metrics for /metrics among several servers, read at each scrape: per lease, whether this
 * server holds it and its epoch (from the store, so every server shows every lease), the live
 * servers, and this server's takeovers (acquisitions of a lease someone held before: a dead
 * holder's, or one released at a clean stop or a rebalance) and losses.
 */
export function registerLeaseMetrics(registry: Registry, leases: ServerLeases): void {
  const read = () => leases.all();
  let snapshot: Promise<Awaited<ReturnType<typeof read>>> | undefined;
  // The gauges share one read per scrape.
  const rows = () => (snapshot ??= read().finally(() => setTimeout(() => (snapshot = undefined), 100)));
  new Gauge({
    name: 'berth_lease_held',
    help: 'Whether this server holds the lease (1) or not (0), per lease.',
    labelNames: ['lease'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { now, leases: all } = await rows();
      for (const lease of all) {
        // Presence, and managed capacities (held by a capacity's name, not a server's): not work leases.
        if (lease.name.startsWith('server:') || lease.name.startsWith('capacity:')) continue;
        this.set({ lease: lease.name }, lease.holder === leases.holder && lease.expiresAt > now ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'berth_lease_epoch',
    help: "The lease's epoch (its fencing token: +1 at each change of holder), per lease.",
    labelNames: ['lease'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const lease of (await rows()).leases) {
        if (!lease.name.startsWith('server:')) this.set({ lease: lease.name }, lease.epoch);
      }
    },
  });
  new Gauge({
    name: 'berth_servers_live',
    help: 'Servers whose presence lease is current (they share this store).',
    registers: [registry],
    async collect() {
      const { now, leases: all } = await rows();
      this.set(all.filter((l) => l.name.startsWith('server:') && l.expiresAt > now).length);
    },
  });
  const counter = (name: string, help: string, counts: ReadonlyMap<string, number>) =>
    new Counter({
      name,
      help,
      labelNames: ['lease'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [lease, count] of counts) this.inc({ lease }, count);
      },
    });
  counter(
    'berth_lease_takeovers_total',
    'Leases this server acquired after another holder (failovers, and hand-overs after a release).',
    leases.takeovers,
  );
  counter('berth_lease_losses_total', 'Leases this server lost to another server.', leases.losses);
}
