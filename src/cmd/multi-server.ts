import { AgentChannel } from '../ecs/index.ts';
import { CHANGE_TOPICS, type ChangeBus, type MetadataStore } from '../store/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { ServerLeases } from './server-leases.ts';

export { managedCapacityRoster } from './managed-capacity-roster.ts';

/** A heartbeat is passed on to the other servers at most this often per agent. */
const HEARTBEAT_SHARE_MS = 10_000;

/**
 * The agent channel of a server among several: a task assigned here wakes the long polls other
 * servers hold (and theirs wake ours), and an agent polling another server counts as connected
 * here too (its heartbeats are passed on, at most every 10 s).
 */
export class SharedAgentChannel extends AgentChannel {
  readonly #bus: ChangeBus;
  readonly #shared = new Map<string, number>();
  readonly #clock: Clock;

  constructor(clock: Clock, options: { heartbeatTimeoutMs: number; bus: ChangeBus }) {
    super(clock, options);
    this.#clock = clock;
    this.#bus = options.bus;
    this.#bus.subscribe(CHANGE_TOPICS.agents, (key) => {
      if (key === undefined) this.wakeAll();
      else super.notify(key);
    });
    this.#bus.subscribe(CHANGE_TOPICS.heartbeats, (instanceId) => instanceId && super.touch(instanceId));
  }

  override notify(key: string): void {
    super.notify(key);
    this.#bus.publish(CHANGE_TOPICS.agents, key);
  }

  override touch(instanceId: string): void {
    super.touch(instanceId);
    const now = this.#clock.now().getTime();
    if (now - (this.#shared.get(instanceId) ?? -Infinity) < HEARTBEAT_SHARE_MS) return;
    this.#shared.set(instanceId, now);
    this.#bus.publish(CHANGE_TOPICS.heartbeats, instanceId);
  }
}

/** The agent channel: shared with the other servers in multi-server mode, else this server's own. */
export function agentChannelFor(
  store: MetadataStore,
  clock: Clock,
  options: { multiServer: boolean; heartbeatTimeoutMs: number },
): AgentChannel {
  const { heartbeatTimeoutMs } = options;
  return options.multiServer
    ? new SharedAgentChannel(clock, { heartbeatTimeoutMs, bus: store.changes })
    : new AgentChannel(clock, { heartbeatTimeoutMs });
}

/** The loops that run on one server at a time (their lease names: loop:<name>). */
export const SINGLETON_LOOPS = [
  'registry maintenance',
  'log retention',
  'stopped task pruning',
  'execute command session history',
  // CloudWatch's and Application Auto Scaling's (cloudwatch-jobs.ts, application-autoscaling-setup.ts).
  'metric retention',
  'alarm evaluation',
  'scheduled scaling actions',
] as const;

/**
 * What a server needs to share its store with others (BERTH_MULTI_SERVER=on), or nothing for a
 * server alone on its store: leases for its loops, and the other servers' changes wired to the
 * scheduler and the load balancers' data plane.
 */
export async function joinServers(
  store: MetadataStore,
  options: { multiServer: boolean; logger: Logger },
): Promise<ServerLeases | undefined> {
  if (!options.multiServer) return undefined;
  const leases = new ServerLeases(store.leases, { logger: options.logger, loops: SINGLETON_LOOPS });
  await leases.start();
  options.logger.info({ holder: leases.holder, held: leases.held() }, 'multi-server mode: leases taken');
  return leases;
}

/** Runs the handlers when another server says services or load balancers changed. */
export function listenToServers(
  bus: ChangeBus,
  handlers: { servicesChanged: () => void; loadBalancersChanged: () => void },
): void {
  bus.subscribe(CHANGE_TOPICS.services, () => handlers.servicesChanged());
  bus.subscribe(CHANGE_TOPICS.loadBalancers, () => handlers.loadBalancersChanged());
}
