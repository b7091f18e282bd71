import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskMinuteUsage } from './task-telemetry.ts';
import { ecsMetricData, percentOf, type InstanceCapacity } from './utilization-metrics.ts';

const MINUTE = Date.parse('2026-01-01T00:01:00Z');

function task(id: string, fields: Partial<TaskMinuteUsage>): TaskMinuteUsage {
  return {
    minute: MINUTE,
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/prod/${id}`,
    cluster: 'prod',
    reservedCpu: 256,
    reservedMemory: 512,
    cpu: 0,
    memory: 0,
    ...fields,
  };
}

function find(data: ReturnType<typeof ecsMetricData>, name: string, service?: string) {
  return data.find(
    (d) =>
      d.MetricName === name &&
      (service === undefined
        ? d.Dimensions.length === 1
        : d.Dimensions.some((x) => x.Name === 'ServiceName' && x.Value === service)),
  );
}

describe('percentOf', () => {
  it('averages as the group, extremes as the members', () => {
    // 100 x (256 + 0) / (256 + 256) = 50; members 100 and 0
    assert.deepEqual(
      percentOf([
        { used: 256, of: 256 },
        { used: 0, of: 256 },
      ]),
      { SampleCount: 2, Sum: 100, Minimum: 0, Maximum: 100 },
    );
  });
  it('weighs members by what they reserve, not equally', () => {
    // 100 x (512 + 0) / (1024 + 256) = 40 (the members' mean would be 25)
    const set = percentOf([
      { used: 512, of: 1024 },
      { used: 0, of: 256 },
    ])!;
    assert.equal(set.Sum / set.SampleCount, 40);
  });
  it('leaves out members with nothing reserved; none left, no datum', () => {
    assert.equal(percentOf([{ used: 5, of: 0 }]), undefined);
    assert.equal(percentOf([]), undefined);
  });
});

describe('ecsMetricData', () => {
  it('gives a FARGATE service its CPU and memory utilization, and its cluster nothing', () => {
    const data = ecsMetricData(
      [
        task('busy', { serviceName: 'web', cpu: 240, memory: 128 }),
        task('idle', { serviceName: 'web', cpu: 16, memory: 0 }),
      ],
      new Map(),
    );
    assert.deepEqual(
      data.map((d) => [d.MetricName, d.Dimensions.map((x) => x.Value).join('/')]),
      [
        ['CPUUtilization', 'prod/web'],
        ['MemoryUtilization', 'prod/web'],
      ],
    );
    const cpu = find(data, 'CPUUtilization', 'web')!;
    // 100 x (240 + 16) / (256 + 256) = 50; tasks 93.75 and 6.25
    assert.deepEqual(cpu.StatisticValues, { SampleCount: 2, Sum: 100, Minimum: 6.25, Maximum: 93.75 });
    assert.equal(cpu.Unit, 'Percent');
    assert.deepEqual(cpu.Timestamp, new Date(MINUTE));
    // 100 x 128 / (512 + 512) = 12.5
    const memory = find(data, 'MemoryUtilization', 'web')!.StatisticValues!;
    assert.equal(memory.Sum / memory.SampleCount, 12.5);
  });

  it('measures an EC2 cluster against its instances, tasks of no service included, FARGATE left out', () => {
    const instances: InstanceCapacity[] = [
      { id: 'i1', registeredCpu: 2048, registeredMemory: 4096, reservedCpu: 512, reservedMemory: 1024 },
      { id: 'i2', registeredCpu: 2048, registeredMemory: 4096, reservedCpu: 0, reservedMemory: 0 },
    ];
    const data = ecsMetricData(
      [
        task('a', { containerInstance: 'i1', serviceName: 'api', cpu: 1024, memory: 1024 }),
        task('b', { containerInstance: 'i1', cpu: 512, memory: 0 }),
        task('f', { serviceName: 'api', cpu: 256, memory: 512 }),
      ],
      new Map([['prod', instances]]),
    );
    const stat = (name: string) => find(data, name)!.StatisticValues!;
    // (1024 + 512) / (2048 + 2048) = 37.5%; i1 75%, i2 0%
    assert.deepEqual(stat('CPUUtilization'), { SampleCount: 2, Sum: 75, Minimum: 0, Maximum: 75 });
    // 1024 / 8192 = 12.5%; i1 25%
    assert.deepEqual(stat('MemoryUtilization'), { SampleCount: 2, Sum: 25, Minimum: 0, Maximum: 25 });
    // 512 / 4096 = 12.5%; i1 25%
    assert.deepEqual(stat('CPUReservation'), { SampleCount: 2, Sum: 25, Minimum: 0, Maximum: 25 });
    assert.deepEqual(stat('MemoryReservation'), { SampleCount: 2, Sum: 25, Minimum: 0, Maximum: 25 });
    // The service counts its EC2 and FARGATE tasks alike: (1024 + 256) / (256 + 256) = 250%
    const api = find(data, 'CPUUtilization', 'api')!.StatisticValues!;
    assert.equal(api.Sum / api.SampleCount, 250);
  });

  it('keeps minutes and clusters apart', () => {
    const data = ecsMetricData(
      [
        task('a', { serviceName: 'web', cpu: 128 }),
        task('a', { serviceName: 'web', cpu: 256, minute: MINUTE + 60_000 }),
        task('c', { serviceName: 'web', cpu: 64, cluster: 'test' }),
      ],
      new Map(),
    );
    const cpu = data.filter((d) => d.MetricName === 'CPUUtilization');
    assert.deepEqual(
      cpu.map((d) => [d.Timestamp.toISOString(), d.Dimensions[0]!.Value, d.StatisticValues!.Sum]),
      [
        ['2026-01-01T00:01:00.000Z', 'prod', 50],
        ['2026-01-01T00:02:00.000Z', 'prod', 100],
        ['2026-01-01T00:01:00.000Z', 'test', 25],
      ],
    );
  });

  it('has no CPUUtilization for a service whose tasks reserve no CPU (EC2 without cpu)', () => {
    const data = ecsMetricData([task('a', { serviceName: 'web', reservedCpu: 0, cpu: 30, memory: 64 })], new Map());
    assert.deepEqual(
      data.map((d) => d.MetricName),
      ['MemoryUtilization'],
    );
  });
});
