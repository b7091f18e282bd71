import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminAccess } from './admin.ts';

const scope = { region: 'us-east-1', accountId: '000000000000' };
const cluster = 'arn:aws:ecs:us-east-1:000000000000:cluster/prod';

describe('adminAccess', () => {
  it("asks ecs:Poll on the agent's instance for its poll and its tasks' role credentials, as ECS's ACS channel", () => {
    for (const path of ['/berth/agent/poll', '/berth/agent/credentials', '/berth/agent/dns'] as const) {
      assert.deepEqual(adminAccess(path, { cluster: 'prod', containerInstance: 'ci-1', taskArn: 't' }, scope), [
        {
          action: 'ecs:Poll',
          resource: 'arn:aws:ecs:us-east-1:000000000000:container-instance/prod/ci-1',
          conditions: { 'ecs:cluster': cluster },
        },
      ]);
    }
  });

  it("asks ecs:StartTelemetrySession on the agent's instance for its tasks' telemetry, as ECS's TCS channel", () => {
    const instance = 'arn:aws:ecs:us-east-1:000000000000:container-instance/prod/ci-1';
    assert.deepEqual(adminAccess('/berth/agent/telemetry', { cluster: 'prod', containerInstance: instance }, scope), [
      { action: 'ecs:StartTelemetrySession', resource: instance, conditions: { 'ecs:cluster': cluster } },
    ]);
    assert.deepEqual(adminAccess('/berth/agent/telemetry', { cluster: 'prod' }, scope), [
      { action: 'berth:SubmitTaskTelemetry', resource: '*' },
    ]);
  });

  it('asks ecs:SubmitTaskStateChange for a report, and berth:* for what names no instance', () => {
    assert.deepEqual(adminAccess('/berth/agent/report', { cluster: 'prod' }, scope), [
      { action: 'ecs:SubmitTaskStateChange', resource: cluster, conditions: { 'ecs:cluster': cluster } },
    ]);
    assert.deepEqual(adminAccess('/berth/agent/credentials', { cluster: 'prod', managed: true }, scope), [
      { action: 'berth:GetTaskCredentials', resource: '*' },
    ]);
  });
});
