import type { Clock } from '../shared/clock.ts';
import type { EcsQuotas } from '../shared/ecs-quotas.ts';
import type { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { MetadataStore } from '../store/index.ts';
import type { AgentChannel } from './agent-channel.ts';
import type { LoadBalancing } from './service-load-balancing.ts';
import type { TaskRoleSessions } from './task-credentials.ts';
import type { ServiceRegistries } from './service-registries.ts';
import type { ExecuteCommandSupport } from './execute-command.ts';
import type { ManagedCapacities } from './managed-capacities.ts';

/** What task and service operations need: the store, the clock, the agents' channel and settings. */
export interface TaskDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly agents: AgentChannel;
  /** Serializes read-modify-write of one task (reports, StopTask). */
  readonly taskLocks: KeyedMutex;
  /** ECS quotas (AWS's defaults unless the operator changed them). */
  readonly quotas?: EcsQuotas | undefined;
  /** Wakes the service scheduler (a service was created, updated or deleted). */
  readonly serviceChanged?: (() => void) | undefined;
  /** After this long without a heartbeat, services replace the tasks of an instance (BERTH_AGENT_LOST_SECONDS). */
  readonly agentLostAfterMs?: number | undefined;
  /** ELBv2 target groups, for services with loadBalancers (absent: they are recorded, not registered). */
  readonly loadBalancing?: LoadBalancing | undefined;
  /** How long a minute of the deployment API lasts (bake times); 60000 unless a test shortens it. */
  readonly deploymentMinuteMs?: number | undefined;
  /** An instant in CloudWatch's time (BERTH_METRICS_MINUTE_MS scales it): deployment alarms compare in it. */
  readonly alarmTime?: ((at: Date) => Date) | undefined;
  /** STS for tasks' roles: their sessions end when the tasks stop (absent: tasks get no role credentials). */
  readonly roleSessions?: TaskRoleSessions | undefined;
  /** AWS Cloud Map, for services with serviceRegistries (absent: such services are refused). */
  readonly serviceRegistries?: ServiceRegistries | undefined;
  /** ECS Exec's sessions and what it knows of hosts and roles (absent: every ExecuteCommand is refused). */
  readonly execute?: ExecuteCommandSupport | undefined;
  /** Several servers' managed (FARGATE) capacities (absent: this server's one runs every FARGATE task). */
  readonly managedCapacities?: ManagedCapacities | undefined;
}
