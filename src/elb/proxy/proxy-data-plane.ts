import {
  ListenerPortInUseError,
  type DataPlane,
  type DataPlaneConfig,
  type ListenerConfig,
  type LoadBalancerTraffic,
  type TargetHealthView,
} from '../data-plane-contract.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';
import {
  ConnectionBudget,
  DEFAULT_HEADER_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS_PER_LISTENER,
  maxConnectionsFor,
  openFileLimit,
  type ListenerLimits,
} from './connection-limits.ts';
import { Listener, type Routing } from './listener.ts';
import { TargetGroupRuntime } from './target-group.ts';
import { LoadBalancerCounters } from './traffic-counters.ts';

export interface ProxyDataPlaneOptions {
  readonly log?: Logger;
  /** Slow start and deregistration deadlines read this clock; timers still run in real time. */
  readonly clock?: Clock;
  /** For weighted forwards; [0, 1). */
  readonly random?: () => number;
  /** A request head must arrive whole within this long, else 408 (60 s by default). */
  readonly headerTimeoutMs?: number;
  /** Client connections one listener holds at most; more are answered 503 (4096 by default). */
  readonly maxConnectionsPerListener?: number;
  /**
   * Client connections all listeners hold together at most; more are answered 503. By default
   * from the soft RLIMIT_NOFILE, leaving descriptors for the API (connection-limits.ts).
   */
  readonly maxConnections?: number;
}

/** The real ALB data plane: an HTTP/1.1 reverse proxy per listener, health checks, draining. */
export function createProxyDataPlane(options: ProxyDataPlaneOptions = {}): DataPlane {
  return new ProxyDataPlane(options);
}

function listenerKey(listener: { readonly bindAddress: string; readonly port: number }): string {
  return `${listener.bindAddress}:${listener.port}`;
}

/** The target groups some listener's forward action names (whatever its weight): the rest are unused. */
function usedTargetGroups(listeners: readonly ListenerConfig[]): Set<string> {
  const used = new Set<string>();
  for (const listener of listeners) {
    for (const rule of listener.rules) {
      if (rule.action.type !== 'forward') continue;
      for (const group of rule.action.targetGroups) used.add(group.targetGroupArn);
    }
  }
  return used;
}

