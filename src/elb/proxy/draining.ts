/**
 * Deregistration delay, as AWS documents it: a deregistered target gets no new requests, its
 * in-flight requests (and upgraded connections) may finish, and it is gone as soon as it has none
 * left or once the delay has passed, whichever comes first. At the deadline whatever is still in
 * flight is cut.
 */

export interface DrainingTarget {
  /** Requests and upgraded connections in flight. */
  readonly inFlight: number;
  /** Set when draining starts; undefined while registered. */
  drainDeadlineMs: number | undefined;
}

export function isDraining(target: DrainingTarget): boolean {
  return target.drainDeadlineMs !== undefined;
}

/** True once a draining target can go: nothing in flight, or the deadline has passed. */
export function isDrained(target: DrainingTarget, nowMs: number): boolean {
  if (target.drainDeadlineMs === undefined) return false;
  return target.inFlight === 0 || nowMs >= target.drainDeadlineMs;
}

/**
 * Tracks draining targets: `start` marks one, `settle` is called whenever a target's in-flight
 * count drops, and `onGone` runs exactly once per target when it is drained.
 */
export class Drainer<T extends DrainingTarget> {
  readonly #timers = new Map<T, NodeJS.Timeout>();
  readonly #now: () => number;
  readonly #onGone: (target: T) => void;

  constructor(options: { now: () => number; onGone: (target: T) => void }) {
    this.#now = options.now;
    this.#onGone = options.onGone;
  }

  get size(): number {
    return this.#timers.size;
  }

  start(target: T, delaySeconds: number): void {
    if (this.#timers.has(target)) return;
    const delayMs = Math.max(0, delaySeconds * 1000);
    target.drainDeadlineMs = this.#now() + delayMs;
    const timer = setTimeout(() => this.#gone(target), delayMs);
    timer.unref();
    this.#timers.set(target, timer);
    this.settle(target);
  }

  /** Re-registered while draining: it stays, and serves new requests again. */
  cancel(target: T): void {
    const timer = this.#timers.get(target);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(target);
    target.drainDeadlineMs = undefined;
  }

  settle(target: T): void {
    if (this.#timers.has(target) && isDrained(target, this.#now())) this.#gone(target);
  }

  /** Ends every drain now (the data plane is closing). */
  finishAll(): void {
    for (const target of [...this.#timers.keys()]) this.#gone(target);
  }

  #gone(target: T): void {
    const timer = this.#timers.get(target);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(target);
    this.#onGone(target);
  }
}
