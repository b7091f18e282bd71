// Benchmark: the placement engine on a simulated cluster. 5,000 instances in 3 availability zones
// with custom attributes; 100,000 tasks from 500 services with mixed constraints and strategies
// (spread by zone + binpack memory, distinctInstance, memberOf, random). Prints one line per figure:
// placements/s, p99 per-decision latency, peak RSS, and the cost per decision at 500, 1,000 and
// 5,000 instances (it should grow no faster than linearly).
//   node bench/scheduler.ts [--services 500] [--tasks-per-service 200]
import { parseArgs } from 'node:util';
import {
  memberOf,
  placeTasks,
  seededRandom,
  type InstanceSnapshot,
  type PlacementConstraint,
  type PlacementStrategy,
  type TaskNeeds,
} from '../src/scheduler/index.ts';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '500' }, 'tasks-per-service': { type: 'string', default: '200' } },
});
const SERVICES = Number(values.services);
const TASKS_PER_SERVICE = Number(values['tasks-per-service']);
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const TYPES = ['m5.large', 'm5.xlarge', 'c5.2xlarge', 'r5.large'];

interface Host {
  snapshot: InstanceSnapshot;
  cpu: number;
  memory: number;
  ports: Set<number>;
  groups: Map<string, number>;
}

function cluster(size: number): Host[] {
  return Array.from({ length: size }, (_, i) => {
    const id = i.toString(16).padStart(32, '0');
    const attributes = new Map<string, string | undefined>([
      ['ecs.availability-zone', ZONES[i % 3]],
      ['ecs.instance-type', TYPES[i % TYPES.length]],
      ['ecs.os-type', 'linux'],
      ['stack', i % 5 === 0 ? 'prod' : 'dev'],
      ['rack', `r${i % 40}`],
    ]);
    const host: Host = {
      cpu: 16384,
      memory: 65536,
      ports: new Set([22, 2375, 2376, 51678, 51679]),
      groups: new Map(),
      snapshot: undefined as never,
    };
    host.snapshot = snapshotOf(
      `arn:aws:ecs:us-east-1:000000000000:container-instance/bench/${id}`,
      id,
      attributes,
      host,
    );
    return host;
  });
}

function snapshotOf(
  arn: string,
  id: string,
  attributes: ReadonlyMap<string, string | undefined>,
  host: Host,
): InstanceSnapshot {
  return {
    arn,
    id,
    status: 'ACTIVE',
    agentConnected: true,
    attributes,
    remaining: { cpu: host.cpu, memory: host.memory, gpus: 0, tcpPorts: host.ports, udpPorts: new Set() },
    groupCounts: host.groups,
  };
}

function service(n: number): { needs: TaskNeeds; constraints: PlacementConstraint[]; strategies: PlacementStrategy[] } {
  const needs: TaskNeeds = {
    cpu: [128, 256, 512][n % 3]!,
    memory: [256, 512, 1024][n % 3]!,
    gpus: 0,
    tcpPorts: [],
    udpPorts: [],
    dynamicTcpPorts: n % 2,
    dynamicUdpPorts: 0,
    requiresAttributes: [],
    group: `service:s${n}`,
  };
  switch (n % 5) {
    case 0:
    case 1:
      return {
        needs,
        constraints: [],
        strategies: [
          { type: 'spread', field: 'attribute:ecs.availability-zone' },
          { type: 'binpack', field: 'memory' },
        ],
      };
    case 2:
      return {
        needs,
        constraints: [{ type: 'distinctInstance' }],
        strategies: [{ type: 'spread', field: 'instanceId' }],
      };
    case 3:
      return {
        needs,
        constraints: [memberOf('attribute:stack == prod or attribute:ecs.instance-type in (m5.xlarge, c5.*)')],
        strategies: [{ type: 'binpack', field: 'cpu' }],
      };
    default:
      return { needs, constraints: [], strategies: [{ type: 'random' }] };
  }
}

/** Places every service's tasks, applying each call's placements as the control plane would. */
function run(size: number, services: number, tasksPerService: number) {
  const hosts = cluster(size);
  const byArn = new Map(hosts.map((h) => [h.snapshot.arn, h]));
  const random = seededRandom(1);
  const perDecision: number[] = [];
  let placed = 0;
  let elapsed = 0;
  for (let s = 0; s < services; s++) {
    const { needs, constraints, strategies } = service(s);
    const instances = hosts.map((h) => h.snapshot);
    const started = performance.now();
    const result = placeTasks({ needs, count: tasksPerService, instances, constraints, strategies, random });
    const ms = performance.now() - started;
    elapsed += ms;
    if (result.placements.length > 0) perDecision.push(ms / result.placements.length);
    placed += result.placements.length;
    for (const p of result.placements) {
      const host = byArn.get(p.instanceArn)!;
      host.cpu -= needs.cpu;
      host.memory -= needs.memory;
      for (const port of p.tcpPorts) host.ports.add(port);
      host.groups.set(needs.group, (host.groups.get(needs.group) ?? 0) + 1);
      host.snapshot = snapshotOf(host.snapshot.arn, host.snapshot.id, host.snapshot.attributes, host);
    }
  }
  perDecision.sort((a, b) => a - b);
  return {
    placed,
    seconds: elapsed / 1000,
    p99: perDecision[Math.floor(perDecision.length * 0.99)] ?? 0,
    mean: (elapsed / placed) * 1000,
  };
}

const main = run(5000, SERVICES, TASKS_PER_SERVICE);
console.log(
  `scheduler placements/s (5,000 instances, ${SERVICES} services x ${TASKS_PER_SERVICE} tasks): ${Math.round(main.placed / main.seconds)} (${main.placed} placed in ${main.seconds.toFixed(2)} s)`,
);
console.log(`scheduler p99 per-decision latency (5,000 instances): ${main.p99.toFixed(3)} ms`);
console.log(`scheduler peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
const scaling = [500, 1000, 5000].map((size) => ({ size, ...run(size, 50, 200) }));
console.log(
  `scheduler cost per decision by cluster size: ${scaling.map((s) => `${s.size} instances ${s.mean.toFixed(1)} us`).join(', ')}`,
);
