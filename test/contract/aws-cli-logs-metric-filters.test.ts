import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}

/** Metric filters end to end: put-metric-filter, put-log-events, then CloudWatch's statistics. */
describe('AWS CLI v2: CloudWatch Logs metric filters', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let logs: ReturnType<typeof awsCliFor>;
  let cw: ReturnType<typeof awsCliFor>;
  // The middle of a minute 5 minutes ago: every event of a put lands in one 1-minute period.
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  const statistics = async (metric: string, dimensions: string[] = []) => {
    const out = await cw.json<Json>(
      'get-metric-statistics',
      '--namespace',
      'Berth/Filters',
      '--metric-name',
      metric,
      ...(dimensions.length > 0 ? ['--dimensions', ...dimensions] : []),
      '--start-time',
      iso(minute),
      '--end-time',
      iso(minute + 60_000),
      '--period',
      '60',
      '--statistics',
      'Sum',
      'SampleCount',
      'Maximum',
    );
    return (out.Datapoints as Json[]).map((p) => [p.Sum, p.SampleCount, p.Maximum, p.Unit]);
  };

  before(async () => {
    server = await startTestServer();
    logs = awsCliFor(server, 'logs');
    cw = awsCliFor(server, 'cloudwatch');
    await logs.json('create-log-group', '--log-group-name', '/ecs/filters');
    await logs.json('create-log-stream', '--log-group-name', '/ecs/filters', '--log-stream-name', 's');
    await logs.json(
      'put-metric-filter',
      '--log-group-name',
      '/ecs/filters',
      '--filter-name',
      'errors',
      '--filter-pattern',
      'ERROR -retry',
      '--metric-transformations',
      'metricName=Errors,metricNamespace=Berth/Filters,metricValue=1,defaultValue=0,unit=Count',
    );
    await logs.json(
      'put-metric-filter',
      '--log-group-name',
      '/ecs/filters',
      '--filter-name',
      'latency',
      '--filter-pattern',
      '{ $.latency > 0 }',
      '--metric-transformations',
      JSON.stringify([
        {
          metricName: 'Latency',
          metricNamespace: 'Berth/Filters',
          metricValue: '$.latency',
          unit: 'Milliseconds',
          dimensions: { Path: '$.path' },
        },
      ]),
    );
    const messages = [
      'ERROR connection refused',
      'GET / 200',
      'ERROR will retry',
      '{"latency":120,"path":"/a"}',
      '{"latency":80,"path":"/a"}',
      '{"latency":0,"path":"/a"}',
      'ERROR disk full',
    ];
    await logs.json(
      'put-log-events',
      '--log-group-name',
      '/ecs/filters',
      '--log-stream-name',
      's',
      '--log-events',
      JSON.stringify(messages.map((message, i) => ({ timestamp: minute + 30_000 + i, message }))),
    );
  });
  after(() => server.stop());

  it('counts matching events, with the default for the others', async () => {
    // 2 matches (1 each) + 5 other events (0 each): Sum 2 over 7 samples.
    assert.deepEqual(await statistics('Errors'), [[2, 7, 1, 'Count']]);
  });

  it('publishes a JSON field as the value, with its dimension', async () => {
    // 120 + 80; latency 0 does not match and there is no default.
    assert.deepEqual(await statistics('Latency', ['Name=Path,Value=/a']), [[200, 2, 120, 'Milliseconds']]);
  });

  it('describe, test and delete metric filters', async () => {
    const described = await logs.json<Json>('describe-metric-filters', '--log-group-name', '/ecs/filters');
    assert.deepEqual(
      (described.metricFilters as Json[]).map((f) => f.filterName),
      ['errors', 'latency'],
    );
    const groups = await logs.json<Json>('describe-log-groups', '--log-group-name-prefix', '/ecs/filters');
    assert.equal((groups.logGroups as Json[])[0]?.metricFilterCount, 2);
    const tested = await logs.json<Json>(
      'test-metric-filter',
      '--filter-pattern',
      '{ $.latency > 100 }',
      '--log-event-messages',
      '{"latency":123}',
      '{"latency":50}',
    );
    assert.deepEqual(tested.matches, [
      { eventNumber: 1, eventMessage: '{"latency":123}', extractedValues: { '$.latency': '123' } },
    ]);
    await logs.json('delete-metric-filter', '--log-group-name', '/ecs/filters', '--filter-name', 'latency');
    const missing = await logs.run(
      'delete-metric-filter',
      '--log-group-name',
      '/ecs/filters',
      '--filter-name',
      'latency',
    );
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
    const refused = await logs.run(
      'put-metric-filter',
      '--log-group-name',
      '/ecs/filters',
      '--filter-name',
      'bad',
      '--filter-pattern',
      'ERROR',
      '--metric-transformations',
      'metricName=E,metricNamespace=AWS/ECS,metricValue=1',
    );
    assert.match(refused.stderr, /InvalidParameterException.*reserved/);
  });
});
