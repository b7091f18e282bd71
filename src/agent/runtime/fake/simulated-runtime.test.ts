import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PollResponse, TaskAssignment, TaskReport } from '../../../ecs/index.ts';
import { Agent } from '../../agent.ts';
import type { ControlPlane } from '../../control-plane.ts';
import { SimulatedRuntime } from './simulated-runtime.ts';

const TASK_ARN = 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef0123456789abcdef';

function anAssignment(desiredStatus = 'RUNNING'): TaskAssignment {
  return {
    cluster: 'c',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    taskArn: TASK_ARN,
    desiredStatus,
    lastStatus: 'PENDING',
    launchType: 'EC2',
    family: 'web',
    revision: 1,
    networkMode: 'bridge',
    cpu: 256,
    memory: 256,
    containers: [{ name: 'app', image: 'web:1', essential: true }],
    volumes: [],
    bindings: {},
    subnets: [],
    createdAt: new Date(0).toISOString(),
  };
}

test('a container runs from start until it is stopped, then exits 0', async () => {
  const runtime = new SimulatedRuntime();
  const id = await runtime.createContainer(anAssignment(), { name: 'app', image: 'web:1' });
  assert.equal((await runtime.inspectContainer(id))?.running, false);
  await runtime.startContainer(id);
  assert.deepEqual(await runtime.inspectContainer(id), { id, name: 'app', running: true, started: true });
  assert.deepEqual(await runtime.ownedTasks(), [TASK_ARN]);
  const exited = runtime.waitContainer(id);
  await runtime.stopContainer(id);
  assert.equal(await exited, 0);
  assert.equal(runtime.runningCount, 0);
  await runtime.removeContainer(id);
  assert.deepEqual(await runtime.taskContainers(TASK_ARN), []);
  assert.deepEqual(await runtime.ownedTasks(), []);
});

test('a start takes the configured delay', async () => {
  const runtime = new SimulatedRuntime({ startDelayMs: 30 });
  const id = await runtime.createContainer(anAssignment(), { name: 'app', image: 'web:1' });
  const started = performance.now();
  await runtime.startContainer(id);
  // Timers may fire a millisecond early.
  assert.ok(performance.now() - started >= 25);
});

test('the agent runs a task on it to RUNNING, and stops it when the server asks', async () => {
  const runtime = new SimulatedRuntime({ cpu: 1024, memory: 1024 });
  const reports: TaskReport[] = [];
  let answer: PollResponse = { token: '1', tasks: [anAssignment()] };
  let wake: () => void = () => {};
  const control: ControlPlane = {
    async poll(token, _wait, signal) {
      if (token === answer.token)
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal?.addEventListener('abort', () => resolve());
        });
      return answer;
    },
    async report(_cluster, report) {
      reports.push(report);
      return { lastStatus: report.lastStatus, desiredStatus: 'RUNNING' };
    },
  };
  const log = { info() {}, warn() {}, error() {} };
  const agent = new Agent(runtime, {
    control,
    pollWaitSeconds: 20,
    log,
    now: () => new Date(),
    stopTimeoutSeconds: 30,
    startTimeoutSeconds: 180,
    cleanupDelayMs: 0,
  });
  agent.start();
  await waitFor(() => reports.some((r) => r.lastStatus === 'RUNNING'));
  assert.equal(runtime.runningCount, 1);
  answer = { token: '2', tasks: [anAssignment('STOPPED')] };
  wake();
  await waitFor(() => reports.some((r) => r.lastStatus === 'STOPPED'));
  assert.equal(runtime.runningCount, 0);
  await agent.stop();
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
