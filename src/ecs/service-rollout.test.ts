import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceRecord } from '../store/index.ts';
import type { Plan } from './service-plan.ts';
import { failOnAlarms, holdDaemonForBake, holdForBake } from './service-rollout.ts';
import type { Deployment, Service } from './shapes.generated.ts';

const SERVICE_ARN = 'arn:aws:ecs:us-east-1:000000000000:service/c/web';
const STARTED = new Date('2026-12-04T00:00:00Z');

/** A store with one alarm `errors` (60 s x 3 periods: a 3-minute bake), in `state` since `transitionedAt`. */
const storeWith = (state: string, transitionedAt: number) => ({
  store: {
    cloudWatch: {
      getAlarms: async () =>
        [
          {
            name: 'errors',
            revision: 1,
            body: {
              arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors',
              config: { AlarmName: 'errors', Period: 60, EvaluationPeriods: 3 },
              state: { value: state, transitionedAt },
            },
          },
        ] as never,
    },
  },
  deploymentMinuteMs: 1000,
});

const deployment = (id: string, over: object = {}): Deployment => ({
  id,
  status: 'ACTIVE',
  taskDefinition: `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${id.at(-1)}`,
  rolloutState: 'COMPLETED',
  createdAt: new Date(STARTED.getTime() - 60_000),
  ...over,
});
const primary = (over: object = {}) =>
  deployment('ecs-svc/2', { status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: STARTED, ...over });

const serviceWith = (rollback: boolean, schedulingStrategy: 'REPLICA' | 'DAEMON' = 'REPLICA'): Service => ({
  serviceName: 'web',
  schedulingStrategy,
  taskDefinition: primary().taskDefinition,
  deploymentConfiguration: { alarms: { alarmNames: ['errors'], enable: true, rollback } },
  events: [],
});
const record = (service: Service): ServiceRecord =>
  ({ arn: SERVICE_ARN, name: 'web', cluster: 'c', status: 'ACTIVE', body: service }) as never;

describe('failOnAlarms', () => {
  const now = new Date(STARTED.getTime() + 5000);

  it('fails a rolling deployment of a DAEMON service and rolls back to the last COMPLETED definition', async () => {
    const service = serviceWith(true, 'DAEMON');
    const deployments = [primary(), deployment('ecs-svc/1')];
    const out = await failOnAlarms(storeWith('ALARM', STARTED.getTime() + 1000), {
      record: record(service),
      service,
      deployments,
      now,
    });
    assert.equal(out.failed, true);
    assert.deepEqual(out.triggered, ['errors']);
    const [rollback, failed, previous] = out.deployments as [Deployment, Deployment, Deployment];
    assert.equal(rollback.taskDefinition, deployment('ecs-svc/1').taskDefinition);
    assert.deepEqual([rollback.status, rollback.rolloutState], ['PRIMARY', 'IN_PROGRESS']);
    assert.equal(failed.rolloutState, 'FAILED');
    assert.equal(failed.rolloutStateReason, 'ECS deployment failed: alarm(s) detected: errors.');
    assert.deepEqual((failed as { alarmWatch?: unknown }).alarmWatch, { triggered: ['errors'] });
    assert.equal(previous.id, 'ecs-svc/1');
    assert.equal(service.taskDefinition, previous.taskDefinition);
    assert.deepEqual(
      service.events!.map((e) => e.message),
      [
        '(service web) rolling back to deployment ecs-svc/1.',
        '(service web) (deployment ecs-svc/2) deployment failed: alarm detected.',
      ],
    );
  });

  it('leaves a shifting deployment to its traffic shift, handing it the alarms', async () => {
    const service = serviceWith(true);
    const shifting = primary({ shift: { stage: 'BAKE_TIME', greenPercent: 100, since: 0 } });
    const deployments = [shifting, deployment('ecs-svc/1')];
    const out = await failOnAlarms(storeWith('ALARM', STARTED.getTime() + 1000), {
      record: record(service),
      service,
      deployments,
      now,
    });
    assert.equal(out.failed, false);
    assert.deepEqual(out.triggered, ['errors']);
    assert.equal(out.deployments, deployments);
    assert.deepEqual(service.events, []);
  });

  it('ignores an alarm already in ALARM when the deployment started', async () => {
    const service = serviceWith(true);
    const out = await failOnAlarms(storeWith('ALARM', STARTED.getTime() - 1), {
      record: record(service),
      service,
      deployments: [primary(), deployment('ecs-svc/1')],
      now,
    });
    assert.deepEqual([out.failed, out.triggered, out.watch?.bakeMs], [false, [], 3000]); // 60 s x 3 = 3 API minutes
  });
});

describe('holdForBake and holdDaemonForBake', () => {
  const watch = { triggered: [], bakeMs: 3000 };
  const done: Plan = { start: 0, stop: [], rollout: 'COMPLETED', retire: ['ecs-svc/1'], steady: true };

  it('holds a rolling deployment, not a shifting one (its BAKE_TIME stage is its bake)', () => {
    const rolling = holdForBake(watch, { plan: done, deployments: [primary(), deployment('ecs-svc/1')], now: STARTED });
    assert.equal(rolling.plan.rollout, undefined);
    const shifting = [primary({ shift: { stage: 'CLEAN_UP', greenPercent: 100, since: 0 } }), deployment('ecs-svc/1')];
    assert.equal(holdForBake(watch, { plan: done, deployments: shifting, now: STARTED }).plan, done);
  });

  it('keeps a DAEMON rollout IN_PROGRESS, its older deployments, for the bake time since it was steady', () => {
    const rollout = { retire: ['ecs-svc/1'], complete: true };
    const first = holdDaemonForBake(watch, {
      rollout,
      deployments: [primary(), deployment('ecs-svc/1')],
      now: STARTED,
    });
    assert.deepEqual([first.complete, first.retire], [false, []]);
    const later = (ms: number) =>
      holdDaemonForBake(watch, { rollout, deployments: first.deployments, now: new Date(STARTED.getTime() + ms) });
    assert.equal(later(2999).complete, false);
    assert.deepEqual([later(3000).complete, later(3000).retire], [true, ['ecs-svc/1']]);
    // Not watched: the rollout as it was.
    assert.deepEqual(holdDaemonForBake(undefined, { rollout, deployments: [primary()], now: STARTED }).retire, [
      'ecs-svc/1',
    ]);
  });
});
