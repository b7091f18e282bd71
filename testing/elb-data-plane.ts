import {
  ListenerPortInUseError,
  type DataPlane,
  type DataPlaneConfig,
  type TargetHealthView,
  type TargetState,
} from '../src/elb/index.ts';

/**
 * An ELB data plane for tests: no sockets. It records every configuration it is handed, refuses
 * listener ports marked busy (as a real one refuses a port another process holds), and reports
 * each configured target 'healthy' unless a test set another state.
 */
export class RecordingDataPlane implements DataPlane {
  readonly applied: DataPlaneConfig[] = [];
  readonly busyPorts = new Set<number>();
  readonly #states = new Map<string, { state: TargetState; reason?: string }>();
  closed = false;

  get current(): DataPlaneConfig {
    return this.applied.at(-1) ?? { listeners: [], targetGroups: [] };
  }

  async apply(config: DataPlaneConfig): Promise<void> {
    const open = new Set(this.current.listeners.map((l) => l.port));
    for (const listener of config.listeners) {
      if (!open.has(listener.port) && this.busyPorts.has(listener.port))
        throw new ListenerPortInUseError(listener.port);
    }
    this.applied.push(config);
  }

  setState(targetGroupArn: string, id: string, port: number, state: TargetState, reason?: string): void {
    this.#states.set(`${targetGroupArn} ${id} ${port}`, { state, ...(reason !== undefined ? { reason } : {}) });
  }

  targetHealth(targetGroupArn: string): readonly TargetHealthView[] {
    const group = this.current.targetGroups.find((g) => g.targetGroupArn === targetGroupArn);
    return (group?.targets ?? []).map((t) => ({
      id: t.id,
      port: t.port,
      ...(this.#states.get(`${targetGroupArn} ${t.id} ${t.port}`) ?? { state: 'healthy' as const }),
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
