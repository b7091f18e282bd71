import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alarmsConfiguration,
  bakeHold,
  bakeTimeMs,
  deploymentAlarmsStatus,
  readAlarms,
  triggeredAlarms,
  watchDeploymentAlarms,
  type AlarmView,
} from './service-deployment-alarms.ts';
import type { Plan } from './service-plan.ts';

const ROLLING = { controller: 'ECS', strategy: 'ROLLING', daemon: false };
const alarm = (name: string, state: string, transitionedAt: number, windowSeconds = 60): AlarmView => ({
  name,
  state,
  transitionedAt,
  windowSeconds,
});

describe('alarmsConfiguration', () => {
  it('keeps the alarms as given', () => {
    const given = { alarmNames: ['a', 'b'], enable: true, rollback: true };
    assert.deepEqual(alarmsConfiguration(given, ROLLING), { alarms: given });
    assert.deepEqual(alarmsConfiguration(undefined, ROLLING), {});
  });

  it('refuses what it would not watch: other deployment controllers, no alarm named', () => {
    const on = { alarmNames: ['a'], enable: true, rollback: false };
    assert.throws(() => alarmsConfiguration({ ...on, alarmNames: [] }, ROLLING), /at least one CloudWatch alarm/);
    assert.throws(
      () => alarmsConfiguration(on, { ...ROLLING, controller: 'CODE_DEPLOY' }),
      /only supported for services that use the ECS deployment controller/,
    );
    // Disabled alarms are stored, whatever the controller.
    const off = { ...on, enable: false };
    assert.deepEqual(alarmsConfiguration(off, { ...ROLLING, controller: 'EXTERNAL' }), { alarms: off });
  });

  it('watches every strategy of the ECS controller, and DAEMON services', () => {
    const on = { alarmNames: ['a'], enable: true, rollback: true };
    for (const strategy of ['BLUE_GREEN', 'LINEAR', 'CANARY'])
      assert.deepEqual(alarmsConfiguration(on, { ...ROLLING, strategy }), { alarms: on });
    assert.deepEqual(alarmsConfiguration(on, { ...ROLLING, daemon: true }), { alarms: on });
  });
});

describe('triggeredAlarms and bakeTimeMs', () => {
  it('counts only alarms that went to ALARM since the deployment started', () => {
    const alarms = [alarm('before', 'ALARM', 900), alarm('after', 'ALARM', 1000), alarm('ok', 'OK', 2000)];
    assert.deepEqual(triggeredAlarms(alarms, 1000), ['after']);
    assert.deepEqual(triggeredAlarms([], 1000), []);
  });

  it('bakes for the longest Period x EvaluationPeriods, in API minutes', () => {
    assert.equal(bakeTimeMs([alarm('a', 'OK', 0, 60), alarm('b', 'OK', 0, 300)], 1000), 5000);
    assert.equal(bakeTimeMs([], 60_000), 0);
  });
});

describe('bakeHold', () => {
  const done: Plan = { start: 0, stop: [], rollout: 'COMPLETED', retire: ['ecs-svc/1'], steady: true };
  const primary = { id: 'ecs-svc/2', rolloutState: 'IN_PROGRESS' as const };

  it('holds COMPLETED and the retirements until the bake time has passed since steady state', () => {
    const first = bakeHold(done, primary, { bakeMs: 5000, now: 10_000 });
    assert.deepEqual(first.plan, { start: 0, stop: [], retire: [], steady: true });
    assert.equal(first.primary.alarmWatch?.bakeFrom, 10_000);
    const later = bakeHold(done, first.primary, { bakeMs: 5000, now: 14_999 });
    assert.equal(later.plan.rollout, undefined);
    const over = bakeHold(done, first.primary, { bakeMs: 5000, now: 15_000 });
    assert.equal(over.plan, done);
  });

  it('leaves other plans alone', () => {
    const rolling: Plan = { start: 1, stop: [], retire: [], steady: false };
    assert.equal(bakeHold(rolling, primary, { bakeMs: 5000, now: 0 }).plan, rolling);
  });
});

describe('readAlarms', () => {
  const record = (name: string, arn: string, config: object) => ({
    name,
    revision: 1,
    body: { arn, config: { AlarmName: name, ...config }, state: { value: 'ALARM', transitionedAt: 5 } },
  });
  it("reads the service's account's alarms, with their windows (metric math: the longest query period)", async () => {
    const cloudWatch = {
      getAlarms: async () =>
        [
          record('mine', 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:mine', { Period: 60, EvaluationPeriods: 3 }),
          record('math', 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:math', {
            EvaluationPeriods: 2,
            Metrics: [
              { Id: 'm', MetricStat: { Period: 120 } },
              { Id: 'e', Expression: 'm*2' },
            ],
          }),
          record('other', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:other', { Period: 60 }),
        ] as never,
    };
    const alarms = await readAlarms(cloudWatch, 'arn:aws:ecs:us-east-1:000000000000:service/c/web', ['x']);
    assert.deepEqual(alarms, [
      { name: 'mine', state: 'ALARM', transitionedAt: 5, windowSeconds: 180 },
      { name: 'math', state: 'ALARM', transitionedAt: 5, windowSeconds: 240 },
    ]);
  });
});

describe('watchDeploymentAlarms', () => {
  it("compares alarms' transitions with the deployment's start in CloudWatch's time (BERTH_METRICS_MINUTE_MS)", async () => {
    const started = new Date('2026-12-04T00:00:00Z');
    // With 60x metrics time, a transition 10 scaled minutes after the real start is still before
    // the start's scaled instant (an hour on): it predates the deployment.
    const scaled = (at: Date) => new Date(started.getTime() + (at.getTime() - started.getTime()) * 60 + 3_600_000);
    const transitionedAt = started.getTime() + 600_000;
    const cloudWatch = {
      getAlarms: async () =>
        [
          {
            name: 'a',
            revision: 1,
            body: {
              arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:a',
              config: { AlarmName: 'a', Period: 60 },
              state: { value: 'ALARM', transitionedAt },
            },
          },
        ] as never,
    };
    const service = {
      deploymentConfiguration: { alarms: { alarmNames: ['a'], enable: true, rollback: true } },
      deployments: [{ id: 'ecs-svc/1', rolloutState: 'IN_PROGRESS', createdAt: started }],
    } as never;
    const at = { serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web', service, minuteMs: 60_000 };
    assert.deepEqual((await watchDeploymentAlarms(cloudWatch, { ...at, alarmTime: (t) => t }))?.triggered, ['a']);
    assert.deepEqual((await watchDeploymentAlarms(cloudWatch, { ...at, alarmTime: scaled }))?.triggered, []);
  });
});

describe('deploymentAlarmsStatus', () => {
  const alarms = { alarmNames: ['a'], enable: true, rollback: true };
  it('says DISABLED, MONITORING, MONITORING_COMPLETE or TRIGGERED', () => {
    assert.deepEqual(deploymentAlarmsStatus({}, undefined), { status: 'DISABLED' });
    assert.equal(deploymentAlarmsStatus({ rolloutState: 'IN_PROGRESS' }, alarms).status, 'MONITORING');
    assert.equal(deploymentAlarmsStatus({ rolloutState: 'COMPLETED' }, alarms).status, 'MONITORING_COMPLETE');
    assert.deepEqual(deploymentAlarmsStatus({ rolloutState: 'FAILED', alarmWatch: { triggered: ['a'] } }, alarms), {
      status: 'TRIGGERED',
      alarmNames: ['a'],
      triggeredAlarmNames: ['a'],
    });
  });
});
