import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../store/index.ts';
import type { Container, HealthStatus } from './shapes.generated.ts';
import { taskBody, taskHealth, toTask } from './task-records.ts';

function record(containers: Container[]): TaskRecord {
  return {
    id: 't1',
    cluster: 'c',
    arn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1',
    family: 'web',
    launchType: 'FARGATE',
    group: 'family:web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date(0),
    reservation: { cpu: 0, memory: 0, gpus: 0, tcpPorts: [], udpPorts: [] },
    body: taskBody(
      { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1', containers, healthStatus: 'UNKNOWN' },
      { networkMode: 'awsvpc', revision: 1, bindings: {}, essentialContainers: ['app'] },
    ),
  };
}

describe('toTask', () => {
  it('shows UNKNOWN for a container without a health check, and the health of one with a check', () => {
    const task = toTask(
      record([
        { name: 'app', healthStatus: 'HEALTHY' },
        { name: 'sidecar', lastStatus: 'RUNNING' },
      ]),
      false,
    );
    assert.deepEqual(
      task.containers?.map((c) => [c.name, c.healthStatus]),
      [
        ['app', 'HEALTHY'],
        ['sidecar', 'UNKNOWN'],
      ],
    );
    assert.equal(task.tags, undefined);
  });
});

describe('taskHealth', () => {
  // [essential containers' health ('-' for no health check)], [non-essential ones'] → the task's
  const H = (value: string) => (value === '-' ? undefined : (value as HealthStatus));
  const cases: [string[], string[], HealthStatus][] = [
    [['HEALTHY', 'HEALTHY'], [], 'HEALTHY'],
    [['HEALTHY', 'UNKNOWN'], [], 'UNKNOWN'],
    [['UNHEALTHY', 'UNKNOWN'], [], 'UNHEALTHY'],
    [['UNHEALTHY', 'HEALTHY'], [], 'UNHEALTHY'],
    // An essential container without a health check does not hold the task at UNKNOWN (aws/amazon-ecs-agent#4094).
    [['HEALTHY', '-'], [], 'HEALTHY'],
    [['-'], [], 'UNKNOWN'],
    // Non-essential containers' checks do not count.
    [['HEALTHY'], ['UNHEALTHY'], 'HEALTHY'],
    [['-'], ['HEALTHY'], 'UNKNOWN'],
  ];
  for (const [essential, other, expected] of cases) {
    it(`essential [${essential.join(', ')}], others [${other.join(', ')}] → ${expected}`, () => {
      const containers: Container[] = [
        ...essential.map((h, i) => ({ name: `e${i}`, healthStatus: H(h) })),
        ...other.map((h, i) => ({ name: `o${i}`, healthStatus: H(h) })),
      ];
      const checked = new Set(containers.filter((c) => c.healthStatus !== undefined).map((c) => c.name!));
      assert.equal(taskHealth(containers, new Set(essential.map((_, i) => `e${i}`)), checked), expected);
    });
  }
});
