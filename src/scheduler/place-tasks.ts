import type {
  InstanceSnapshot,
  Placement,
  PlacementFailure,
  PlacementReason,
  PlacementRequest,
  PlacementResult,
  PlacementStrategy,
  TaskNeeds,
} from './types.ts';

/** The range hostPort 0 takes its ports from, as the ECS agent does. */
export const DYNAMIC_PORTS = { first: 49153, last: 65535 } as const;
const DYNAMIC_RANGE_SIZE = DYNAMIC_PORTS.last - DYNAMIC_PORTS.first + 1;

/**
 * Places `count` tasks, filter then score (like Nomad and the Kubernetes scheduler):
 * 1. static filters, once per call: ACTIVE with a connected agent, required attributes, memberOf;
 * 2. per task: resources (CPU, memory, GPUs, ports) and distinctInstance against the instance's
 *    state including the tasks this call placed already;
 * 3. the strategies, in order, pick among the feasible instances (each later one breaks the ties
 *    of those before; the lowest instance index breaks the last ties, so a seed fixes the result).
 * Pure: no clock, no I/O, no global randomness. One pass over the candidates per task, with the
 * state in typed arrays: the cost of a decision grows linearly with the instances.
 */
export function placeTasks(request: PlacementRequest): PlacementResult {
  const { instances, needs } = request;
  if (instances.length === 0)
    return {
      placements: [],
      failures: [{ arn: undefined, reason: 'No Container Instances were found in your cluster.' }],
    };
  const state = new ClusterState(request);
  const placements: Placement[] = [];
  for (let task = 0; task < request.count; task++) {
    const best = state.choose(
      request.strategies.length > 0 ? request.strategies : [{ type: 'random' }],
      request.random,
    );
    if (best === -1) break;
    placements.push(state.place(best, needs));
  }
  return { placements, failures: placements.length < request.count ? state.failures() : [] };
}

class ClusterState {
  readonly #instances: readonly InstanceSnapshot[];
  readonly #needs: TaskNeeds;
  readonly #distinct: boolean;
  /** Why each instance was left out (static reasons stay; dynamic ones are the latest seen). */
  readonly #reasons: (PlacementReason | undefined)[];
  readonly #candidates: number[] = [];
  readonly #cpu: Float64Array;
  readonly #memory: Float64Array;
  readonly #gpus: Float64Array;
  /** Ports in use, copied on first write: the snapshot's sets stay untouched. */
  readonly #tcp: (ReadonlySet<number> | Set<number>)[];
  readonly #udp: (ReadonlySet<number> | Set<number>)[];
  readonly #owned: Uint8Array;
  readonly #dynamicTcpUsed: Int32Array;
  readonly #dynamicUdpUsed: Int32Array;
  /** Tasks of this request's group on each instance. */
  readonly #groupOnInstance: Int32Array;
  /** Per spread-by-attribute strategy: each instance's value index, and the group's tasks per value. */
  readonly #spreads = new Map<string, { valueOf: Int32Array; counts: Int32Array }>();
  #bestScores = new Float64Array(0);
  #last = -1;
  #shuffled = false;
  readonly #binpackOnly: boolean;

