/**
 * Changes one server tells the others about (issue #21): which agents' long polls to wake, that a
 * service changed (scheduler wake-up), that the load balancers' configuration changed, which cached
 * rows to read again. PostgreSQL carries them with LISTEN/NOTIFY (postgres/postgres-change-bus.ts);
 * SQLite has one server, and an in-process bus.
 *
 * Delivery is at most once and best effort: a listener gets `undefined` when messages may have been
 * missed (the connection dropped and came back), and must then assume anything on its topic changed.
 */
export interface ChangeBus {
  /** Tells the other servers (never this one: its own code already acted). */
  publish(topic: string, message: string): void;
  /** Listens to the other servers' messages on `topic`; returns the unsubscribe function. */
  subscribe(topic: string, listener: (message: string | undefined) => void): () => void;
  close(): Promise<void>;
}

/** Topics the servers use. */
export const CHANGE_TOPICS = {
  /** A container instance id or 'managed': wake its agents' long polls. */
  agents: 'agents',
  /** A container instance id whose agent polled this server (a heartbeat the others record). */
  heartbeats: 'heartbeats',
  /** A service changed: run the scheduler soon. */
  services: 'services',
  /** ELBv2 resources changed: hand the data plane the stored configuration again. */
  loadBalancers: 'elb',
  /** A server wrote what its `berth lb` processes report of target health: read it again. */
  targetHealth: 'target-health',
  /** A store cache to drop ('registry-settings', 'container-instances'). */
  caches: 'caches',
} as const;

/**
 * The bus between servers in one process: each `peer()` is one server's end, and a message goes to
 * every other end. SqliteStore's bus has no peers (one server per database file), so publishing is
 * a no-op there; tests connect several ends.
 */
export class InProcessChangeBus implements ChangeBus {
  readonly #hub: Set<InProcessChangeBus>;
  readonly #listeners = new Map<string, Set<(message: string | undefined) => void>>();

  constructor(hub: Set<InProcessChangeBus> = new Set()) {
    this.#hub = hub;
    hub.add(this);
  }

  /** Another server's end of the same bus. */
  peer(): InProcessChangeBus {
    return new InProcessChangeBus(this.#hub);
  }

  publish(topic: string, message: string): void {
    for (const end of this.#hub) {
      if (end === this) continue;
      for (const listener of end.#listeners.get(topic) ?? []) queueMicrotask(() => listener(message));
    }
  }

  subscribe(topic: string, listener: (message: string | undefined) => void): () => void {
    const listeners = this.#listeners.get(topic) ?? new Set();
    this.#listeners.set(topic, listeners);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#hub.delete(this);
    this.#listeners.clear();
    return Promise.resolve();
  }
}
