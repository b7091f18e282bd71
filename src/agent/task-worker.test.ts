import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskAssignment, TaskReport } from '../ecs/index.ts';
import { createHash } from 'node:crypto';
import type { ContainerDefinition } from '../ecs/index.ts';
import { ReportQueue, type ControlPlane } from './control-plane.ts';
import type { LogSink } from './log-shipping.ts';
import { CannotStartContainerError, type StartContext } from './runtime.ts';
import { SimulatedRuntime } from './runtime/fake/simulated-runtime.ts';
import { TaskWorker } from './task-worker.ts';

const TASK: TaskAssignment = {
  cluster: 'c',
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef0123456789abcdef',
  desiredStatus: 'RUNNING',
  lastStatus: 'PENDING',
  launchType: 'EC2',
  family: 'web',
  revision: 1,
  networkMode: 'bridge',
  cpu: 0,
  memory: 64,
  containers: [
    { name: 'app', image: 'app:1', essential: true, memory: 32 },
    { name: 'side', image: 'side:1', essential: true, memory: 32 },
  ],
  volumes: [],
  bindings: {},
  subnets: [],
  createdAt: new Date(0).toISOString(),
};

/** A control plane that records the reports it gets. */
function recorder(): ControlPlane & { reports: TaskReport[] } {
  const reports: TaskReport[] = [];
  return {
    reports,
    poll: () => Promise.reject(new Error('not polled in these tests')),
    report: async (_cluster, report) => {
      reports.push(report);
      return { lastStatus: report.lastStatus ?? 'PENDING', desiredStatus: 'RUNNING' };
    },
  };
}

const silent = { info: () => {}, warn: () => {} };

/** A worker for `task` on `runtime`, reporting to `control`, with short timeouts. */
function startWorker(task: TaskAssignment, runtime: SimulatedRuntime, control: ControlPlane): TaskWorker {
  return new TaskWorker(task, {
    runtime,
    reports: new ReportQueue(control, () => {}),
    log: silent,
    now: () => new Date(),
    stopTimeoutSeconds: 1,
    cleanupDelayMs: 60_000,
    startTimeoutSeconds: 5,
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`never: ${what}`);
}

describe('TaskWorker', () => {
  it('resumes a launch interrupted by a restart: starts the created container, creates the missing one', async () => {
    const runtime = new SimulatedRuntime();
    // The agent stopped after creating `app` and before starting it.
    const created = await runtime.createContainer(TASK, TASK.containers[0]!);
    const control = recorder();
    const worker = startWorker(TASK, runtime, control);
    await until(() => control.reports.some((r) => r.lastStatus === 'RUNNING'), 'the task reported RUNNING');
    const containers = await runtime.taskContainers(TASK.taskArn);
    assert.equal(containers.length, 2, 'no container created twice');
    assert.equal(containers.find((c) => c.name === 'app')?.id, created);
    assert.ok(containers.every((c) => c.running));
    worker.stop();
    await worker.done;
    assert.equal(control.reports.at(-1)?.lastStatus, 'STOPPED');
  });

  it('re-attaches to a task whose containers all started, without starting anything', async () => {
    const runtime = new SimulatedRuntime();
    for (const container of TASK.containers) {
      const id = await runtime.createContainer(TASK, container);
      await runtime.startContainer(id);
    }
    const before = (await runtime.taskContainers(TASK.taskArn)).map((c) => c.id).sort();
    const control = recorder();
    const worker = startWorker(TASK, runtime, control);
    await worker.known;
    await until(() => control.reports.some((r) => r.lastStatus === 'RUNNING'), 'the task reported RUNNING');
    assert.deepEqual((await runtime.taskContainers(TASK.taskArn)).map((c) => c.id).sort(), before);
    worker.stop();
    await worker.done;
  });

  it("gives a container ECS's environment, reports its image digest and opens its awslogs group as it starts", async () => {
    const contexts = new Map<string, StartContext>();
    const runtime = new (class extends SimulatedRuntime {
      override createContainer(task: TaskAssignment, container: ContainerDefinition, context?: StartContext) {
        if (context) contexts.set(container.name!, context);
        return super.createContainer(task, container);
      }
    })();
    const events: string[] = [];
    const sink: LogSink = {
      append: async (group, stream, lines, options) =>
        void events.push(`append ${group} ${stream} ${lines.length} createGroup=${options.createGroup}`),
    };
    const control = recorder();
    const task: TaskAssignment = {
      ...TASK,
      launchType: 'FARGATE',
      networkMode: 'awsvpc',
      containers: [
        {
          name: 'app',
          image: 'app:1',
          essential: true,
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' },
          },
        },
      ],
    };
    const worker = new TaskWorker(task, {
      runtime,
      reports: new ReportQueue(
        {
          ...control,
          report: async (cluster, report) => {
            events.push(`report ${report.lastStatus}`);
            return control.report(cluster, report);
          },
        },
        () => {},
      ),
      log: silent,
      now: () => new Date(),
      stopTimeoutSeconds: 1,
      cleanupDelayMs: 60_000,
      startTimeoutSeconds: 5,
      logSink: sink,
      environmentFor: () => ({ ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x' }),
    });
    await until(() => control.reports.some((r) => r.lastStatus === 'RUNNING'), 'the task reported RUNNING');
    assert.deepEqual(contexts.get('app')?.extraEnvironment, {
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x',
    });
    // The simulated runtime's digest for an image is the SHA-256 of its name.
    const digest = `sha256:${createHash('sha256').update('app:1').digest('hex')}`;
    const running = control.reports.find((r) => r.lastStatus === 'RUNNING');
    assert.equal(running?.containers?.[0]?.imageDigest, digest);
    // The group and stream exist before the task is RUNNING, with no event yet.
    const opened = events.indexOf(`append /ecs/web ecs/app/0123456789abcdef0123456789abcdef 0 createGroup=true`);
    assert.ok(opened >= 0 && opened < events.indexOf('report RUNNING'), events.join('\n'));
    worker.stop();
    await worker.done;
  });
  it('makes the container again with ports the engine picks when a placed or picked port is held by another program', async () => {
    const picks: boolean[] = [];
    let failures = 2;
    const runtime = new (class extends SimulatedRuntime {
      override createContainer(task: TaskAssignment, container: ContainerDefinition, context?: StartContext) {
        picks.push(context?.enginePicksDynamicPorts ?? false);
        return super.createContainer(task, container);
      }
      override async startContainer(id: string): Promise<void> {
        if (failures-- > 0)
          throw new CannotStartContainerError(
            'driver failed programming external connectivity on endpoint x: Error starting userland proxy: listen tcp4 0.0.0.0:49154: bind: address already in use',
          );
        await super.startContainer(id);
      }
    })();
    const control = recorder();
    const task: TaskAssignment = { ...TASK, containers: [TASK.containers[0]!] };
    const worker = startWorker(task, runtime, control);
    await until(() => control.reports.some((r) => r.lastStatus === 'RUNNING'), 'the task reported RUNNING');
    assert.deepEqual(picks, [false, true, true]);
    assert.equal(
      (await runtime.taskContainers(task.taskArn)).length,
      1,
      'the containers that failed to start are removed',
    );
    worker.stop();
    await worker.done;
  });
});