  constructor(request: PlacementRequest) {
    const n = request.instances.length;
    this.#instances = request.instances;
    this.#needs = request.needs;
    this.#distinct = request.constraints.some((c) => c.type === 'distinctInstance');
    this.#binpackOnly = request.strategies.length > 0 && request.strategies.every((st) => st.type === 'binpack');
    this.#reasons = new Array(n).fill(undefined);
    this.#cpu = new Float64Array(n);
    this.#memory = new Float64Array(n);
    this.#gpus = new Float64Array(n);
    this.#tcp = new Array(n);
    this.#udp = new Array(n);
    this.#owned = new Uint8Array(n);
    this.#dynamicTcpUsed = new Int32Array(n);
    this.#dynamicUdpUsed = new Int32Array(n);
    this.#groupOnInstance = new Int32Array(n);
    const memberOf = request.constraints.filter((c) => c.type === 'memberOf');
    for (let i = 0; i < n; i++) {
      const instance = request.instances[i]!;
      this.#cpu[i] = instance.remaining.cpu;
      this.#memory[i] = instance.remaining.memory;
      this.#gpus[i] = instance.remaining.gpus;
      this.#tcp[i] = instance.remaining.tcpPorts;
      this.#udp[i] = instance.remaining.udpPorts;
      this.#dynamicTcpUsed[i] = countDynamic(instance.remaining.tcpPorts);
      this.#dynamicUdpUsed[i] = countDynamic(instance.remaining.udpPorts);
      this.#groupOnInstance[i] = instance.groupCounts.get(request.needs.group) ?? 0;
      const reason = staticReason(instance, request.needs, memberOf);
      if (reason) this.#reasons[i] = reason;
      else this.#candidates.push(i);
    }
    for (const strategy of request.strategies) {
      if (strategy.type === 'spread' && strategy.field.startsWith('attribute:') && !this.#spreads.has(strategy.field)) {
        this.#spreads.set(strategy.field, this.#spreadIndex(strategy.field.slice('attribute:'.length)));
      }
    }
  }

