import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}

describe('AWS CLI v2: CloudWatch Logs', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let logs: ReturnType<typeof awsCliFor>['run'];
  let json: (...args: string[]) => Promise<Json>;
  const now = Date.now();

  before(async () => {
    server = await startTestServer();
    const cli = awsCliFor(server, 'logs');
    logs = cli.run;
    json = (...args) => cli.json<Json>(...args);
    await json('create-log-group', '--log-group-name', '/ecs/cli');
    await json('create-log-stream', '--log-group-name', '/ecs/cli', '--log-stream-name', 'ecs/web/task-1');
    await json('create-log-stream', '--log-group-name', '/ecs/cli', '--log-stream-name', 'ecs/worker/task-2');
    const events = (messages: string[], offset: number) =>
      JSON.stringify(messages.map((message, i) => ({ timestamp: now - offset + i * 10, message })));
    const put = await json(
      'put-log-events',
      '--log-group-name',
      '/ecs/cli',
      '--log-stream-name',
      'ecs/web/task-1',
      '--log-events',
      events(['listening on :80', 'ERROR connection refused', 'GET / 200'], 5000),
    );
    assert.match(String(put.nextSequenceToken), /^\d{56}$/);
    await json(
      'put-log-events',
      '--log-group-name',
      '/ecs/cli',
      '--log-stream-name',
      'ecs/worker/task-2',
      '--log-events',
      events(['{"level":"error","job":42}', '{"level":"info","job":43}'], 3000),
    );
  });
  after(() => server.stop());

  it('get-log-events reads a stream with forward and backward tokens', async () => {
    const out = await json(
      'get-log-events',
      '--log-group-name',
      '/ecs/cli',
      '--log-stream-name',
      'ecs/web/task-1',
      '--start-from-head',
    );
    assert.deepEqual(
      (out.events as Json[]).map((e) => e.message),
      ['listening on :80', 'ERROR connection refused', 'GET / 200'],
    );
    assert.match(String(out.nextForwardToken), /^f\/\d{56}\/s$/);
    assert.match(String(out.nextBackwardToken), /^b\/\d{56}\/s$/);
    const end = await json(
      'get-log-events',
      '--log-group-name',
      '/ecs/cli',
      '--log-stream-name',
      'ecs/web/task-1',
      '--start-from-head',
      '--next-token',
      String(out.nextForwardToken),
    );
    assert.deepEqual(end.events, []);
    assert.equal(end.nextForwardToken, out.nextForwardToken);
  });

  it('filter-log-events applies a filter pattern across streams', async () => {
    const errors = await json('filter-log-events', '--log-group-name', '/ecs/cli', '--filter-pattern', 'ERROR');
    assert.deepEqual(
      (errors.events as Json[]).map((e) => [e.logStreamName, e.message]),
      [['ecs/web/task-1', 'ERROR connection refused']],
    );
    const structured = await json(
      'filter-log-events',
      '--log-group-name',
      '/ecs/cli',
      '--filter-pattern',
      '{ $.level = "error" }',
    );
    assert.deepEqual(
      (structured.events as Json[]).map((e) => e.message),
      ['{"level":"error","job":42}'],
    );
  });

  it('tail prints the group interleaved and returns without --follow', async () => {
    const out = await logs('tail', '/ecs/cli');
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^\S+ ecs\/web\/task-1 listening on :80$/);
    assert.match(lines[3]!, /^\S+ ecs\/worker\/task-2 \{"level":"error","job":42\}$/);
    const filtered = await logs('tail', '/ecs/cli', '--filter-pattern', '?ERROR ?job', '--format', 'short');
    assert.equal(filtered.code, 0, filtered.stderr);
    assert.equal(filtered.stdout.trim().split('\n').length, 3);
  });

  it('describe-log-groups, retention, and AWS errors', async () => {
    await json('put-retention-policy', '--log-group-name', '/ecs/cli', '--retention-in-days', '30');
    const described = await json('describe-log-groups', '--log-group-name-prefix', '/ecs/');
    const [group] = described.logGroups as Json[];
    assert.equal(group?.logGroupName, '/ecs/cli');
    assert.equal(group?.retentionInDays, 30);
    assert.equal(group?.arn, 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/cli:*');
    assert.ok(Number(group?.storedBytes) > 0);

    const bad = await logs('put-retention-policy', '--log-group-name', '/ecs/cli', '--retention-in-days', '2');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /\(InvalidParameterException\).*retentionInDays/);
    const duplicate = await logs('create-log-group', '--log-group-name', '/ecs/cli');
    assert.match(duplicate.stderr, /\(ResourceAlreadyExistsException\).*The specified log group already exists/);
    const noGroup = await logs('describe-log-streams', '--log-group-name', '/ecs/none');
    assert.match(noGroup.stderr, /\(ResourceNotFoundException\).*The specified log group does not exist/);
    const noStream = await logs('get-log-events', '--log-group-name', '/ecs/cli', '--log-stream-name', 'none');
    assert.match(noStream.stderr, /\(ResourceNotFoundException\).*The specified log stream does not exist/);
    await json('delete-retention-policy', '--log-group-name', '/ecs/cli');
  });
});
