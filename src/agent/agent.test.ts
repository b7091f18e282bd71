import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ContainerDefinition, PollResponse, TaskAssignment } from '../ecs/index.ts';
import { Agent } from './agent.ts';
import type { ControlPlane } from './control-plane.ts';
import { startMetadataServer, type MetadataServer } from './metadata/metadata-server.ts';
import type { StartContext } from './runtime.ts';
import { SimulatedRuntime } from './runtime/fake/simulated-runtime.ts';

// The agent and the task metadata endpoint: a container may ask for its metadata the moment it
// starts, so the endpoint must know the task before the first container starts, and until the
// task's containers are removed.

const TASK: TaskAssignment = {
  cluster: 'c',
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef0123456789abcdef',
  desiredStatus: 'RUNNING',
  lastStatus: 'PENDING',
  launchType: 'EC2',
  family: 'web',
  revision: 1,
  // host mode: the containers reach the endpoint on 127.0.0.1.
  networkMode: 'host',
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

/** What a container got from the endpoint when it started: its v4 task and container documents. */
interface Fetched {
  readonly container: string;
  readonly task: { status: number; body: { TaskARN?: string } };
  readonly self: { status: number; body: { Name?: string } };
}

/** Runs nothing, but each container fetches its metadata from its own URI when it starts. */
class FetchingRuntime extends SimulatedRuntime {
  readonly fetched: Fetched[] = [];
  readonly #uris = new Map<string, { name: string; uri: string }>();

  override async createContainer(
    task: TaskAssignment,
    container: ContainerDefinition,
    context?: StartContext,
  ): Promise<string> {
    const id = await super.createContainer(task, container);
    this.#uris.set(id, { name: container.name!, uri: context!.extraEnvironment.ECS_CONTAINER_METADATA_URI_V4! });
    return id;
  }

  override async startContainer(id: string): Promise<void> {
    const { name, uri } = this.#uris.get(id)!;
    this.fetched.push({ container: name, task: await get(`${uri}/task`), self: await get(uri) });
    await super.startContainer(id);
  }
}

async function get(url: string): Promise<{ status: number; body: never }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as never };
}

/** Hands the agent each answer pushed, one per poll; a poll with nothing new waits for one. */
function scriptedControlPlane(): ControlPlane & { answer(tasks: readonly TaskAssignment[]): void } {
  const answers: PollResponse[] = [];
  let wake = () => {};
  return {
    answer(tasks) {
      answers.push({ token: String(answers.length), tasks });
      wake();
    },
    async poll(_token, _wait, signal) {
      while (answers.length === 0) {
        if (signal?.aborted) throw new Error('aborted');
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      return answers.shift()!;
    },
    report: async (_cluster, report) => ({ lastStatus: report.lastStatus ?? 'PENDING', desiredStatus: 'RUNNING' }),
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`never: ${what}`);
}

const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe('Agent and the task metadata endpoint', () => {
  let metadata: MetadataServer;

  before(async () => {
    metadata = await startMetadataServer({
      addresses: { host: '127.0.0.1' },
      port: 0,
      secret: 'test secret',
      source: { stats: async () => undefined },
    });
  });
  after(() => metadata.close());

  it('serves the task from before its first container starts until its containers are removed', async () => {
    const runtime = new FetchingRuntime();
    const control = scriptedControlPlane();
    const agent = new Agent(runtime, {
      control,
      pollWaitSeconds: 1,
      log: silent,
      now: () => new Date(),
      stopTimeoutSeconds: 1,
      cleanupDelayMs: 500,
      startTimeoutSeconds: 5,
      metadata,
      environmentFor: (task, container) => metadata.environmentFor(task, container),
    });
    control.answer([TASK]);
    agent.start();
    try {
      await until(() => runtime.fetched.length === 2, 'both containers started');
      for (const { container, task, self } of runtime.fetched) {
        assert.equal(task.status, 200, `${container}: the task document as it starts`);
        assert.equal(task.body.TaskARN, TASK.taskArn);
        assert.equal(self.status, 200, `${container}: its container document as it starts`);
        assert.equal(self.body.Name, container);
      }

      // STOPPED: still served while the stopped containers are kept, gone once they are removed.
      const uri = metadata.uriFor(TASK, 'app')!;
      control.answer([{ ...TASK, desiredStatus: 'STOPPED' }]);
      await until(async () => (await runtime.taskContainers(TASK.taskArn)).every((c) => !c.running), 'stopped');
      assert.equal((await get(`${uri}/task`)).status, 200, 'served until the containers are removed');
      await until(async () => (await runtime.taskContainers(TASK.taskArn)).length === 0, 'containers removed');
      await until(async () => (await get(`${uri}/task`)).status === 404, 'deregistered after the cleanup');
    } finally {
      await agent.stop();
    }
  });
});
