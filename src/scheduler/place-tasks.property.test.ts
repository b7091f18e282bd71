import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { aRequest, aTask, anInstance } from '../../testing/scheduler-builders.ts';
import { placeTasks } from './place-tasks.ts';
import { seededRandom } from './seeded-random.ts';
import type { InstanceSnapshot, PlacementRequest, PlacementStrategy } from './types.ts';

const instanceArb = fc.record({
  cpu: fc.integer({ min: 0, max: 4096 }),
  memory: fc.integer({ min: 0, max: 8192 }),
  gpus: fc.integer({ min: 0, max: 2 }),
  zone: fc.constantFrom('a', 'b', 'c'),
  inUse: fc.array(fc.constantFrom(80, 443, 8080, 49153, 49154), { maxLength: 3 }),
  running: fc.integer({ min: 0, max: 2 }),
  status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'),
});

const strategyArb: fc.Arbitrary<PlacementStrategy> = fc.oneof(
  fc.constant<PlacementStrategy>({ type: 'random' }),
  fc.constantFrom<PlacementStrategy>({ type: 'binpack', field: 'cpu' }, { type: 'binpack', field: 'memory' }),
  fc.constantFrom<PlacementStrategy>(
    { type: 'spread', field: 'instanceId' },
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
  ),
);

const requestArb = fc
  .record({
    instances: fc.array(instanceArb, { minLength: 1, maxLength: 12 }),
    cpu: fc.integer({ min: 0, max: 1024 }),
    memory: fc.integer({ min: 1, max: 2048 }),
    gpus: fc.integer({ min: 0, max: 1 }),
    tcpPorts: fc.array(fc.constantFrom(80, 443, 8080), { maxLength: 2 }).map((ports) => [...new Set(ports)]),
    dynamic: fc.integer({ min: 0, max: 2 }),
    count: fc.integer({ min: 1, max: 10 }),
    distinct: fc.boolean(),
    zoneOnly: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
    strategies: fc.array(strategyArb, { maxLength: 3 }),
    seed: fc.integer(),
  })
  .map(({ instances, zoneOnly, distinct, seed, ...t }) => {
    const snapshots = instances.map((i, n) =>
      anInstance(`i${n}`)
        .withCpu(i.cpu)
        .withMemory(i.memory)
        .withGpus(i.gpus)
        .withAttribute('ecs.availability-zone', i.zone)
        .withTcpPortsInUse(...i.inUse)
        .withTasks('service:web', i.running)
        .withStatus(i.status)
        .build(),
    );
    const request: PlacementRequest = aRequest(snapshots, {
      needs: aTask({ cpu: t.cpu, memory: t.memory, gpus: t.gpus, tcpPorts: t.tcpPorts, dynamicTcpPorts: t.dynamic }),
      count: t.count,
      strategies: t.strategies,
      random: seededRandom(seed),
      constraints: [
        ...(distinct ? [{ type: 'distinctInstance' as const }] : []),
        ...(zoneOnly
          ? [
              {
                type: 'memberOf' as const,
                expression: `attribute:ecs.availability-zone == ${zoneOnly}`,
                test: (x: InstanceSnapshot) => x.attributes.get('ecs.availability-zone') === zoneOnly,
              },
            ]
          : []),
      ],
    });
    return { request, seed };
  });

describe('placeTasks: properties', () => {
  it('never over-commits CPU, memory, GPUs or ports, never breaks a constraint, and accounts for every task', () => {
    fc.assert(
      fc.property(requestArb, ({ request }) => {
        const result = placeTasks(request);
        assert.ok(result.placements.length <= request.count);
        if (result.placements.length < request.count) assert.ok(result.failures.length > 0);
        const byInstance = new Map<string, number>();
        for (const p of result.placements) byInstance.set(p.instanceArn, (byInstance.get(p.instanceArn) ?? 0) + 1);
        for (const instance of request.instances) {
          const n = byInstance.get(instance.arn) ?? 0;
          if (n === 0) continue;
          assert.equal(instance.status, 'ACTIVE');
          assert.ok(n * request.needs.cpu <= instance.remaining.cpu, 'CPU over-committed');
          assert.ok(n * request.needs.memory <= instance.remaining.memory, 'memory over-committed');
          assert.ok(n * request.needs.gpus <= instance.remaining.gpus, 'GPUs over-committed');
          const ports = result.placements.filter((p) => p.instanceArn === instance.arn).flatMap((p) => p.tcpPorts);
          assert.equal(new Set(ports).size, ports.length, 'a host port given twice');
          for (const port of ports) assert.ok(!instance.remaining.tcpPorts.has(port), `port ${port} was in use`);
          for (const c of request.constraints) {
            if (c.type === 'memberOf') assert.ok(c.test(instance), 'memberOf broken');
            if (c.type === 'distinctInstance')
              assert.ok(n + (instance.groupCounts.get(request.needs.group) ?? 0) <= 1, 'distinctInstance broken');
          }
        }
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });

  it('is deterministic for a given seed', () => {
    fc.assert(
      fc.property(requestArb, ({ request, seed }) => {
        const again = { ...request, random: seededRandom(seed) };
        const first = placeTasks({ ...request, random: seededRandom(seed) });
        assert.deepEqual(placeTasks(again), first);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('keeps spread within one of even where every instance can take every task', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 40 }), (instances, count) => {
        const snapshots = Array.from({ length: instances }, (_, i) =>
          anInstance(`i${i}`).withCpu(100_000).withMemory(100_000).build(),
        );
        const result = placeTasks(
          aRequest(snapshots, { count, strategies: [{ type: 'spread', field: 'instanceId' }] }),
        );
        const counts = snapshots.map((s) => result.placements.filter((p) => p.instanceArn === s.arn).length);
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `uneven: ${counts.join(',')}`);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
