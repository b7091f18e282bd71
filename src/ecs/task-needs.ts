import type { InstanceSnapshot, Placement, TaskNeeds } from '../scheduler/index.ts';
import type { ContainerInstanceRecord, TaskRecord, TaskReservation } from '../store/index.ts';
import { parseTaskCpu, parseTaskMemory } from './task-definition-rules.ts';
import type {
  Attribute,
  ContainerDefinition,
  NetworkBinding,
  Resource,
  TaskDefinition,
  TaskOverride,
} from './shapes.generated.ts';

/** One port mapping that needs a host port, in the order the placement's ports are assigned. */
export interface HostPortRequest {
  readonly containerName: string;
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  /** 0: a dynamic port from the placement. */
  readonly hostPort: number;
}

/** The containers with the call's overrides applied (command, environment, cpu, memory). */
export function effectiveContainers(
  definition: TaskDefinition,
  overrides: TaskOverride | undefined,
): ContainerDefinition[] {
  const byName = new Map((overrides?.containerOverrides ?? []).map((o) => [o.name, o]));
  return (definition.containerDefinitions ?? []).map((container) => {
    const override = byName.get(container.name);
    if (!override) return container;
    const environment = new Map((container.environment ?? []).map((e) => [e.name, e.value]));
    for (const pair of override.environment ?? []) environment.set(pair.name, pair.value);
    return {
      ...container,
      ...(override.command ? { command: override.command } : {}),
      ...(override.environment ? { environment: [...environment].map(([name, value]) => ({ name, value })) } : {}),
      ...(override.environmentFiles
        ? { environmentFiles: [...(container.environmentFiles ?? []), ...override.environmentFiles] }
        : {}),
      ...(override.cpu !== undefined ? { cpu: override.cpu } : {}),
      ...(override.memory !== undefined ? { memory: override.memory } : {}),
      ...(override.memoryReservation !== undefined ? { memoryReservation: override.memoryReservation } : {}),
    };
  });
}

/** The host ports a task's containers need in its network mode (none in awsvpc and none mode). */
export function hostPortRequests(
  networkMode: string | undefined,
  containers: readonly ContainerDefinition[],
): HostPortRequest[] {
  const mode = networkMode ?? 'bridge';
  if (mode !== 'bridge' && mode !== 'host') return [];
  return containers.flatMap((container) =>
    (container.portMappings ?? [])
      .filter((mapping) => mapping.containerPort !== undefined)
      .map((mapping) => ({
        containerName: container.name ?? '',
        containerPort: mapping.containerPort!,
        protocol: mapping.protocol === 'udp' ? ('udp' as const) : ('tcp' as const),
        hostPort: mode === 'host' ? mapping.containerPort! : (mapping.hostPort ?? 0),
      })),
  );
}

function resourceCount(container: ContainerDefinition, type: string): number {
  const gpu = (container.resourceRequirements ?? []).find((r) => r.type === type);
  return gpu ? Number(gpu.value) : 0;
}

/** What a task reserves on an instance: the task-level cpu/memory when set, else the containers' sums. */
export function taskNeeds(options: {
  definition: TaskDefinition;
  containers: readonly ContainerDefinition[];
  overrides: TaskOverride | undefined;
  group: string;
}): TaskNeeds & { ports: HostPortRequest[] } {
  const { definition, containers, overrides } = options;
  const containerCpu = containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  const containerMemory = containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
  const taskCpu = overrides?.cpu ?? definition.cpu;
  const taskMemory = overrides?.memory ?? definition.memory;
  const ports = hostPortRequests(definition.networkMode, containers);
  const fixed = (protocol: 'tcp' | 'udp') =>
    ports.filter((p) => p.protocol === protocol && p.hostPort !== 0).map((p) => p.hostPort);
  const dynamic = (protocol: 'tcp' | 'udp') => ports.filter((p) => p.protocol === protocol && p.hostPort === 0).length;
  return {
    cpu: parseTaskCpu(taskCpu) ?? containerCpu,
    memory: parseTaskMemory(taskMemory) ?? containerMemory,
    gpus: containers.reduce((sum, c) => sum + resourceCount(c, 'GPU'), 0),
    tcpPorts: fixed('tcp'),
    udpPorts: fixed('udp'),
    dynamicTcpPorts: dynamic('tcp'),
    dynamicUdpPorts: dynamic('udp'),
    requiresAttributes: (definition.requiresAttributes ?? []).map((a) => ({ name: a.name, value: a.value })),
    group: options.group,
    runtimePlatform: definition.runtimePlatform,
    ports,
  };
}