class ProxyDataPlane implements DataPlane {
  /** Keyed by bindAddress:port, not ARN: a listener whose rules change keeps its socket. */
  readonly #listeners = new Map<string, Listener>();
  readonly #groups = new Map<string, TargetGroupRuntime>();
  readonly #log: Logger | undefined;
  readonly #clock: Clock;
  readonly #routing: Routing;
  readonly #limits: ListenerLimits;
  /** Traffic counters by load balancer ARN, shared by its listeners. */
  readonly #counters = new Map<string, LoadBalancerCounters>();
  /** The target groups each load balancer forwards to, as last applied. */
  #forwards = new Map<string, Set<string>>();
  #applying: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: ProxyDataPlaneOptions) {
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    this.#routing = {
      group: (arn) => {
        const group = this.#groups.get(arn);
        return group?.inUse ? group : undefined;
      },
      random,
      nowMs: () => this.#clock.now().getTime(),
      counters: (arn) => {
        let counters = this.#counters.get(arn);
        if (counters === undefined) this.#counters.set(arn, (counters = new LoadBalancerCounters(arn)));
        return counters;
      },
      log: this.#log,
    };
    this.#limits = {
      headerTimeoutMs: options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS,
      maxConnectionsPerListener: options.maxConnectionsPerListener ?? DEFAULT_MAX_CONNECTIONS_PER_LISTENER,
      budget: new ConnectionBudget(options.maxConnections ?? maxConnectionsFor(openFileLimit())),
    };
    const { headerTimeoutMs, maxConnectionsPerListener, budget } = this.#limits;
    this.#log?.info({ headerTimeoutMs, maxConnectionsPerListener, maxConnections: budget.max }, 'ELB listener limits');
  }

  apply(config: DataPlaneConfig): Promise<void> {
    // One reconcile at a time, in call order; a failed one does not block the next.
    const run = this.#applying.then(() => this.#apply(config));
    this.#applying = run.catch(() => {});
    return run;
  }

  async #apply(config: DataPlaneConfig): Promise<void> {
    if (this.#closed) throw new Error('The data plane is closed');
    const wanted = new Map<string, ListenerConfig>();
    for (const listener of config.listeners) {
      const key = listenerKey(listener);
      if (wanted.has(key)) throw new ListenerPortInUseError(listener.port);
      wanted.set(key, listener);
    }
    const opened = await this.#openListeners(wanted);
    this.#reconcileGroups(config, usedTargetGroups(config.listeners));
    this.#forwards = new Map(
      config.listeners.map((listener) => [
        listener.loadBalancerArn,
        usedTargetGroups(config.listeners.filter((l) => l.loadBalancerArn === listener.loadBalancerArn)),
      ]),
    );
    for (const [key, listener] of opened) this.#listeners.set(key, listener);
    for (const [key, listener] of this.#listeners) {
      const next = wanted.get(key);
      if (next !== undefined) {
        listener.update(next);
        continue;
      }
      this.#listeners.delete(key);
      void listener.close(false);
      this.#log?.info({ listenerArn: listener.listenerArn, port: listener.port }, 'ELB listener closed');
    }
  }

  /**
   * Binds every new listener first, so a port in use changes nothing: the ones just opened close
   * again and the data plane keeps its previous configuration.
   */
  async #openListeners(wanted: ReadonlyMap<string, ListenerConfig>): Promise<Map<string, Listener>> {
    const fresh = new Map<string, Listener>();
    for (const [key, config] of wanted) {
      if (!this.#listeners.has(key)) fresh.set(key, new Listener(config, this.#routing, this.#limits));
    }
    const results = await Promise.allSettled([...fresh.values()].map((listener) => listener.listen()));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      const bound = [...fresh.values()].filter((_, index) => results[index]!.status === 'fulfilled');
      await Promise.all(bound.map((listener) => listener.close(true)));
      throw failure.reason;
    }
    for (const listener of fresh.values()) {
      this.#log?.info({ listenerArn: listener.listenerArn, port: listener.port }, 'ELB listener open');
    }
    return fresh;
  }

  #reconcileGroups(config: DataPlaneConfig, used: ReadonlySet<string>): void {
    const wanted = new Set<string>();
    for (const groupConfig of config.targetGroups) {
      wanted.add(groupConfig.targetGroupArn);
      let group = this.#groups.get(groupConfig.targetGroupArn);
      if (group === undefined) {
        group = new TargetGroupRuntime(groupConfig, {
          now: () => this.#clock.now().getTime(),
          onHealthChange: (target) =>
            this.#log?.info(
              { targetGroupArn: groupConfig.targetGroupArn, target: `${target.id}:${target.port}`, ...target.health },
              'ELB target health changed',
            ),
        });
        this.#groups.set(groupConfig.targetGroupArn, group);
      }
      group.update(groupConfig, used.has(groupConfig.targetGroupArn));
    }
    for (const [arn, group] of this.#groups) {
      if (wanted.has(arn)) continue;
      group.retire();
      if (group.isEmpty) this.#groups.delete(arn);
    }
  }

  targetHealth(targetGroupArn: string): readonly TargetHealthView[] {
    const group = this.#groups.get(targetGroupArn);
    if (group === undefined) return [];
    return group.views();
  }

  takeTraffic(): LoadBalancerTraffic[] {
    const taken: LoadBalancerTraffic[] = [];
    for (const [arn, counters] of this.#counters) {
      const groups = [...(this.#forwards.get(arn) ?? [])].map((targetGroupArn) => {
        const states = this.targetHealth(targetGroupArn).map((view) => view.state);
        return {
          targetGroupArn,
          healthy: states.filter((state) => state === 'healthy').length,
          unhealthy: states.filter((state) => state === 'unhealthy').length,
        };
      });
      taken.push(counters.take(groups));
      // A load balancer gone with its last connection: nothing more to count.
      if (!this.#forwards.has(arn) && counters.openConnections <= 0) this.#counters.delete(arn);
    }
    return taken;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#applying;
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    for (const group of this.#groups.values()) group.close();
    this.#groups.clear();
    await Promise.all(listeners.map((listener) => listener.close(true)));
  }
}