  #spreadIndex(attribute: string): { valueOf: Int32Array; counts: Int32Array } {
    const values = new Map<string, number>();
    const valueOf = new Int32Array(this.#instances.length);
    for (const [i, instance] of this.#instances.entries()) {
      // Instances without the attribute count as one more value, as ECS does.
      const value = instance.attributes.get(attribute) ?? '\u0000none';
      let index = values.get(value);
      if (index === undefined) values.set(value, (index = values.size));
      valueOf[i] = index;
    }
    const counts = new Int32Array(values.size);
    for (let i = 0; i < this.#instances.length; i++) counts[valueOf[i]!]! += this.#groupOnInstance[i]!;
    return { valueOf, counts };
  }

  /** Why the next task does not fit on instance i, or undefined when it does. */
  #misfit(i: number): PlacementReason | undefined {
    const needs = this.#needs;
    if (this.#cpu[i]! < needs.cpu) return 'RESOURCE:CPU';
    if (this.#memory[i]! < needs.memory) return 'RESOURCE:MEMORY';
    if (this.#gpus[i]! < needs.gpus) return 'RESOURCE:GPU';
    if (this.#distinct && this.#groupOnInstance[i]! > 0) return 'DistinctInstance';
    if (needs.tcpPorts.length > 0 || needs.dynamicTcpPorts > 0) {
      const used = this.#tcp[i]!;
      if (
        needs.tcpPorts.some((p) => used.has(p)) ||
        DYNAMIC_RANGE_SIZE - this.#dynamicTcpUsed[i]! < needs.dynamicTcpPorts
      )
        return 'RESOURCE:PORTS';
    }
    if (needs.udpPorts.length > 0 || needs.dynamicUdpPorts > 0) {
      const used = this.#udp[i]!;
      if (
        needs.udpPorts.some((p) => used.has(p)) ||
        DYNAMIC_RANGE_SIZE - this.#dynamicUdpUsed[i]! < needs.dynamicUdpPorts
      )
        return 'RESOURCE:PORTS_UDP';
    }
    return undefined;
  }

  /**
   * One scoring function per strategy (lower is better), built once per decision so the scan does
   * no lookups. `random` hashes the instance index with one seeded draw per decision: the same
   * seed gives the same choices, at the cost of a multiply instead of a call per instance.
   */
  #scorers(strategies: readonly PlacementStrategy[], random: () => number): ((i: number) => number)[] {
    return strategies.map((strategy) => {
      switch (strategy.type) {
        case 'binpack': {
          const left = strategy.field === 'cpu' ? this.#cpu : this.#memory;
          return (i: number) => left[i]!;
        }
        case 'random': {
          const salt = Math.floor(random() * 0x7fffffff) | 1;
          return (i: number) => mix(i, salt);
        }
        case 'spread': {
          const spread = this.#spreads.get(strategy.field);
          if (!spread) return (i: number) => this.#groupOnInstance[i]!;
          const { valueOf, counts } = spread;
          return (i: number) => counts[valueOf[i]!]!;
        }
      }
    });
  }

  /**
   * The index of the instance the strategies prefer among those that fit, or -1.
   * Within one call an instance that cannot take the next task cannot take any later one either
   * (resources and ports only shrink, distinctInstance only tightens), so the scan drops it for
   * good. And when every strategy is binpack, the instance chosen last is still the best while it
   * fits: its score only went down and nobody else's changed.
   */
  choose(strategies: readonly PlacementStrategy[], random: () => number): number {
    if (this.#last !== -1 && this.#binpackOnly && this.#misfit(this.#last) === undefined) return this.#last;
    if (strategies.length === 1 && strategies[0]!.type === 'random') return this.#chooseRandomly(random);
    // A lone spread can stop at the first instance without a task of the group: nothing beats 0.
    this.#last = this.#scan(
      this.#scorers(strategies, random),
      strategies.length === 1 && strategies[0]!.type === 'spread',
    );
    return this.#last;
  }

  /** One pass over the candidates: drops those that no longer fit, returns the best of the rest. */
  #scan(scorers: readonly ((i: number) => number)[], stopAtZero: boolean): number {
    const levels = scorers.length;
    const best = this.#bestScores.length === levels ? this.#bestScores : (this.#bestScores = new Float64Array(levels));
    const candidates = this.#candidates;
    let chosen = -1;
    let kept = 0;
    for (let c = 0; c < candidates.length; c++) {
      const i = candidates[c]!;
      const reason = this.#misfit(i);
      if (reason) {
        this.#reasons[i] = reason;
        continue;
      }
      candidates[kept++] = i;
      if (chosen === -1) {
        chosen = i;
        for (let s = 0; s < levels; s++) best[s] = scorers[s]!(i);
        if (stopAtZero && best[0] === 0) {
          for (c++; c < candidates.length; c++) candidates[kept++] = candidates[c]!;
          break;
        }
        continue;
      }
      // Lexicographic comparison that stops at the first strategy that decides.
      for (let s = 0; s < levels; s++) {
        const score = scorers[s]!(i);
        if (score > best[s]!) break;
        if (score < best[s]!) {
          chosen = i;
          best[s] = score;
          for (let t = s + 1; t < levels; t++) best[t] = scorers[t]!(i);
          break;
        }
      }
      if (stopAtZero && best[0] === 0) {
        for (c++; c < candidates.length; c++) candidates[kept++] = candidates[c]!;
        break;
      }
    }
    candidates.length = kept;
    return chosen;
  }

  /**
   * Random placement, as Nomad does it: the candidates were shuffled once for the call (seeded),
   * and each task takes the first instance that fits from a random starting point in that order.
   */
  #chooseRandomly(random: () => number): number {
    if (!this.#shuffled) {
      shuffle(this.#candidates, random);
      this.#shuffled = true;
    }
    const candidates = this.#candidates;
    const start = Math.floor(random() * candidates.length);
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[(start + k) % candidates.length]!;
      const reason = this.#misfit(i);
      if (!reason) return i;
      this.#reasons[i] = reason;
    }
    return -1;
  }

  /** Records a task on instance i and returns its placement with the host ports it got. */
  place(i: number, needs: TaskNeeds): Placement {
    this.#cpu[i]! -= needs.cpu;
    this.#memory[i]! -= needs.memory;
    this.#gpus[i]! -= needs.gpus;
    this.#groupOnInstance[i]! += 1;
    for (const spread of this.#spreads.values()) spread.counts[spread.valueOf[i]!]! += 1;
    const tcp =
      needs.tcpPorts.length + needs.dynamicTcpPorts > 0
        ? this.#takePorts(i, 'tcp', needs.tcpPorts, needs.dynamicTcpPorts)
        : [];
    const udp =
      needs.udpPorts.length + needs.dynamicUdpPorts > 0
        ? this.#takePorts(i, 'udp', needs.udpPorts, needs.dynamicUdpPorts)
        : [];
    return { instanceArn: this.#instances[i]!.arn, tcpPorts: tcp, udpPorts: udp };
  }

  #takePorts(i: number, protocol: 'tcp' | 'udp', fixed: readonly number[], dynamic: number): number[] {
    const sets = protocol === 'tcp' ? this.#tcp : this.#udp;
    // Copy the snapshot's set before the first write on this instance.
    if (!(this.#owned[i]! & (protocol === 'tcp' ? 1 : 2))) {
      sets[i] = new Set(sets[i]!);
      this.#owned[i]! |= protocol === 'tcp' ? 1 : 2;
    }
    const used = sets[i] as Set<number>;
    const taken = [...fixed];
    for (const port of fixed) used.add(port);
    for (let port = DYNAMIC_PORTS.first; taken.length < fixed.length + dynamic && port <= DYNAMIC_PORTS.last; port++) {
      if (!used.has(port)) {
        used.add(port);
        taken.push(port);
      }
    }
    (protocol === 'tcp' ? this.#dynamicTcpUsed : this.#dynamicUdpUsed)[i]! +=
      dynamic + fixed.filter(inDynamicRange).length;
    return taken;
  }

  /** One failure per instance, with the reason it took no (more) tasks. */
  failures(): PlacementFailure[] {
    return this.#instances.map((instance, i) => ({ arn: instance.arn, reason: this.#reasons[i] ?? 'RESOURCE:CPU' }));
  }
}

/** Fisher-Yates, with the request's seeded random source. */
function shuffle(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
}

/** A cheap, well-mixed integer hash of an index and a salt (a step of the murmur3 finalizer). */
function mix(i: number, salt: number): number {
  let h = Math.imul(i ^ salt, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function inDynamicRange(port: number): boolean {
  return port >= DYNAMIC_PORTS.first && port <= DYNAMIC_PORTS.last;
}

function countDynamic(ports: ReadonlySet<number>): number {
  let n = 0;
  for (const port of ports) if (inDynamicRange(port)) n++;
  return n;
}

/** The reasons that do not change while a call places its tasks. */
function staticReason(
  instance: InstanceSnapshot,
  needs: TaskNeeds,
  memberOf: readonly { test: (instance: InstanceSnapshot) => boolean }[],
): PlacementReason | undefined {
  if (instance.status !== 'ACTIVE') return 'INACTIVE';
  if (!instance.agentConnected) return 'AGENT';
  for (const required of needs.requiresAttributes) {
    if (!instance.attributes.has(required.name)) return 'ATTRIBUTE';
    if (required.value !== undefined && instance.attributes.get(required.name) !== required.value) return 'ATTRIBUTE';
  }
  if (!matchesPlatform(instance, needs.runtimePlatform)) return 'ATTRIBUTE';
  for (const constraint of memberOf) if (!constraint.test(instance)) return 'MemberOf constraint';
  return undefined;
}

/** LINUX runs on ecs.os-type linux, WINDOWS_* on windows; X86_64 and ARM64 on the same cpu-architecture. */
function matchesPlatform(instance: InstanceSnapshot, platform: TaskNeeds['runtimePlatform']): boolean {
  if (!platform) return true;
  const family = platform.operatingSystemFamily;
  if (family !== undefined) {
    const os = family === 'LINUX' ? 'linux' : family.startsWith('WINDOWS') ? 'windows' : family.toLowerCase();
    if ((instance.attributes.get('ecs.os-type') ?? 'linux') !== os) return false;
  }
  const arch = platform.cpuArchitecture;
  if (arch !== undefined && (instance.attributes.get('ecs.cpu-architecture') ?? 'x86_64') !== arch.toLowerCase())
    return false;
  return true;
}
