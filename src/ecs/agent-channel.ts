import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

/** The key managed (FARGATE) capacity polls with: it runs tasks that have no container instance. */
export const MANAGED_CAPACITY = 'managed';

/**
 * The server side of the assignment channel (docs/agent-channel.md). Agents long-poll for the
 * tasks assigned to them; a poll returns at once when something changed since the token the agent
 * holds, else when something changes or the wait ends. Each poll is also the agent's heartbeat.
 * In memory on purpose: a server restart changes the boot id in the token, so every agent's next
 * poll returns the full state at once.
 */
export class AgentChannel {
  readonly #clock: Clock;
  readonly #heartbeatTimeoutMs: number;
  readonly #boot = randomBytes(4).toString('hex');
  readonly #versions = new Map<string, number>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #lastSeen = new Map<string, number>();
  readonly #since: number;
  #closed = false;

  constructor(clock: Clock, options: { heartbeatTimeoutMs: number }) {
    this.#clock = clock;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs;
    this.#since = clock.now().getTime();
  }

  /** The change token of a key (a container instance id, or MANAGED_CAPACITY). */
  token(key: string): string {
    return `${this.#boot}.${this.#versions.get(key) ?? 0}`;
  }

  /** Something about the tasks of `key` changed: wake its pollers. */
  notify(key: string): void {
    this.#bump(key);
  }

  /** Wakes every waiting poll: their keys may have changed unseen (news from other servers was lost). */
  wakeAll(): void {
    for (const key of [...this.#waiters.keys()]) this.#bump(key);
  }

  #bump(key: string): void {
    this.#versions.set(key, (this.#versions.get(key) ?? 0) + 1);
    const waiters = this.#waiters.get(key);
    if (!waiters) return;
    this.#waiters.delete(key);
    for (const wake of waiters) wake();
  }

  /** Resolves when the key's token differs from `token`, or after `waitMs`, or when the channel closes. */
  async changed(key: string, token: string | undefined, waitMs: number): Promise<void> {
    // Closed (the server is stopping): polls fail instead of answering at once, so a poller backs
    // off rather than spinning.
    if (this.#closed) throw new Error('the agent channel is closed: the server is stopping');
    if (token !== this.token(key)) return;
    await new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(key) ?? new Set<() => void>();
      this.#waiters.set(key, waiters);
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      waiters.add(wake);
    });
  }

  /** Records a heartbeat from an agent. */
  touch(instanceId: string): void {
    this.#lastSeen.set(instanceId, this.#clock.now().getTime());
  }

  /** Whether the agent of an instance was heard from within the heartbeat timeout. */
  isConnected(instanceId: string): boolean {
    const seen = this.#lastSeen.get(instanceId);
    return seen !== undefined && this.#clock.now().getTime() - seen <= this.#heartbeatTimeoutMs;
  }

  /** How long the agent of an instance has been silent (counted from this server's start if never heard). */
  silentForMs(instanceId: string): number {
    return this.#clock.now().getTime() - (this.#lastSeen.get(instanceId) ?? this.#since);
  }

  /** Releases every waiting poll (server shutdown). */
  close(): void {
    this.#closed = true;
    this.wakeAll();
  }
}
