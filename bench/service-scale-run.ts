// The services-at-scale run that bench/service-scale.ts and bench/multi-server.ts share: simulated
// container instances in this process (the real agent: registration, long poll, task workers,
// report queue, SigV4 over HTTP, on a simulated runtime whose containers start at once and run
// until stopped), then, with the AWS SDK v3, REPLICA services timed until all are steady, then
// UpdateService of all of them to a new revision, timed until every rollout is COMPLETED and the old
// deployment is gone. Deployment configuration: ECS's default (minimumHealthyPercent 100,
// maximumPercent 200); the instances are sized for twice the tasks so the new copies can start
// before the old ones stop. Placement is the scheduler's default (spread across zones, then
// instances); the instances are in 3 zones. Against several servers, each agent knows them all
// (its first one in turn: agent i starts on server i mod n) and the API calls go to them in turn.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveAgentConfig } from '../src/agent/index.ts';
import { SimulatedRuntime } from '../src/agent/runtime/fake/simulated-runtime.ts';
import { startAgent, type RunningAgent } from '../src/cmd/agent-command.ts';
import type { Credentials } from '../testing/signed-request.ts';

const TASK_UNITS = 256;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const CLUSTER = 'bench-services';
const FAMILY = 'bench-app';
const POLL_MS = 250;

/** A run that did not reach its figure in time (its message says where it stood). */
export class GaveUp extends Error {}

export interface ServiceScaleOptions {
  readonly urls: readonly string[];
  readonly instances: number;
  readonly services: number;
  readonly tasks: number;
  readonly credentials: Credentials;
  /** The agents' data folders go under it. */
  readonly dataDir: string;
  /** The whole run's time limit. */
  readonly limitMs: number;
  readonly log: (line: string) => void;
}

export interface ServiceScaleFigures {
  registeredSeconds: number;
  createSeconds: number;
  steadySeconds: number;
  tasksPerSecond: number;
  describeSteadyMs: number;
  simulatedRunning: number;
  rolloutSeconds: number;
  describeRolloutMs: number;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const serviceName = (i: number): string => `svc-${String(i).padStart(3, '0')}`;

/** Agents and API clients of one run; stop() ends them (also after a failure). */
export class ServiceScaleRun {
  readonly #options: ServiceScaleOptions;
  readonly #clients: ECSClient[];
  readonly #agents: RunningAgent[] = [];
  readonly #runtimes: SimulatedRuntime[] = [];
  readonly #deadline: number;
  readonly #instanceUnits: number;
  #turn = 0;

  constructor(options: ServiceScaleOptions) {
    this.#options = options;
    this.#deadline = performance.now() + options.limitMs;
    this.#instanceUnits = TASK_UNITS * Math.ceil((2 * options.services * options.tasks) / options.instances);
    this.#clients = options.urls.map(
      (endpoint) => new ECSClient({ endpoint, region: 'us-east-1', credentials: options.credentials, maxAttempts: 3 }),
    );
  }

