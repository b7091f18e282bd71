import type { DataPlane, DataPlaneConfig, TargetHealthView } from './data-plane-contract.ts';

/**
 * A data plane that opens no sockets: it keeps the last configuration and reports each target
 * 'unused' (Target.NotInUse) while no listener forwards to its group, else 'initial'
 * (Elb.InitialHealthChecking), since nothing checks it. The server's default until the proxy
 * (src/elb/proxy/) is plugged in.
 */
export class StaticDataPlane implements DataPlane {
  #config: DataPlaneConfig = { listeners: [], targetGroups: [] };

  get config(): DataPlaneConfig {
    return this.#config;
  }

  async apply(config: DataPlaneConfig): Promise<void> {
    this.#config = config;
  }

  targetHealth(targetGroupArn: string): readonly TargetHealthView[] {
    const group = this.#config.targetGroups.find((g) => g.targetGroupArn === targetGroupArn);
    if (!group) return [];
    const inUse = this.#config.listeners.some((listener) =>
      listener.rules.some(
        (rule) =>
          rule.action.type === 'forward' && rule.action.targetGroups.some((t) => t.targetGroupArn === targetGroupArn),
      ),
    );
    return group.targets.map((target) => ({
      id: target.id,
      port: target.port,
      ...(target.availabilityZone !== undefined ? { availabilityZone: target.availabilityZone } : {}),
      ...(inUse
        ? {
            state: 'initial' as const,
            reason: 'Elb.InitialHealthChecking',
            description: 'Initial health checks in progress',
          }
        : {
            state: 'unused' as const,
            reason: 'Target.NotInUse',
            description: 'Target group is not configured to receive traffic from the load balancer',
          }),
    }));
  }

  async close(): Promise<void> {
    this.#config = { listeners: [], targetGroups: [] };
  }
}
