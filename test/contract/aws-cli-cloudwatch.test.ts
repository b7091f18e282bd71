import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}

/** The AWS CLI v2 speaks CloudWatch's query protocol (form-encoded in, XML out). */
describe('AWS CLI v2: CloudWatch metrics', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let cw: ReturnType<typeof awsCliFor>;
  let json: (...args: string[]) => Promise<Json>;
  // The start of a minute 10 minutes ago: datapoints land in known 1-minute periods.
  const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  before(async () => {
    server = await startTestServer();
    cw = awsCliFor(server, 'cloudwatch');
    json = (...args) => cw.json<Json>(...args);
    const data = [];
    for (let minute = 0; minute < 3; minute++) {
      for (const [service, value] of [
        ['web', 10 + minute],
        ['api', 20 + minute],
      ] as const) {
        data.push({
          MetricName: 'Latency',
          Dimensions: [{ Name: 'Service', Value: service }],
          Timestamp: iso(base + minute * 60_000 + 5_000),
          Value: value,
          Unit: 'Milliseconds',
        });
      }
    }
    // 100 samples 1..100 in one datum, for percentiles.
    data.push({
      MetricName: 'Size',
      Timestamp: iso(base + 5_000),
      Values: Array.from({ length: 100 }, (_, i) => i + 1),
      Unit: 'Bytes',
    });
    await json('put-metric-data', '--namespace', 'Berth/Test', '--metric-data', JSON.stringify(data));
  });
  after(() => server.stop());

  it('list-metrics lists each dimension combination, filtered by dimension', async () => {
    const all = await json('list-metrics', '--namespace', 'Berth/Test');
    const names = (all.Metrics as Json[]).map((m) => `${String(m.MetricName)}:${JSON.stringify(m.Dimensions)}`).sort();
    assert.deepEqual(names, [
      'Latency:[{"Name":"Service","Value":"api"}]',
      'Latency:[{"Name":"Service","Value":"web"}]',
      'Size:[]',
    ]);
    const web = await json('list-metrics', '--namespace', 'Berth/Test', '--dimensions', 'Name=Service,Value=web');
    assert.equal((web.Metrics as Json[]).length, 1);
    const recent = await json('list-metrics', '--recently-active', 'PT3H', '--metric-name', 'Size');
    assert.equal((recent.Metrics as Json[]).length, 1);
  });

  it('get-metric-statistics answers statistics and percentiles per period', async () => {
    const out = await json(
      'get-metric-statistics',
      '--namespace',
      'Berth/Test',
      '--metric-name',
      'Latency',
      '--dimensions',
      'Name=Service,Value=web',
      '--start-time',
      iso(base),
      '--end-time',
      iso(base + 3 * 60_000),
      '--period',
      '60',
      '--statistics',
      'Average',
      'Maximum',
      'SampleCount',
    );
    const points = (out.Datapoints as Json[]).sort((a, b) => String(a.Timestamp).localeCompare(String(b.Timestamp)));
    assert.deepEqual(
      points.map((p) => [p.Average, p.Maximum, p.SampleCount, p.Unit]),
      [
        [10, 10, 1, 'Milliseconds'],
        [11, 11, 1, 'Milliseconds'],
        [12, 12, 1, 'Milliseconds'],
      ],
    );
    const wide = await json(
      'get-metric-statistics',
      '--namespace',
      'Berth/Test',
      '--metric-name',
      'Size',
      '--start-time',
      iso(base),
      '--end-time',
      iso(base + 5 * 60_000),
      '--period',
      '300',
      '--extended-statistics',
      'p50',
      'p99',
    );
    const [point] = wide.Datapoints as Json[];
    const extended = point!.ExtendedStatistics as Record<string, number>;
    // Samples 1..100: nearest-rank p50 = 50, p99 = 99, each within the sketch's 1%.
    assert.ok(Math.abs(extended.p50! - 50) <= 0.5 && Math.abs(extended.p99! - 99) <= 1, JSON.stringify(extended));
  });

  it('get-metric-data computes metric math over the series', async () => {
    const stat = (id: string, service: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'Berth/Test', MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: service }] },
        Period: 60,
        Stat: 'Average',
      },
      ReturnData: false,
    });
    const queries = [
      stat('web', 'web'),
      stat('api', 'api'),
      { Id: 'total', Expression: 'web + api', Label: 'Total' },
      { Id: 'peak', Expression: 'MAX([web, api])' },
      { Id: 'high', Expression: 'IF(api > 20, 1, 0)' },
      { Id: 'filled', Expression: 'FILL(web, 0)' },
    ];
    const out = await json(
      'get-metric-data',
      '--start-time',
      iso(base),
      '--end-time',
      iso(base + 4 * 60_000),
      '--scan-by',
      'TimestampAscending',
      '--metric-data-queries',
      JSON.stringify(queries),
    );
    const byId = new Map((out.MetricDataResults as Json[]).map((r) => [r.Id, r]));
    assert.deepEqual(byId.get('total')!.Values, [30, 32, 34]); // (10+20), (11+21), (12+22)
    assert.equal(byId.get('total')!.Label, 'Total');
    assert.deepEqual(byId.get('peak')!.Values, [20, 21, 22]);
    assert.deepEqual(byId.get('high')!.Values, [0, 1, 1]);
    assert.deepEqual(byId.get('filled')!.Values, [10, 11, 12, 0]); // the fourth minute had no data
    assert.equal(byId.get('total')!.StatusCode, 'Complete');
    assert.equal(byId.has('web'), false);
  });

  it('refuses what CloudWatch refuses, with its error codes', async () => {
    const reserved = await cw.run('put-metric-data', '--namespace', 'AWS/ECS', '--metric-name', 'X', '--value', '1');
    assert.match(reserved.stderr, /InvalidParameterValue/);
    const both = await cw.run(
      'put-metric-data',
      '--namespace',
      'Berth/Test',
      '--metric-data',
      JSON.stringify([{ MetricName: 'X', Value: 1, Values: [1] }]),
    );
    assert.match(both.stderr, /InvalidParameterCombination/);
    const old = await cw.run(
      'put-metric-data',
      '--namespace',
      'Berth/Test',
      '--metric-data',
      JSON.stringify([{ MetricName: 'X', Value: 1, Timestamp: iso(Date.now() - 15 * 24 * 3_600_000) }]),
    );
    assert.match(old.stderr, /InvalidParameterValue.*two weeks/);
    const math = await cw.run(
      'get-metric-data',
      '--start-time',
      iso(base),
      '--end-time',
      iso(base + 60_000),
      '--metric-data-queries',
      JSON.stringify([{ Id: 'e1', Expression: 'nothing * 2' }]),
    );
    assert.match(math.stderr, /InvalidParameterValue.*e1/);
  });
});