  /** The next server's client, round-robin. */
  get #ecs(): ECSClient {
    return this.#clients[this.#turn++ % this.#clients.length]!;
  }

  async #registerRevision(): Promise<string> {
    const { taskDefinition } = await this.#ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        networkMode: 'bridge',
        containerDefinitions: [
          { name: 'app', image: 'bench/app:1', cpu: TASK_UNITS, memory: TASK_UNITS, essential: true },
        ],
      }),
    );
    return taskDefinition!.taskDefinitionArn!;
  }

  async #startAgents(): Promise<void> {
    const { credentials, instances, urls, dataDir } = this.#options;
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      ECS_LOGLEVEL: 'error',
    };
    for (let i = 0; i < instances; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, instances - i) }, async (_, j) => {
          const n = i + j;
          const endpoints = urls.map((_url, k) => urls[(n + k) % urls.length]!);
          const config = resolveAgentConfig(
            {
              endpoint: endpoints.join(','),
              cluster: CLUSTER,
              'availability-zone': ZONES[n % ZONES.length],
              cpu: String(this.#instanceUnits),
              memory: String(this.#instanceUnits),
              'data-dir': join(dataDir, 'agents', String(n)),
            },
            undefined,
            env,
          );
          const runtime = new SimulatedRuntime();
          this.#runtimes.push(runtime);
          this.#agents.push(await startAgent(config, env, () => runtime));
        }),
      );
    }
  }

  /** Every service, described in batches of 10 (DescribeServices' limit), one batch after another. */
  async #describeAll(): Promise<Service[]> {
    const { services: count } = this.#options;
    const services: Service[] = [];
    for (let i = 0; i < count; i += 10) {
      const names = Array.from({ length: Math.min(10, count - i) }, (_, j) => serviceName(i + j));
      const answer = await this.#ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: names }));
      services.push(...(answer.services ?? []));
    }
    return services;
  }

  /** Polls until every service passes `done`; resolves with the seconds since `started`. */
  async #until(
    started: number,
    what: string,
    done: (service: Service) => boolean,
  ): Promise<{ seconds: number; describeMs: number[] }> {
    const count = this.#options.services;
    const describeMs: number[] = [];
    for (;;) {
      const t = performance.now();
      const services = await this.#describeAll();
      describeMs.push(performance.now() - t);
      const left = count - services.filter(done).length;
      if (left === 0) return { seconds: (performance.now() - started) / 1000, describeMs };
      if (performance.now() > this.#deadline) throw new GaveUp(this.#stuck(what, services, done, left));
      await sleep(POLL_MS);
    }
  }

  #stuck(what: string, services: readonly Service[], done: (service: Service) => boolean, left: number): string {
    const running = services.reduce((sum, s) => sum + (s.runningCount ?? 0), 0);
    const stuck = services.find((s) => !done(s));
    const deployments = (stuck?.deployments ?? []).map(
      (d) =>
        `${d.id} ${d.status} ${d.rolloutState} ${d.taskDefinition?.split(':').at(-1)} running ${d.runningCount} pending ${d.pendingCount}`,
    );
    const events = (stuck?.events ?? [])
      .slice(0, 3)
      .map((e) => e.message)
      .join(' | ');
    return (
      `gave up after ${Math.round(this.#options.limitMs / 60_000)} minutes: ${what}: ${left} of ${this.#options.services} services not there yet ` +
      `(${running} tasks running); ${stuck?.serviceName}: ${deployments.join('; ')}; last events: ${events}`
    );
  }

  /** Calls `call(i)` for every service, 10 at a time. */
  async #eachService(call: (i: number) => Promise<unknown>): Promise<void> {
    const count = this.#options.services;
    for (let i = 0; i < count; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => call(i + j)));
    }
  }

  async run(): Promise<ServiceScaleFigures> {
    const { services, tasks, instances, log } = this.#options;
    await this.#ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const first = await this.#registerRevision();
    let t = performance.now();
    await this.#startAgents();
    const registeredSeconds = (performance.now() - t) / 1000;
    log(
      `${instances} simulated instances registered (${ZONES.length} zones, ${this.#instanceUnits} CPU units and MiB each): ` +
        `${registeredSeconds.toFixed(1)} s`,
    );
    log(
      `deployment configuration: ECS's default, minimumHealthyPercent 100 / maximumPercent 200 ` +
        `(instances sized for 2x the tasks, ${TASK_UNITS} CPU units and MiB per task)`,
    );

    t = performance.now();
    await this.#eachService((i) =>
      this.#ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: serviceName(i),
          taskDefinition: first,
          desiredCount: tasks,
          launchType: 'EC2',
        }),
      ),
    );
    const createSeconds = (performance.now() - t) / 1000;
    const steady = await this.#until(
      t,
      'services steady',
      (s) => s.deployments?.length === 1 && s.desiredCount === tasks && s.runningCount === tasks,
    );
    const total = services * tasks;
    const describeCalls = Math.ceil(services / 10);
    log(`${services} CreateService calls: ${createSeconds.toFixed(1)} s`);
    log(`services steady: ${steady.seconds.toFixed(1)} s (${total} tasks)`);
    log(`tasks started per second: ${(total / steady.seconds).toFixed(0)}`);
    log(
      `DescribeServices of all ${services} (${describeCalls} calls) while starting: median ${median(steady.describeMs).toFixed(0)} ms`,
    );
    const simulatedRunning = this.#runtimes.reduce((sum, r) => sum + r.runningCount, 0);
    log(`containers running on the simulated instances: ${simulatedRunning}`);

    const second = await this.#registerRevision();
    t = performance.now();
    await this.#eachService((i) =>
      this.#ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: serviceName(i), taskDefinition: second })),
    );
    const rollout = await this.#until(
      t,
      'rollout',
      (s) =>
        s.deployments?.length === 1 &&
        s.deployments[0]!.taskDefinition === second &&
        s.deployments[0]!.rolloutState === 'COMPLETED' &&
        s.runningCount === tasks,
    );
    log(`rollout completed: ${rollout.seconds.toFixed(1)} s (${total} tasks replaced)`);
    log(
      `DescribeServices of all ${services} (${describeCalls} calls) during the rollout: median ${median(rollout.describeMs).toFixed(0)} ms`,
    );
    return {
      registeredSeconds,
      createSeconds,
      steadySeconds: steady.seconds,
      tasksPerSecond: total / steady.seconds,
      describeSteadyMs: median(steady.describeMs),
      simulatedRunning,
      rolloutSeconds: rollout.seconds,
      describeRolloutMs: median(rollout.describeMs),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.#agents.map((a) => a.stop()));
    for (const client of this.#clients) client.destroy();
  }
}
