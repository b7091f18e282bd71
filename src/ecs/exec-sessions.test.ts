import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { ExecSessions, type ExecSessionSpec } from './exec-sessions.ts';
import { managedAgentsOf } from './exec-agents.ts';
import type { Container, Task } from './shapes.generated.ts';

const spec: ExecSessionSpec = {
  cluster: 'web',
  taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/web/abc',
  containerName: 'app',
  containerArn: 'arn:aws:ecs:us-east-1:000000000000:container/web/abc/1',
  command: 'sh',
  interactive: true,
  containerRuntimeId: 'c0ffee',
  agentKey: 'i-1',
  logGroup: '/exec',
  principalArn: 'arn:aws:iam::000000000000:root',
};

describe('ExecSessions', () => {
  it('opens sessions named as ECS names them, logged to a stream named by the session', () => {
    const { session, token } = new ExecSessions(new FakeClock()).open(spec);
    assert.match(session.sessionId, /^ecs-execute-command-[0-9a-f]{18}$/);
    assert.deepEqual(session.log, { group: '/exec', stream: session.sessionId });
    assert.ok(token.length >= 40);
  });

  it('takes a token once, for its own session only', () => {
    const sessions = new ExecSessions(new FakeClock());
    const a = sessions.open(spec);
    const b = sessions.open(spec);
    assert.equal(sessions.redeemToken(a.session.sessionId, b.token), undefined);
    assert.equal(sessions.redeemToken(a.session.sessionId, a.token)?.sessionId, a.session.sessionId);
    assert.equal(sessions.redeemToken(a.session.sessionId, a.token), undefined);
  });

  it('refuses a token past its expiry', () => {
    const clock = new FakeClock();
    const sessions = new ExecSessions(clock, { joinWithinMs: 1000 });
    const { session, token } = sessions.open(spec);
    clock.advance(1000); // 1000 ms after opening: expired
    assert.equal(sessions.redeemToken(session.sessionId, token), undefined);
  });

  it('lists a session to its agent until that agent joins it (level-triggered), and to no other', () => {
    const sessions = new ExecSessions(new FakeClock());
    const { session } = sessions.open(spec);
    assert.deepEqual(
      sessions.pending('i-1').map((s) => s.sessionId),
      [session.sessionId],
    );
    assert.deepEqual(sessions.pending('i-2'), []);
    assert.deepEqual(sessions.pending('i-1').length, 1); // a lost answer: listed again
    assert.equal(sessions.joinAgent(session.sessionId, 'i-2'), undefined);
    assert.equal(sessions.joinAgent(session.sessionId, 'i-1')?.sessionId, session.sessionId);
    assert.deepEqual(sessions.pending('i-1'), []);
    assert.equal(sessions.joinAgent(session.sessionId, 'i-1'), undefined);
  });
});

describe('managedAgentsOf', () => {
  const startedAt = new Date('2026-01-01T00:00:00Z');
  const task = (lastStatus: string, enableExecuteCommand = true): Task => ({
    lastStatus,
    enableExecuteCommand,
    startedAt,
  });
  const running: Container = { name: 'app', lastStatus: 'RUNNING' };
  const cases: [string, Task, Container, boolean, string | undefined][] = [
    ['a running container on a host that can exec', task('RUNNING'), running, true, 'RUNNING'],
    ['a host that cannot exec', task('RUNNING'), running, false, 'PENDING'],
    ['a task still starting', { lastStatus: 'PENDING', enableExecuteCommand: true }, { name: 'app' }, true, 'PENDING'],
    ['a stopped task', task('STOPPED'), { name: 'app', lastStatus: 'STOPPED' }, true, 'STOPPED'],
    ['a stopping task', task('DEACTIVATING'), running, true, 'STOPPED'],
    ['a task without enableExecuteCommand', task('RUNNING', false), running, true, undefined],
  ];
  for (const [name, t, container, canExec, expected] of cases) {
    it(name, () => {
      const [agent] = managedAgentsOf(t, container, canExec);
      assert.equal(agent?.lastStatus, expected);
      if (agent) assert.equal(agent.name, 'ExecuteCommandAgent');
      if (expected === 'RUNNING') assert.deepEqual(agent?.lastStartedAt, startedAt);
    });
  }
});
