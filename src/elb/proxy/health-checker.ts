import { request } from 'node:http';
import type { HealthCheckConfig } from '../data-plane-contract.ts';

/**
 * Active health checks. The state machine (`nextHealth`) and the matcher are pure; `probe` does
 * one HTTP check and `HealthChecker` runs a check per target every interval.
 */

/** ELBv2 matcher HttpCode: "200", "200,202", "200-299", or a mix ("200,300-302"). */
export function parseMatcher(matcher: string): (status: number) => boolean {
  const ranges: [number, number][] = [];
  for (const part of matcher.split(',')) {
    const text = part.trim();
    const range = /^(\d{3})(?:-(\d{3}))?$/.exec(text);
    if (!range) throw new Error(`Invalid health check matcher '${matcher}'`);
    const low = Number(range[1]);
    const high = range[2] === undefined ? low : Number(range[2]);
    if (high < low) throw new Error(`Invalid health check matcher '${matcher}'`);
    ranges.push([low, high]);
  }
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}

export type ProbeResult =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly reason: 'Target.ResponseCodeMismatch'; readonly status: number }
  | { readonly ok: false; readonly reason: 'Target.Timeout' | 'Target.FailedHealthChecks' };

export type CheckedState = 'initial' | 'healthy' | 'unhealthy';

export interface HealthStatus {
  readonly state: CheckedState;
  readonly reason?: string;
  readonly description?: string;
  /** Consecutive passes and failures: one of them is 0. */
  readonly passes: number;
  readonly failures: number;
  /** When the target last became healthy (slow start counts from here). */
  readonly healthySinceMs?: number;
}

export const INITIAL_HEALTH: HealthStatus = {
  state: 'initial',
  reason: 'Elb.InitialHealthChecking',
  description: 'Initial health checks in progress',
  passes: 0,
  failures: 0,
};

function failureDescription(result: ProbeResult): string {
  if (result.ok) return '';
  if (result.reason === 'Target.ResponseCodeMismatch')
    return `Health checks failed with these codes: [${result.status}]`;
  if (result.reason === 'Target.Timeout') return 'Request timed out';
  return 'Health checks failed';
}

/**
 * One check's effect. As in ALB: a new target is healthy after its first pass and unhealthy after
 * unhealthyThresholdCount failures in a row; afterwards it takes healthyThresholdCount passes or
 * unhealthyThresholdCount failures in a row to change state.
 */
export function nextHealth(
  current: HealthStatus,
  result: ProbeResult,
  thresholds: { readonly healthy: number; readonly unhealthy: number },
  nowMs: number,
): HealthStatus {
  if (result.ok) {
    const passes = current.passes + 1;
    const needed = current.state === 'initial' ? 1 : thresholds.healthy;
    if (current.state !== 'healthy' && passes >= needed) {
      return { state: 'healthy', passes, failures: 0, healthySinceMs: nowMs };
    }
    return { ...current, passes, failures: 0 };
  }
  const failures = current.failures + 1;
  const failed = { reason: result.reason, description: failureDescription(result) };
  if (current.state !== 'unhealthy' && failures >= thresholds.unhealthy) {
    return { state: 'unhealthy', ...failed, passes: 0, failures };
  }
  // Still unhealthy: the reason follows the latest failure. Healthy and initial keep theirs.
  if (current.state === 'unhealthy') return { ...current, ...failed, passes: 0, failures };
  return { ...current, passes: 0, failures };
}

export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
}

/** One HTTP GET on a fresh connection, closed afterwards (as ALB does). Never rejects. */
export function probe(
  target: ProbeTarget,
  check: HealthCheckConfig,
  matches: (status: number) => boolean,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const port = check.port === 'traffic-port' ? target.port : check.port;
    const req = request({
      host: target.address,
      port,
      path: check.path,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
    });
    const timer = setTimeout(() => {
      finish({ ok: false, reason: 'Target.Timeout' });
      req.destroy();
    }, check.timeoutSeconds * 1000);
    req.on('response', (res) => {
      res.on('error', () => {});
      res.resume();
      const status = res.statusCode ?? 0;
      finish(matches(status) ? { ok: true, status } : { ok: false, reason: 'Target.ResponseCodeMismatch', status });
      res.on('end', () => req.destroy());
    });
    req.on('error', () => finish({ ok: false, reason: 'Target.FailedHealthChecks' }));
    req.end();
  });
}

/** What the checker reads and writes on each target. */
export interface CheckedTarget extends ProbeTarget {
  health: HealthStatus;
}

/**
 * Runs checks for a set of targets: each target's next check starts one interval after its
 * previous one finished. The configuration is read on every check, so a change applies at once.
 */
export class HealthChecker {
  readonly #timers = new Map<CheckedTarget, NodeJS.Timeout>();
  readonly #config: () => HealthCheckConfig;
  readonly #now: () => number;
  readonly #onChange: (target: CheckedTarget) => void;
  #matcherText = '';
  #matches: (status: number) => boolean = () => false;

  constructor(options: {
    config: () => HealthCheckConfig;
    now: () => number;
    /** Called after a check changed the target's state. */
    onChange: (target: CheckedTarget) => void;
  }) {
    this.#config = options.config;
    this.#now = options.now;
    this.#onChange = options.onChange;
  }

  has(target: CheckedTarget): boolean {
    return this.#timers.has(target);
  }

  /** Starts checking at once (the first check runs now, not an interval from now). */
  start(target: CheckedTarget): void {
    if (this.#timers.has(target)) return;
    this.#schedule(target, 0);
  }

  stop(target: CheckedTarget): void {
    const timer = this.#timers.get(target);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(target);
  }

  stopAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #matcher(config: HealthCheckConfig): (status: number) => boolean {
    if (config.matcher !== this.#matcherText) {
      this.#matcherText = config.matcher;
      try {
        this.#matches = parseMatcher(config.matcher);
      } catch {
        this.#matches = (status) => status === 200;
      }
    }
    return this.#matches;
  }

  #schedule(target: CheckedTarget, delayMs: number): void {
    const timer = setTimeout(() => void this.#check(target), delayMs);
    timer.unref();
    this.#timers.set(target, timer);
  }

  async #check(target: CheckedTarget): Promise<void> {
    const config = this.#config();
    const result = await probe(target, config, this.#matcher(config));
    if (!this.#timers.has(target)) return; // stopped while the check was in flight
    const before = target.health.state;
    target.health = nextHealth(
      target.health,
      result,
      { healthy: config.healthyThresholdCount, unhealthy: config.unhealthyThresholdCount },
      this.#now(),
    );
    if (target.health.state !== before) this.#onChange(target);
    this.#schedule(target, this.#config().intervalSeconds * 1000);
  }
}
