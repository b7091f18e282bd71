import type { TargetConfig, TargetGroupConfig, TargetHealthView } from '../data-plane-contract.ts';
import { Drainer, isDraining } from './draining.ts';
import { HealthChecker, INITIAL_HEALTH, type HealthStatus } from './health-checker.ts';
import { UpstreamPool } from './upstream-pool.ts';
import { chooseTarget, slowStartWeight, type TargetLoad } from './target-selection.ts';

/** Something in flight on a target that the deregistration deadline may have to cut. */
export interface Cancellable {
  destroy(): void;
}

/** One registered (or draining) target: its connection pool, health and load. */
export class TargetRuntime implements TargetLoad {
  readonly id: string;
  readonly port: number;
  readonly address: string;
  /** `address:port`, the Host sent for a request that came without one. */
  readonly hostPort: string;
  readonly availabilityZone: string | undefined;
  /** The proxy's keep-alive connections to the target. */
  readonly pool: UpstreamPool;
  health: HealthStatus = INITIAL_HEALTH;
  inFlight = 0;
  weight = 1;
  credit = 0;
  drainDeadlineMs: number | undefined = undefined;
  readonly active = new Set<Cancellable>();

  constructor(config: TargetConfig) {
    this.id = config.id;
    this.port = config.port;
    this.address = config.address;
    this.hostPort = `${config.address}:${config.port}`;
    this.availabilityZone = config.availabilityZone;
    this.pool = new UpstreamPool(config.address, config.port);
  }

  /** Closes every pooled connection. */
  closeConnections(): void {
    this.pool.destroy();
  }
}

function targetKey(target: { readonly id: string; readonly port: number }): string {
  return `${target.id}:${target.port}`;
}

function view(
  target: TargetRuntime,
  extra: Pick<TargetHealthView, 'state' | 'reason' | 'description'>,
): TargetHealthView {
  const base = { id: target.id, port: target.port, ...extra };
  return target.availabilityZone === undefined ? base : { ...base, availabilityZone: target.availabilityZone };
}

/**
 * A target group at run time: its registered targets, the ones draining, health checks, and the
 * list a request chooses from (healthy targets, or all registered ones when none is healthy: ALB
 * fails open).
 */
export class TargetGroupRuntime {
  config: TargetGroupConfig;
  /** Some listener forwards to it; an unused group is not health-checked. */
  inUse = false;
  readonly #registered = new Map<string, TargetRuntime>();
  readonly #draining = new Set<TargetRuntime>();
  readonly #checker: HealthChecker;
  readonly #drainer: Drainer<TargetRuntime>;
  readonly #now: () => number;
  readonly #selection = { cursor: 0 };
  #routable: TargetRuntime[] = [];
  #routableStale = true;

