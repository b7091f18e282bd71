import { readFileSync } from 'node:fs';

/**
 * The listeners' limits on client connections and on how long a request head may take, and the
 * defaults for them. Every client connection can hold two descriptors (its own socket and one to
 * a target), and the process shares its descriptors with the API, the registry and the store: so
 * all listeners together stay well below the soft RLIMIT_NOFILE, and each listener has a cap of
 * its own so one busy load balancer cannot starve the others.
 */

/** A request head must arrive whole within this long (ALB's default idle timeout is 60 s too). */
export const DEFAULT_HEADER_TIMEOUT_MS = 60_000;
/** Client connections one listener holds at most. */
export const DEFAULT_MAX_CONNECTIONS_PER_LISTENER = 4096;
/** Client connections all listeners hold at most when the descriptor limit cannot be read. */
export const FALLBACK_MAX_CONNECTIONS = 8192;

/**
 * The soft RLIMIT_NOFILE, from Linux's /proc/self/limits (Node has no getrlimit; it raises the
 * soft limit to the hard one at start, so this is what the process really has). Undefined where
 * that file does not exist, or for "unlimited".
 */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'latin1');
    } catch {
      return undefined;
    }
  }
  const line = text.split('\n').find((row) => row.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

/**
 * How many client connections all listeners may hold together, given the descriptor limit: a
 * quarter of the descriptors (at least 256) stays for the API, the registry, the store and health
 * checks, and each connection counts twice (client and target sockets).
 *   20,000 descriptors: (20,000 - 5,000) / 2 = 7,500 connections; 1,024: (1,024 - 256) / 2 = 384.
 */
export function maxConnectionsFor(fileLimit: number | undefined): number {
  if (fileLimit === undefined) return FALLBACK_MAX_CONNECTIONS;
  const reserved = Math.max(256, Math.floor(fileLimit / 4));
  return Math.max(1, Math.floor((fileLimit - reserved) / 2));
}

/** Client connections open across all listeners of a data plane, against their shared cap. */
export class ConnectionBudget {
  readonly max: number;
  #open = 0;

  constructor(max: number) {
    this.max = max;
  }

  get open(): number {
    return this.#open;
  }

  /** Takes a place for a new connection; false when all are taken. */
  take(): boolean {
    if (this.#open >= this.max) return false;
    this.#open++;
    return true;
  }

  give(): void {
    this.#open--;
  }
}

/** What every listener of a data plane applies. */
export interface ListenerLimits {
  readonly headerTimeoutMs: number;
  readonly maxConnectionsPerListener: number;
  readonly budget: ConnectionBudget;
}
