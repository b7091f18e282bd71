import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { rootPrincipal } from '../shared/principal.ts';
import type { MetadataStore, TaskRecord } from '../store/index.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { createCluster } from './clusters.ts';
import { acceptTelemetry, MAX_TELEMETRY_SAMPLES, TaskTelemetry } from './task-telemetry.ts';

const context = {
  requestId: 'r',
  accountId: '000000000000',
  region: 'us-east-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('000000000000'),
};
const arn = (id: string, cluster = 'prod') => `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/${id}`;

function aTask(id: string, fields: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    cluster: 'prod',
    arn: arn(id, fields.cluster),
    family: 'web',
    launchType: 'EC2',
    group: 'service:web',
    serviceName: 'web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    reservation: { cpu: 256, memory: 512, gpus: 0, tcpPorts: [], udpPorts: [] },
    body: {},
    containerInstance: 'i1',
    ...fields,
  };
}

const at = (time: string, cpu: number, memory = 64) => ({ timestamp: new Date(time), cpu, memory });

describe('acceptTelemetry', () => {
  let store: MetadataStore;
  let telemetry: TaskTelemetry;
  const clock = new FakeClock();
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
    telemetry = new TaskTelemetry();
    await createCluster({ store, clock: new FakeClock() }, { clusterName: 'prod' }, context);
    await createCluster({ store, clock: new FakeClock() }, { clusterName: 'other' }, context);
    await store.tasks.insert([
      aTask('a'),
      aTask('b', { containerInstance: 'i2' }),
      aTask('s', { lastStatus: 'STOPPED' }),
      aTask('f', { containerInstance: undefined, launchType: 'FARGATE' }),
      aTask('o', { cluster: 'other', containerInstance: undefined, launchType: 'FARGATE' }),
    ]);
  });

  it("takes an instance's RUNNING tasks, skips stopped and unknown ones, and sums per minute", async () => {
    const answer = await acceptTelemetry(
      { store, clock, telemetry },
      {
        cluster: 'prod',
        containerInstance: 'arn:aws:ecs:us-east-1:000000000000:container-instance/prod/i1',
        samples: [
          { taskArn: arn('a'), ...at('2026-01-01T00:01:05Z', 100) },
          { taskArn: arn('s'), ...at('2026-01-01T00:01:05Z', 100) },
          { taskArn: arn('gone'), ...at('2026-01-01T00:01:05Z', 100) },
        ],
      },
    );
    assert.deepEqual(answer, { accepted: 1 });
    await acceptTelemetry(
      { store, clock, telemetry },
      {
        cluster: 'prod',
        containerInstance: 'i1',
        samples: [{ taskArn: arn('a'), ...at('2026-01-01T00:01:25Z', 200, 128) }],
      },
    );
    await acceptTelemetry(
      { store, clock, telemetry },
      { cluster: 'prod', containerInstance: 'i1', samples: [{ taskArn: arn('a'), ...at('2026-01-01T00:02:05Z', 50) }] },
    );
    // The minute still going stays unless asked for.
    const first = telemetry.drain(Date.parse('2026-01-01T00:02:00Z'));
    assert.deepEqual(first, [
      {
        minute: Date.parse('2026-01-01T00:01:00Z'),
        taskArn: arn('a'),
        cluster: 'prod',
        serviceName: 'web',
        containerInstance: 'i1',
        reservedCpu: 256,
        reservedMemory: 512,
        cpu: 150, // (100 + 200) / 2
        memory: 96, // (64 + 128) / 2
      },
    ]);
    assert.deepEqual(
      telemetry.drain(Infinity).map((u) => u.cpu),
      [50],
    );
    assert.deepEqual(telemetry.drain(Infinity), []);
  });

  it("refuses the whole request when it names another instance's task, or another cluster's", async () => {
    const samples = [
      { taskArn: arn('a'), ...at('2026-01-01T00:01:05Z', 1) },
      { taskArn: arn('b'), ...at('2026-01-01T00:01:05Z', 1) },
    ];
    await assert.rejects(
      acceptTelemetry({ store, clock, telemetry }, { cluster: 'prod', containerInstance: 'i1', samples }),
      {
        code: 'InvalidParameterException',
        message: `The task ${arn('b')} is not on this container instance.`,
      },
    );
    const managedTask = [{ taskArn: arn('f'), ...at('2026-01-01T00:01:05Z', 1) }];
    await assert.rejects(
      acceptTelemetry({ store, clock, telemetry }, { cluster: 'prod', containerInstance: 'i1', samples: managedTask }),
      { code: 'InvalidParameterException' },
    );
    const elsewhere = [{ taskArn: arn('o', 'other'), ...at('2026-01-01T00:01:05Z', 1) }];
    await assert.rejects(
      acceptTelemetry({ store, clock, telemetry }, { cluster: 'prod', containerInstance: 'i1', samples: elsewhere }),
      { code: 'InvalidParameterException' },
    );
    assert.deepEqual(telemetry.drain(Infinity), []);
  });

  it('takes managed capacity samples of any cluster, but not of an instance', async () => {
    const samples = [
      { taskArn: arn('f'), ...at('2026-01-01T00:01:05Z', 1) },
      { taskArn: arn('o', 'other'), ...at('2026-01-01T00:01:05Z', 1) },
    ];
    assert.deepEqual(await acceptTelemetry({ store, clock, telemetry }, { managed: true, samples }), { accepted: 2 });
    await assert.rejects(
      acceptTelemetry(
        { store, clock, telemetry },
        { managed: true, samples: [{ taskArn: arn('a'), ...at('2026-01-01T00:01:05Z', 1) }] },
      ),
      { code: 'InvalidParameterException' },
    );
  });

  it('refuses malformed samples and more than the limit', async () => {
    const bad = [{ taskArn: arn('a'), ...at('2026-01-01T00:01:05Z', -1) }];
    await assert.rejects(acceptTelemetry({ store, clock, telemetry }, { managed: true, samples: bad }), {
      code: 'InvalidParameterException',
    });
    const many = Array.from({ length: MAX_TELEMETRY_SAMPLES + 1 }, () => ({
      taskArn: arn('f'),
      ...at('2026-01-01T00:01:05Z', 1),
    }));
    await assert.rejects(acceptTelemetry({ store, clock, telemetry }, { managed: true, samples: many }), {
      code: 'InvalidParameterException',
    });
  });
});
