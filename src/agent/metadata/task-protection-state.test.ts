import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpdateTaskProtectionResponse } from '../../ecs/index.ts';
import type { TaskProtectionControl } from '../control-plane.ts';
import type { TaskMetadataSnapshot } from './task-metadata.ts';
import { decodeChange, goTime, serveTaskProtection } from './task-protection-state.ts';

const TASK_ARN = 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef0123456789abcdef';

const snapshotOf = (taskRoleArn: string | undefined): TaskMetadataSnapshot =>
  ({
    task: { cluster: 'c', taskArn: TASK_ARN, ...(taskRoleArn ? { taskRoleArn } : {}) },
    lastStatus: 'RUNNING',
    containers: [],
    availabilityZone: 'us-east-1a',
  }) as unknown as TaskMetadataSnapshot;

/** A control plane that records its calls and answers `answer` (or throws it). */
function controlAnswering(answer: UpdateTaskProtectionResponse | Error) {
  const calls: unknown[][] = [];
  const control: TaskProtectionControl = {
    taskProtection: (...args) => {
      calls.push(args);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return { control, calls };
}

const withRole = snapshotOf('arn:aws:iam::000000000000:role/app');

describe('the agent API task protection state', () => {
  it('decodes the PUT body as Go does: any case, null as unset, nothing unknown', () => {
    // Table: body → decoded change, or undefined for a decode failure.
    const cases: [string, ReturnType<typeof decodeChange>][] = [
      ['{"ProtectionEnabled":true,"ExpiresInMinutes":60}', { protectionEnabled: true, expiresInMinutes: 60 }],
      ['{"protectionEnabled":false}', { protectionEnabled: false }],
      ['{"ProtectionEnabled":null}', { protectionEnabled: undefined }],
      ['null', {}],
      ['{}', {}],
      ['', undefined],
      ['{"ProtectionEnabled":"true"}', undefined],
      ['{"ProtectionEnabled":true,"ExpiresInMinutes":1.5}', undefined],
      ['{"ProtectionEnabled":true,"Other":1}', undefined],
      ['[true]', undefined],
    ];
    for (const [body, expected] of cases) assert.deepEqual(decodeChange(body), expected, body);
  });

  it('writes times as Go does', () => {
    assert.equal(goTime(new Date('2023-12-20T21:57:44.830Z')), '2023-12-20T21:57:44.83Z');
    assert.equal(goTime(new Date('2023-12-20T21:57:44.000Z')), '2023-12-20T21:57:44Z');
  });

  it("answers GET with the task's protection, asking for that task only", async () => {
    const expirationDate = new Date('2030-01-01T00:00:00.500Z');
    const { control, calls } = controlAnswering({
      protectedTasks: [{ taskArn: TASK_ARN, protectionEnabled: true, expirationDate }],
      failures: [],
    });
    const answer = await serveTaskProtection({ method: 'GET', body: '' }, { snapshot: withRole, control });
    assert.deepEqual(answer, {
      status: 200,
      body: {
        protection: { ExpirationDate: '2030-01-01T00:00:00.5Z', ProtectionEnabled: true, TaskArn: TASK_ARN },
      },
    });
    assert.deepEqual(calls, [[{ cluster: 'c', taskArn: TASK_ARN }]]);
  });

  it('passes a PUT on as UpdateTaskProtection, and relays a failure', async () => {
    const { control, calls } = controlAnswering({
      protectedTasks: [],
      failures: [{ arn: TASK_ARN, reason: 'TASK_NOT_VALID', detail: 'The task is not part of a service.' }],
    });
    const answer = await serveTaskProtection(
      { method: 'PUT', body: '{"ProtectionEnabled":true,"ExpiresInMinutes":60}' },
      { snapshot: withRole, control },
    );
    assert.deepEqual(calls, [
      [
        { cluster: 'c', taskArn: TASK_ARN },
        { protectionEnabled: true, expiresInMinutes: 60 },
      ],
    ]);
    assert.deepEqual(answer, {
      status: 200,
      body: { failure: { Arn: TASK_ARN, Detail: 'The task is not part of a service.', Reason: 'TASK_NOT_VALID' } },
    });
  });

  it("answers the ECS agent's errors", async () => {
    const { control, calls } = controlAnswering({ protectedTasks: [], failures: [] });
    const error = (status: number, Code: string, Message: string, Arn?: string) => ({
      status,
      body: { error: { ...(Arn ? { Arn } : {}), Code, Message } },
    });
    const serve = (method: string, body: string, snapshot: TaskMetadataSnapshot | undefined) =>
      serveTaskProtection({ method, body }, { snapshot, control });
    // Table: request → answer; none of them reaches the control plane.
    assert.deepEqual(
      await serve('PUT', 'not json', withRole),
      error(400, 'InvalidParameterException', 'UpdateTaskProtection: failed to decode request'),
    );
    assert.deepEqual(
      await serve('GET', '', undefined),
      error(404, 'ResourceNotFoundException', 'Failed to find a task for the request'),
    );
    assert.deepEqual(
      await serve('PUT', '{"ExpiresInMinutes":5}', withRole),
      error(400, 'InvalidParameterException', "Invalid request: does not contain 'ProtectionEnabled' field", TASK_ARN),
    );
    assert.deepEqual(
      await serve('GET', '', snapshotOf(undefined)),
      error(403, 'AccessDeniedException', 'Invalid Request: no task IAM role credentials available for task', TASK_ARN),
    );
    assert.equal((await serve('POST', '', withRole)).status, 405);
    assert.deepEqual(calls, []);
  });

  it("relays the API's error with its code and status", async () => {
    const refused = Object.assign(new Error('expiresInMinutes must be between 1 and 2880 minutes (48 hours).'), {
      code: 'InvalidParameterException',
      senderFault: true,
    });
    const { control } = controlAnswering(refused);
    const answer = await serveTaskProtection(
      { method: 'PUT', body: '{"ProtectionEnabled":true,"ExpiresInMinutes":9999}' },
      { snapshot: withRole, control },
    );
    assert.deepEqual(answer, {
      status: 400,
      body: {
        error: {
          Arn: TASK_ARN,
          Code: 'InvalidParameterException',
          Message: 'expiresInMinutes must be between 1 and 2880 minutes (48 hours).',
        },
      },
    });
    const broken = controlAnswering(new Error('socket hang up')).control;
    const failed = await serveTaskProtection({ method: 'GET', body: '' }, { snapshot: withRole, control: broken });
    assert.deepEqual(failed, {
      status: 500,
      body: { error: { Arn: TASK_ARN, Code: 'ServerException', Message: 'socket hang up' } },
    });
  });
});
