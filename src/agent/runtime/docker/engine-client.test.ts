import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ContainerDefinition } from '../../../ecs/shapes.generated.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../../../testing/docker.ts';
import type { BuiltImage } from '../../../../testing/docker.ts';
import { dockerCreateBody, pauseContainerCreateBody } from './container-config.ts';
import type { DockerCreateBody, TaskRuntimeContext } from './container-config.ts';
import { DockerEngine, DockerEngineError } from './engine-client.ts';
import type { EngineEvent } from './engine-types.ts';
import { ensurePauseImage } from './pause-image.ts';

// DockerEngine against the real engine. Other sessions share it: everything made here carries the
// label RUN_LABEL=<run> and a name with <run> in it, and `after` removes all of it.

const RUN_LABEL = 'berth.test.run';

describe(
  'DockerEngine against a real Docker engine',
  { skip: dockerSkipReason() || busyboxSkipReason(), timeout: 300_000 },
  () => {
    const run = randomUUID().slice(0, 8);
    const engine = new DockerEngine();
    const session = new DockerSession();
    const networks: string[] = [];
    let image: BuiltImage;
    let created = 0;
    const task: TaskRuntimeContext = {
      clusterName: 'default',
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${run}`,
      family: `rt-${run}`,
      revision: 1,
      networkMode: 'bridge',
      containerCount: 1,
    };

    before(async () => {
      image = await session.buildBusyboxImage(`berth-rt-${run}:1`);
    });
    after(async () => {
      for (const container of await engine.listContainers({ all: true, labels: { [RUN_LABEL]: run } })) {
        await engine.removeContainer(container.Id, { force: true, volumes: true });
      }
      for (const network of networks) await engine.removeNetwork(network);
      await engine.removeVolume(`berth-rt-${run}`);
      await session.cleanup();
      engine.close();
    });

    /** Creates a container from a Docker body (the test image unless it names one), labelled for cleanup. */
    async function create(body: Partial<DockerCreateBody> & object): Promise<string> {
      const labels = { ...body.Labels, [RUN_LABEL]: run };
      return engine.createContainer(`berth-rt-${run}-${++created}`, { Image: image.tag, ...body, Labels: labels });
    }

    /** The same, from an ECS container definition through dockerCreateBody. */
    function createFromDefinition(
      definition: Omit<ContainerDefinition, 'image'>,
      context: Partial<TaskRuntimeContext> = {},
    ) {
      return create(dockerCreateBody({ image: image.tag, ...definition }, { ...task, ...context }));
    }

    async function logsOf(id: string): Promise<string[]> {
      const lines: string[] = [];
      for await (const entry of engine.containerLogs(id, { follow: true }))
        lines.push(`${entry.stream}: ${entry.line}`);
      return lines;
    }

    /** Events matching `filters` from `since` until one satisfies `wanted` (or 60 s pass). */
    async function firstEvent(filters: Record<string, string[]>, since: Date, wanted: (event: EngineEvent) => boolean) {
      for await (const event of engine.events({ filters, since, signal: AbortSignal.timeout(60_000) })) {
        if (wanted(event)) return event;
      }
      return undefined;
    }

    it('answers ping, info and version', async () => {
      await engine.ping();
      const info = await engine.info();
      assert.ok(info.cpus >= 1 && info.memoryBytes > 0, JSON.stringify(info));
      assert.ok((await engine.version()).ApiVersion);
    });

    it("rejects a pull from an unreachable registry with the daemon's message", async () => {
      await assert.rejects(engine.pullImage('127.0.0.1:1/nope:latest'), (error: unknown) => {
        assert.ok(error instanceof DockerEngineError);
        assert.match(error.message, /127\.0\.0\.1:1/);
        return true;
      });
    });

    it('finds the image it has and not one it lacks', async () => {
      assert.equal(await engine.imageExists(image.tag), true);
      assert.equal((await engine.inspectImage(image.tag))?.Id, image.id);
      assert.equal(await engine.imageExists(`berth-rt-${run}-missing:1`), false);
    });

    it('creates, starts and waits for a container, returning its exit code', async () => {
      const id = await create({ Cmd: ['sh', '-c', 'exit 3'] });
      await engine.startContainer(id);
      assert.deepEqual(await engine.waitContainer(id), { exitCode: 3 });
      assert.equal((await engine.inspectContainer(id))?.State.Status, 'exited');
      await engine.removeContainer(id);
      assert.equal(await engine.inspectContainer(id), undefined);
      await engine.removeContainer(id); // already gone: fine
    });

    it('delivers every line of a container that prints and exits at once, stdout and stderr apart', async () => {
      const id = await create({ Cmd: ['sh', '-c', 'echo one; echo two >&2; printf three'] });
      await engine.startContainer(id);
      const lines = await logsOf(id);
      // Docker reads the two pipes separately: order holds within a stream, not across them.
      assert.deepEqual(
        lines.filter((line) => line.startsWith('stdout')),
        ['stdout: one', 'stdout: three'],
      );
      assert.deepEqual(
        lines.filter((line) => line.startsWith('stderr')),
        ['stderr: two'],
      );
      const since = new Date(Date.now() - 60_000);
      for await (const entry of engine.containerLogs(id, { since })) {
        assert.ok(entry.timestamp.getTime() > since.getTime() && entry.timestamp.getTime() <= Date.now());
      }
    });

    it('stops a container that traps SIGTERM gracefully, and kills one that ignores it after the timeout', async () => {
      const graceful = await create({
        Cmd: ['sh', '-c', 'trap "echo got TERM; exit 7" TERM; while true; do sleep 0.1; done'],
      });
      const stubborn = await create({ Cmd: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] });
      await Promise.all([engine.startContainer(graceful), engine.startContainer(stubborn)]);
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the shells install their traps
      await Promise.all([engine.stopContainer(graceful, 30), engine.stopContainer(stubborn, 1)]);
      assert.equal((await engine.inspectContainer(graceful))?.State.ExitCode, 7);
      assert.deepEqual(await logsOf(graceful), ['stdout: got TERM']);
      assert.equal((await engine.inspectContainer(stubborn))?.State.ExitCode, 137); // 128 + SIGKILL
      await engine.stopContainer(graceful, 1); // already stopped (304): fine
    });

    it('lists containers by label value and by label presence', async () => {
      const a = await create({ Cmd: ['true'], Labels: { 'berth.test.role': 'a' } });
      const b = await create({ Cmd: ['true'], Labels: { 'berth.test.role': 'b' } });
      const ids = async (labels: Record<string, string | undefined>) =>
        (await engine.listContainers({ all: true, labels })).map((c) => c.Id).sort();
      assert.deepEqual(await ids({ [RUN_LABEL]: run, 'berth.test.role': 'a' }), [a]);
      assert.deepEqual(await ids({ [RUN_LABEL]: run, 'berth.test.role': undefined }), [a, b].sort());
      assert.deepEqual(await engine.listContainers({ labels: { [RUN_LABEL]: run, 'berth.test.role': 'a' } }), []); // not running
    });

    it('reports a die event with the exit code for a container it started', async () => {
      const since = new Date(Date.now() - 1000);
      const id = await create({ Cmd: ['sh', '-c', 'exit 4'] });
      await engine.startContainer(id);
      const filters = { type: ['container'], event: ['die'], label: [`${RUN_LABEL}=${run}`] };
      const died = await firstEvent(filters, since, (event) => event.Actor.ID === id);
      assert.equal(died?.Action, 'die');
      assert.equal(died?.Actor.Attributes.exitCode, '4');
      assert.equal(died?.Actor.Attributes[RUN_LABEL], run);
    });

    it('takes a health check from a task definition to unhealthy, with a health_status event', async () => {
      const since = new Date(Date.now() - 1000);
      const id = await createFromDefinition({
        name: 'checked',
        command: ['sleep', '120'],
        // ECS asks for interval ≥ 5 s; Docker takes 1 s, which keeps this test short.
        healthCheck: { command: ['CMD', '/bin/busybox', 'false'], interval: 1, timeout: 1, retries: 2 },
      });
      await engine.startContainer(id);
      const filters = { type: ['container'], event: ['health_status'], container: [id] };
      const event = await firstEvent(filters, since, (e) => e.Action === 'health_status: unhealthy');
      assert.ok(event, 'no health_status: unhealthy event');
      const state = (await engine.inspectContainer(id))?.State;
      assert.equal(state?.Health?.Status, 'unhealthy');
      assert.ok((state?.Health?.FailingStreak ?? 0) >= 2);
    });

    it('runs a task definition in bridge mode: placed host port, volume, env, limits, init', async () => {
      const hostPort = await freePort();
      const volume = await engine.createVolume(`berth-rt-${run}`, { labels: { [RUN_LABEL]: run } });
      const id = await createFromDefinition(
        {
          name: 'web',
          entryPoint: ['/bin/busybox', 'sh', '-c'],
          command: ['echo "$GREETING" > /www/index.html && exec /bin/busybox httpd -f -p 8080 -h /www'],
          environment: [{ name: 'GREETING', value: `hello ${run}` }],
          portMappings: [{ containerPort: 8080, hostPort: 0 }],
          mountPoints: [{ sourceVolume: 'www', containerPath: '/www' }],
          memory: 64,
          cpu: 128,
          ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 2048 }],
          linuxParameters: { initProcessEnabled: true, tmpfs: [{ containerPath: '/scratch', size: 8 }] },
        },
        {
          hostIp: '127.0.0.1',
          hostPortBindings: [{ containerName: 'web', containerPort: 8080, protocol: 'tcp', hostPort }],
          volumes: { www: { volumeName: volume } },
        },
      );
      await engine.startContainer(id);
      assert.equal(await fetchText(`http://127.0.0.1:${hostPort}/`), `hello ${run}\n`);
      const inspected = await engine.inspectContainer(id);
      assert.equal(inspected?.Config.Labels?.['com.amazonaws.ecs.container-name'], 'web');
      assert.deepEqual(inspected?.NetworkSettings.Ports?.['8080/tcp'], [
        { HostIp: '127.0.0.1', HostPort: String(hostPort) },
      ]);
      await engine.stopContainer(id, 5);
    });

    it('runs an awsvpc task: containers joined to a pause container share its network namespace', async () => {
      const pauseImage = `berth-rt-pause-${run}:1`;
      session.track(pauseImage);
      await Promise.all([
        ensurePauseImage(engine, { image: pauseImage }),
        ensurePauseImage(engine, { image: pauseImage }),
      ]);
      await ensurePauseImage(engine, { image: pauseImage }); // present: no second import
      const network = `berth-rt-${run}`;
      networks.push(network);
      await engine.ensureNetwork(network, { labels: { [RUN_LABEL]: run } });
      const awsvpc: Partial<TaskRuntimeContext> = {
        networkMode: 'awsvpc',
        awsvpcNetworkName: network,
        containerCount: 2,
      };

      const pause = await create(pauseContainerCreateBody({ ...task, ...awsvpc }, { image: pauseImage }));
      await engine.startContainer(pause);
      const joined = { ...awsvpc, pauseContainerId: pause };
      const server = await createFromDefinition(
        { name: 'server', command: ['httpd', '-f', '-p', '8080', '-h', '/'] },
        joined,
      );
      await engine.startContainer(server);
      const client = await createFromDefinition(
        {
          name: 'client',
          command: [
            'sh',
            '-c',
            'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8080/hello.txt && exit 0; sleep 0.5; done; exit 1',
          ],
        },
        joined,
      );
      await engine.startContainer(client);
      assert.deepEqual(await engine.waitContainer(client), { exitCode: 0 });
      assert.deepEqual(await logsOf(client), [`stdout: ${image.hello.trimEnd()}`]);

      const subnet = (await engine.inspectNetwork(network))?.IPAM.Config?.[0];
      assert.match(subnet?.Gateway ?? '', /^\d+\.\d+\.\d+\.\d+$/, JSON.stringify(subnet));
      const stats = (await engine.containerStats(pause)) as { networks?: Record<string, unknown> } | undefined;
      assert.ok(stats?.networks && Object.keys(stats.networks).length > 0, 'the namespace’s network counters');
      const state = (await engine.inspectContainer(pause))?.State;
      assert.equal(state?.Status, 'running');
      assert.ok((await engine.inspectContainer(pause))?.NetworkSettings.Networks?.[network]?.IPAddress);
      const started = Date.now();
      await engine.stopContainer(pause, 30); // StopSignal SIGKILL: no 30 s wait
      assert.ok(Date.now() - started < 10_000, `stopping the pause container took ${Date.now() - started} ms`);
    });
  },
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** GETs `url`, retrying while the server inside the container starts. */
async function fetchText(url: string): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      return await response.text();
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
