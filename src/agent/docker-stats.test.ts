import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { cpuUnitsBetween, readDockerStats } from './docker-stats.ts';

/** Stats documents Docker 28 (cgroup v1) sent for busybox containers on a 2-CPU host. */
function fixture(name: string): object {
  return JSON.parse(readFileSync(new URL(`../../testing/fixtures/${name}`, import.meta.url), 'utf8')) as object;
}

describe('readDockerStats', () => {
  it('reads a CPU-bound container (--cpus 0.5): about 0.4 CPU over the second before', () => {
    const sample = readDockerStats(fixture('docker-stats-cgroup1-burning.json'))!;
    assert.deepEqual(sample.cpu, { totalUsage: 1_862_354_337, systemUsage: 75_700_610_000_000, onlineCpus: 2 });
    // (1862354337 - 1456212044) / (75700610000000 - 75698620000000) x 2 CPUs x 1024
    // = 406142293 / 1990000000 x 2048 = 417.98 CPU units
    assert.equal(Math.round(cpuUnitsBetween(sample.precpu!, sample.cpu)! * 100) / 100, 417.98);
    // usage 663552 less total_inactive_file 0
    assert.equal(sample.memoryBytes, 663_552);
  });

  it('reads an idle container (sleep): next to no CPU', () => {
    const sample = readDockerStats(fixture('docker-stats-cgroup1-idle.json'))!;
    const units = cpuUnitsBetween(sample.precpu!, sample.cpu)!;
    assert.ok(units >= 0 && units < 5, `idle used ${units} CPU units`);
    assert.equal(sample.memoryBytes, 323_584);
  });

  it('takes the inactive file cache off the usage, cgroup v1 and v2', () => {
    const cpu = { cpu_usage: { total_usage: 10 }, system_cpu_usage: 100, online_cpus: 1 };
    const v1 = { cpu_stats: cpu, memory_stats: { usage: 10_000, stats: { total_inactive_file: 4_000 } } };
    const v2 = { cpu_stats: cpu, memory_stats: { usage: 10_000, stats: { inactive_file: 3_000 } } };
    assert.equal(readDockerStats(v1)!.memoryBytes, 6_000);
    assert.equal(readDockerStats(v2)!.memoryBytes, 7_000);
    // A cache larger than the usage (it happens while cgroup counters settle): the usage as it is.
    const odd = { cpu_stats: cpu, memory_stats: { usage: 1_000, stats: { inactive_file: 3_000 } } };
    assert.equal(readDockerStats(odd)!.memoryBytes, 1_000);
  });

  it('counts the per-CPU list when an old engine sends no online_cpus', () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 10, percpu_usage: [5, 5, 0, 0] }, system_cpu_usage: 100 },
      memory_stats: { usage: 1 },
    };
    assert.equal(readDockerStats(stats)!.cpu.onlineCpus, 4);
  });

  it('has no sample for a stopped container (zeros) or a one-shot document without precpu', () => {
    const stopped = { cpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 }, memory_stats: {} };
    assert.equal(readDockerStats(stopped), undefined);
    const oneShot = { cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 9, online_cpus: 2 } };
    assert.equal(readDockerStats({ ...oneShot, memory_stats: { usage: 1 } })!.precpu, undefined);
  });
});

describe('cpuUnitsBetween', () => {
  const at = (totalUsage: number, systemUsage: number) => ({ totalUsage, systemUsage, onlineCpus: 2 });
  const cases: [string, ReturnType<typeof at>, ReturnType<typeof at>, number | undefined][] = [
    // 1e9 of 2e9 host ns on 2 CPUs = 1 CPU = 1024 units
    ['one whole CPU of two', at(0, 0), at(1e9, 2e9), 1024],
    ['both CPUs', at(0, 0), at(2e9, 2e9), 2048],
    ['idle', at(5, 0), at(5, 2e9), 0],
    ['the host clock did not move', at(0, 5), at(1, 5), undefined],
    ['the container restarted (its clock went back)', at(9e9, 0), at(1e9, 2e9), undefined],
  ];
  for (const [name, before, after, expected] of cases) {
    it(name, () => assert.equal(cpuUnitsBetween(before, after), expected));
  }
});
