import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aRequest, aTask, anInstance } from '../../testing/scheduler-builders.ts';
import { planDaemon } from './daemon.ts';
import { memberOf } from './member-of.ts';
import { placeTasks } from './place-tasks.ts';
import { chooseTasksToStop, type RunningTask } from './scale-in.ts';
import { unplacedMessage } from './unplaced-message.ts';

const arnOf = (id: string) => `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${id}`;

describe('planDaemon', () => {
  it('starts one task per eligible instance, stops extras and those that stopped qualifying', () => {
    const needs = aTask({ group: 'service:agent', memory: 512 });
    const instances = [
      anInstance('new').withAttribute('role', 'worker').build(),
      anInstance('has-one').withAttribute('role', 'worker').withTasks('service:agent', 1).build(),
      anInstance('two').withAttribute('role', 'worker').withTasks('service:agent', 2).build(),
      anInstance('draining')
        .withAttribute('role', 'worker')
        .withStatus('DRAINING')
        .withTasks('service:agent', 1)
        .build(),
      anInstance('not-worker').withTasks('service:agent', 1).build(),
      anInstance('full').withAttribute('role', 'worker').withMemory(100).build(),
    ];
    const plan = planDaemon(instances, needs, [memberOf('attribute:role == worker')]);
    assert.deepEqual(plan.start, [arnOf('new')]);
    assert.deepEqual(plan.stop, [arnOf('two'), arnOf('draining'), arnOf('not-worker')]);
    assert.deepEqual(plan.unplaceable, [{ arn: arnOf('full'), reason: 'RESOURCE:MEMORY' }]); // 100 < 512
  });
});

describe('chooseTasksToStop', () => {
  const task = (arn: string, zone: string, instanceId: string, extra: Partial<RunningTask> = {}): RunningTask => ({
    taskArn: arn,
    instanceId,
    attributes: new Map([['ecs.availability-zone', zone]]),
    protected: false,
    instanceCpu: 1024,
    instanceMemory: 2048,
    startedAt: 0,
    ...extra,
  });

  it('spread in reverse: stops from the most crowded zone first, keeping zones balanced', () => {
    const tasks = [
      task('a1', 'a', 'i1'),
      task('a2', 'a', 'i2'),
      task('a3', 'a', 'i3'),
      task('b1', 'b', 'i4'),
      task('c1', 'c', 'i5'),
    ];
    const stopped = chooseTasksToStop(tasks, 2, [{ type: 'spread', field: 'attribute:ecs.availability-zone' }]);
    assert.equal(stopped.length, 2);
    assert.ok(stopped.every((arn) => arn.startsWith('a'))); // 3/1/1 → 1/1/1
  });

  it('never stops a protected task, and takes the newest among equals', () => {
    const tasks = [
      task('old', 'a', 'i1', { startedAt: 1 }),
      task('new', 'a', 'i2', { startedAt: 2 }),
      task('kept', 'a', 'i3', { startedAt: 3, protected: true }),
    ];
    assert.deepEqual(chooseTasksToStop(tasks, 3, []), ['new', 'old']);
  });

  it('binpack in reverse: empties the instance with the most left', () => {
    const tasks = [
      task('packed', 'a', 'i1', { instanceMemory: 100 }),
      task('loose', 'a', 'i2', { instanceMemory: 4000 }),
    ];
    assert.deepEqual(chooseTasksToStop(tasks, 1, [{ type: 'binpack', field: 'memory' }]), ['loose']);
  });
});

describe('runtime platform and the unplaced-task event', () => {
  it('places ARM64 tasks only on arm64 instances', () => {
    const instances = [
      anInstance('x86').build(),
      anInstance('arm').withAttribute('ecs.cpu-architecture', 'arm64').build(),
    ];
    const result = placeTasks(
      aRequest(instances, {
        needs: aTask({ runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } }),
      }),
    );
    assert.deepEqual(
      result.placements.map((p) => p.instanceArn),
      [arnOf('arm')],
    );
  });

  it('names the closest instance and why, as ECS service events do', () => {
    const result = placeTasks(
      aRequest([anInstance('far').withStatus('DRAINING').build(), anInstance('near').withMemory(100).build()]),
    );
    assert.equal(
      unplacedMessage('web', result.failures),
      'service web was unable to place a task because no container instance met all of its requirements. The closest matching container-instance near has insufficient memory available.',
    );
  });
});
