import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskUsageSample } from '../ecs/index.ts';
import { TelemetrySampler, type SampledTask } from './telemetry-sampler.ts';

const MIB = 1024 * 1024;

/** A stats document: container CPU ns, host CPU ns (2 CPUs), memory bytes; precpu 1 s of host time before. */
function stats(total: number, system: number, memory: number, preTotal = total) {
  return {
    cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: preTotal }, system_cpu_usage: system - 2e9, online_cpus: 2 },
    memory_stats: { usage: memory, stats: { total_inactive_file: 0 } },
  };
}

function sampler(documents: Map<string, object | undefined>, tasks: SampledTask[]) {
  const sent: TaskUsageSample[][] = [];
  const warnings: string[] = [];
  const instance = new TelemetrySampler({
    stats: async (id) => {
      if (id === 'broken') throw new Error('engine down');
      return documents.get(id);
    },
    control: {
      telemetry: async (samples) => {
        if (samples.some((s) => s.taskArn === 'refused')) throw new Error('400');
        sent.push([...samples]);
      },
    },
    tasks: () => tasks,
    intervalMs: 20_000,
    now: () => new Date('2026-01-01T00:00:20Z'),
    log: { warn: (_obj, msg) => warnings.push(msg) },
  });
  return { instance, sent, warnings };
}

describe('TelemetrySampler', () => {
  it("sums a task's containers; CPU from Docker's own precpu first, then since the previous period", async () => {
    const documents = new Map<string, object | undefined>([
      // 1e9 of 2e9 host ns → 1 CPU = 1024 units; the second container idle
      ['c1', stats(3e9, 100e9, 64 * MIB, 2e9)],
      ['c2', stats(5e9, 100e9, 32 * MIB)],
    ]);
    const { instance, sent } = sampler(documents, [{ taskArn: 't1', containerIds: ['c1', 'c2'] }]);
    await instance.sendOnce();
    assert.deepEqual(sent, [[{ taskArn: 't1', timestamp: new Date('2026-01-01T00:00:20Z'), cpu: 1024, memory: 96 }]]);
    // 20 s later: c1 used 10e9 of 40e9 host ns → half a CPU = 512 units, whatever its precpu says
    documents.set('c1', stats(13e9, 140e9, 64 * MIB, 13e9));
    documents.set('c2', stats(5e9, 140e9, 32 * MIB));
    await instance.sendOnce();
    assert.equal(sent[1]![0]!.cpu, 512);
  });

  it('leaves out tasks with no readable container, and sends nothing when none is left', async () => {
    const documents = new Map<string, object | undefined>([['gone', undefined]]);
    const { instance, sent } = sampler(documents, [
      { taskArn: 't1', containerIds: ['gone', 'broken'] },
      { taskArn: 't2', containerIds: [] },
    ]);
    await instance.sendOnce();
    assert.deepEqual(sent, []);
  });

  it('drops a period the server refuses, with a warning', async () => {
    const documents = new Map<string, object | undefined>([['c1', stats(1e9, 10e9, MIB)]]);
    const { instance, sent, warnings } = sampler(documents, [{ taskArn: 'refused', containerIds: ['c1'] }]);
    await instance.sendOnce();
    assert.deepEqual(sent, []);
    assert.deepEqual(warnings, ['task telemetry not delivered']);
  });
});
