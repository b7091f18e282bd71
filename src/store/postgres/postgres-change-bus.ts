import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ChangeBus } from '../change-bus.ts';

type Listener = (message: string | undefined) => void;
type Notify = (channel: string, payload: string) => Promise<void>;

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD = 7900;
const RECONNECT_MS = [250, 500, 1000, 2000, 5000] as const;

/**
 * The change bus on PostgreSQL: every server LISTENs on one channel per schema on a connection of its
 * own (a pooled one would be handed to queries), and publishes with pg_notify. A message names its
 * origin, and a server ignores its own. When the connection drops, the bus reconnects with backoff
 * and then tells every listener `undefined` (messages may have been missed meanwhile).
 */
export class PostgresChangeBus implements ChangeBus {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #origin = randomBytes(8).toString('hex');
  readonly #notify: Notify;
  readonly #listeners = new Map<string, Set<Listener>>();
  #client: pg.Client | undefined;
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(config: pg.ClientConfig, schema: string, notify: Notify) {
    this.#config = config;
    // One channel per schema (NOTIFY is per database): tests and tenants on other schemas stay apart.
    this.#channel = `berth_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
    this.#notify = notify;
  }

  /** Connects and listens; `notify` sends a NOTIFY (through the store's pool). */
  static async open(config: pg.ClientConfig, options: { schema: string; notify: Notify }): Promise<PostgresChangeBus> {
    const bus = new PostgresChangeBus(config, options.schema, options.notify);
    await bus.#connect();
    return bus;
  }

  publish(topic: string, message: string): void {
    if (this.#closed) return;
    const payload = JSON.stringify({ o: this.#origin, t: topic, m: message });
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new Error(`change message on ${topic} too long for NOTIFY`);
    // Best effort: a lost message is made up for by the receivers' own periodic passes.
    this.#notify(this.#channel, payload).catch(() => {});
  }

  subscribe(topic: string, listener: Listener): () => void {
    const listeners = this.#listeners.get(topic) ?? new Set();
    this.#listeners.set(topic, listeners);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
    await this.#client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    client.on('notification', (notification) => this.#deliver(notification.payload));
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`listen ${this.#channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.#client = client;
  }

  #deliver(payload: string | undefined): void {
    let parsed: { o?: unknown; t?: unknown; m?: unknown };
    try {
      parsed = JSON.parse(payload ?? '') as typeof parsed;
    } catch {
      return;
    }
    if (parsed.o === this.#origin || typeof parsed.t !== 'string' || typeof parsed.m !== 'string') return;
    for (const listener of this.#listeners.get(parsed.t) ?? []) listener(parsed.m);
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.end().catch(() => {});
    this.#reconnect();
  }

  #reconnect(): void {
    const delay = RECONNECT_MS[Math.min(this.#attempt++, RECONNECT_MS.length - 1)];
    this.#timer = setTimeout(() => {
      this.#connect().then(
        () => {
          this.#attempt = 0;
          // Messages sent while the connection was down are gone: every listener hears "anything changed".
          for (const listeners of this.#listeners.values()) for (const listener of listeners) listener(undefined);
        },
        () => this.#reconnect(),
      );
    }, delay);
    this.#timer.unref();
  }
}