  constructor(
    config: TargetGroupConfig,
    options: { now: () => number; onHealthChange?: (target: TargetRuntime) => void },
  ) {
    this.config = config;
    this.#now = options.now;
    this.#checker = new HealthChecker({
      config: () => this.config.healthCheck,
      now: options.now,
      onChange: (target) => {
        this.#routableStale = true;
        options.onHealthChange?.(target as TargetRuntime);
      },
    });
    this.#drainer = new Drainer({ now: options.now, onGone: (target) => this.#forget(target) });
  }

  get hasRegisteredTargets(): boolean {
    return this.#registered.size > 0;
  }

  /** Nothing registered and nothing left draining. */
  get isEmpty(): boolean {
    return this.#registered.size === 0 && this.#draining.size === 0;
  }

  /** Reconciles to a new configuration: new targets start initial, missing ones drain, the rest keep their health. */
  update(config: TargetGroupConfig, inUse: boolean): void {
    const wasChecking = this.inUse && this.config.healthCheck.enabled;
    this.config = config;
    this.inUse = inUse;
    const wanted = new Map(config.targets.map((target) => [targetKey(target), target]));
    for (const [key, target] of this.#registered) {
      const next = wanted.get(key);
      if (next === undefined || next.address !== target.address) this.#deregister(key, target);
    }
    for (const [key, target] of wanted) if (!this.#registered.has(key)) this.#register(key, target);
    const checking = inUse && config.healthCheck.enabled;
    for (const target of this.#registered.values()) {
      if (checking && !this.#checker.has(target)) {
        if (!wasChecking) target.health = INITIAL_HEALTH;
        this.#checker.start(target);
      } else if (!checking) this.#checker.stop(target);
    }
    this.#routableStale = true;
  }

  /** The group left the configuration: every target drains, then the group can be dropped. */
  retire(): void {
    this.inUse = false;
    for (const [key, target] of this.#registered) this.#deregister(key, target);
    this.#routableStale = true;
  }

  #register(key: string, config: TargetConfig): void {
    const draining = [...this.#draining].find(
      (target) => targetKey(target) === key && target.address === config.address,
    );
    if (draining) {
      this.#drainer.cancel(draining);
      this.#draining.delete(draining);
      draining.health = INITIAL_HEALTH;
      this.#registered.set(key, draining);
      return;
    }
    this.#registered.set(key, new TargetRuntime(config));
  }

  #deregister(key: string, target: TargetRuntime): void {
    this.#registered.delete(key);
    this.#checker.stop(target);
    this.#draining.add(target);
    this.#drainer.start(target, this.config.deregistrationDelaySeconds);
  }

  #forget(target: TargetRuntime): void {
    this.#draining.delete(target);
    for (const inFlight of [...target.active]) inFlight.destroy();
    target.closeConnections();
  }

  #routableTargets(): TargetRuntime[] {
    if (!this.#routableStale) return this.#routable;
    const registered = [...this.#registered.values()];
    const healthy = this.config.healthCheck.enabled
      ? registered.filter((target) => target.health.state === 'healthy')
      : registered;
    this.#routable = healthy.length > 0 ? healthy : registered;
    for (const target of this.#routable) target.credit = 0;
    this.#routableStale = false;
    return this.#routable;
  }

  /** The target for the next request, or undefined when nothing is registered. */
  pick(): TargetRuntime | undefined {
    const targets = this.#routableTargets();
    const slowStartMs = this.config.slowStartSeconds * 1000;
    if (slowStartMs > 0) {
      const now = this.#now();
      for (const target of targets) target.weight = slowStartWeight(target.health.healthySinceMs, now, slowStartMs);
    }
    return targets[chooseTarget(targets, this.config.algorithm, this.#selection)];
  }

  /** Counts a request or upgraded connection against the target until `end`. */
  begin(target: TargetRuntime, inFlight: Cancellable): void {
    target.inFlight++;
    target.active.add(inFlight);
  }

  end(target: TargetRuntime, inFlight: Cancellable): void {
    if (!target.active.delete(inFlight)) return;
    target.inFlight--;
    if (isDraining(target)) this.#drainer.settle(target);
  }

  views(): TargetHealthView[] {
    const views: TargetHealthView[] = [];
    for (const target of this.#registered.values()) views.push(this.#viewOf(target));
    for (const target of this.#draining) {
      views.push(
        view(target, {
          state: 'draining',
          reason: 'Target.DeregistrationInProgress',
          description: 'Target deregistration is in progress',
        }),
      );
    }
    return views;
  }

  #viewOf(target: TargetRuntime): TargetHealthView {
    if (!this.inUse) {
      return view(target, {
        state: 'unused',
        reason: 'Target.NotInUse',
        description: 'Target group is not configured to receive traffic from the load balancer',
      });
    }
    if (!this.config.healthCheck.enabled) {
      return view(target, {
        state: 'unavailable',
        reason: 'Target.HealthCheckDisabled',
        description: 'Health checks are disabled',
      });
    }
    const { state, reason, description } = target.health;
    return view(target, state === 'healthy' ? { state } : { state, reason, description });
  }

  /** Stops checks, cuts drains short and closes every pooled connection. */
  close(): void {
    this.#checker.stopAll();
    this.#drainer.finishAll();
    for (const target of this.#registered.values()) {
      for (const inFlight of [...target.active]) inFlight.destroy();
      target.closeConnections();
    }
  }
}
