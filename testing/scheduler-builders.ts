import type { InstanceSnapshot, PlacementRequest, TaskNeeds } from '../src/scheduler/index.ts';
import { seededRandom } from '../src/scheduler/index.ts';

/** An ACTIVE instance with a connected agent: `anInstance('a').withCpu(1024).build()`. */
export function anInstance(id: string) {
  let snapshot: InstanceSnapshot = {
    arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`,
    id,
    status: 'ACTIVE',
    agentConnected: true,
    remaining: {
      cpu: 2048,
      memory: 4096,
      gpus: 0,
      tcpPorts: new Set([22, 2375, 2376, 51678, 51679]),
      udpPorts: new Set(),
    },
    attributes: new Map([['ecs.os-type', 'linux']]),
    groupCounts: new Map(),
  };
  const builder = {
    withCpu: (cpu: number) => ((snapshot = { ...snapshot, remaining: { ...snapshot.remaining, cpu } }), builder),
    withMemory: (memory: number) => (
      (snapshot = { ...snapshot, remaining: { ...snapshot.remaining, memory } }),
      builder
    ),
    withGpus: (gpus: number) => ((snapshot = { ...snapshot, remaining: { ...snapshot.remaining, gpus } }), builder),
    withTcpPortsInUse: (...ports: number[]) => (
      (snapshot = {
        ...snapshot,
        remaining: { ...snapshot.remaining, tcpPorts: new Set([...snapshot.remaining.tcpPorts, ...ports]) },
      }),
      builder
    ),
    withAttribute: (name: string, value?: string) => (
      (snapshot = { ...snapshot, attributes: new Map([...snapshot.attributes, [name, value]]) }),
      builder
    ),
    withTasks: (group: string, count: number) => (
      (snapshot = { ...snapshot, groupCounts: new Map([...snapshot.groupCounts, [group, count]]) }),
      builder
    ),
    withStatus: (status: string) => ((snapshot = { ...snapshot, status }), builder),
    disconnected: () => ((snapshot = { ...snapshot, agentConnected: false }), builder),
    build: () => snapshot,
  };
  return builder;
}

export function aTask(overrides: Partial<TaskNeeds> = {}): TaskNeeds {
  return {
    cpu: 256,
    memory: 512,
    gpus: 0,
    tcpPorts: [],
    udpPorts: [],
    dynamicTcpPorts: 0,
    dynamicUdpPorts: 0,
    requiresAttributes: [],
    group: 'service:web',
    ...overrides,
  };
}

export function aRequest(instances: InstanceSnapshot[], overrides: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    needs: aTask(),
    count: 1,
    instances,
    constraints: [],
    strategies: [],
    random: seededRandom(42),
    ...overrides,
  };
}
