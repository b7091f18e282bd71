/** Time comes from a Clock argument, so tests can move it instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  #ms: number;
  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(to: Date | string): void {
    this.#ms = new Date(to).getTime();
  }
}

/**
 * A time scale over a base clock: `speedup` times faster than it from the moment it is made (the
 * two agree at that instant). Metrics time (BERTH_METRICS_MINUTE_MS) is such a scale; at 1 it is
 * the base clock itself, nothing converted.
 */
export interface TimeScale {
  /** The scaled clock: `base` itself when the speedup is 1. */
  readonly clock: Clock;
  /** How many times faster than the base clock it goes (1: the same clock). */
  readonly speedup: number;
  /** The scaled instant of an instant of the base clock (a time an agent or a client stamped). */
  scaled(at: Date): Date;
  /** How many base-clock milliseconds `scaledMs` of the scaled clock last (at least 1). */
  baseMs(scaledMs: number): number;
}

export function timeScale(base: Clock, speedup: number): TimeScale {
  if (!(speedup >= 1) || !Number.isFinite(speedup)) throw new RangeError(`a time scale speeds up (got ${speedup})`);
  if (speedup === 1) return { clock: base, speedup, scaled: (at) => at, baseMs: (ms) => Math.max(1, ms) };
  const origin = base.now().getTime();
  const scaled = (at: Date): Date => new Date(origin + Math.round((at.getTime() - origin) * speedup));
  return {
    clock: { now: () => scaled(base.now()) },
    speedup,
    scaled,
    baseMs: (ms) => Math.max(1, Math.round(ms / speedup)),
  };
}