/** The network bindings the placement gave a task: its static ports then its dynamic ones, in order. */
export function bindingsOf(ports: readonly HostPortRequest[], placement: Placement | undefined): NetworkBinding[] {
  if (!placement) return [];
  const taken = { tcp: [...placement.tcpPorts], udp: [...placement.udpPorts] };
  const fixedCount = { tcp: 0, udp: 0 };
  for (const p of ports) if (p.hostPort !== 0) fixedCount[p.protocol]++;
  const dynamicNext = { tcp: fixedCount.tcp, udp: fixedCount.udp };
  return ports.map((p) => ({
    bindIP: '0.0.0.0',
    containerPort: p.containerPort,
    hostPort: p.hostPort !== 0 ? p.hostPort : taken[p.protocol][dynamicNext[p.protocol]++],
    protocol: p.protocol,
  }));
}

export function reservationOf(needs: TaskNeeds, bindings: readonly NetworkBinding[]): TaskReservation {
  const ports = (protocol: string) =>
    bindings.filter((b) => b.protocol === protocol && b.hostPort).map((b) => b.hostPort!);
  return { cpu: needs.cpu, memory: needs.memory, gpus: needs.gpus, tcpPorts: ports('tcp'), udpPorts: ports('udp') };
}

function integerResource(resources: readonly Resource[], name: string): number {
  return resources.find((r) => r.name === name)?.integerValue ?? 0;
}

function portSet(resources: readonly Resource[], name: string): Set<number> {
  return new Set((resources.find((r) => r.name === name)?.stringSetValue ?? []).map(Number));
}

/** An instance's registered resources minus what its unstopped tasks reserve. */
/** What a task holds on its instance: all placement looks at. */
type Holding = Pick<TaskRecord, 'group' | 'reservation'>;

export function remainingOf(registered: readonly Resource[], tasks: readonly Holding[]): InstanceSnapshot['remaining'] {
  const tcpPorts = portSet(registered, 'PORTS');
  const udpPorts = portSet(registered, 'PORTS_UDP');
  let cpu = integerResource(registered, 'CPU');
  let memory = integerResource(registered, 'MEMORY');
  let gpus = (registered.find((r) => r.name === 'GPU')?.stringSetValue ?? []).length;
  for (const task of tasks) {
    cpu -= task.reservation.cpu;
    memory -= task.reservation.memory;
    gpus -= task.reservation.gpus;
    for (const port of task.reservation.tcpPorts) tcpPorts.add(port);
    for (const port of task.reservation.udpPorts) udpPorts.add(port);
  }
  return { cpu, memory, gpus, tcpPorts, udpPorts };
}

/** The registered resources with CPU, MEMORY and ports replaced by what is left. */
export function remainingResources(registered: readonly Resource[], tasks: readonly Holding[]): Resource[] {
  const left = remainingOf(registered, tasks);
  return registered.map((resource) => {
    switch (resource.name) {
      case 'CPU':
        return { ...resource, integerValue: left.cpu };
      case 'MEMORY':
        return { ...resource, integerValue: left.memory };
      case 'PORTS':
        return { ...resource, stringSetValue: [...left.tcpPorts].sort((a, b) => a - b).map(String) };
      case 'PORTS_UDP':
        return { ...resource, stringSetValue: [...left.udpPorts].sort((a, b) => a - b).map(String) };
      default:
        return resource;
    }
  });
}

/** What the scheduler sees of a container instance and its unstopped tasks. */
export function instanceSnapshot(
  record: ContainerInstanceRecord,
  tasks: readonly Holding[],
  agentConnected: boolean,
): InstanceSnapshot {
  const groupCounts = new Map<string, number>();
  for (const task of tasks) groupCounts.set(task.group, (groupCounts.get(task.group) ?? 0) + 1);
  const attributes = (record.body.attributes ?? []) as Attribute[];
  return {
    arn: record.arn,
    id: record.id,
    status: record.status,
    agentConnected,
    remaining: remainingOf((record.body.registeredResources ?? []) as Resource[], tasks),
    attributes: new Map(attributes.map((a) => [a.name, a.value])),
    groupCounts,
  };
}
