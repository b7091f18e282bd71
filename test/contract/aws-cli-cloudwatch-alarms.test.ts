import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}

/**
 * An alarm on a high-resolution metric (Period 10) driven by the timestamps of the data put: a
 * breaching datapoint in the current period turns it ALARM at the next boundary, a low one OK at
 * the one after. The evaluator runs every 200 ms here; the test waits for conditions.
 */
describe('AWS CLI v2: CloudWatch alarms', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let cw: ReturnType<typeof awsCliFor>;
  let json: (...args: string[]) => Promise<Json>;

  before(async () => {
    server = await startTestServer({}, { alarmEvaluationMs: 200 });
    cw = awsCliFor(server, 'cloudwatch');
    json = (...args) => cw.json<Json>(...args);
  });
  after(() => server.stop());

  const put = (value: number) =>
    json(
      'put-metric-data',
      '--namespace',
      'Berth/Alarms',
      '--metric-data',
      JSON.stringify([
        { MetricName: 'Errors', Value: value, StorageResolution: 1, Timestamp: new Date().toISOString() },
      ]),
    );

  const alarm = async (): Promise<Json> => {
    const out = await json('describe-alarms', '--alarm-names', 'errors-high');
    return (out.MetricAlarms as Json[])[0]!;
  };

  /**
   * Waits for the alarm's state; with `value`, the metric keeps getting that value every 2 s
   * meanwhile, as a live metric would (one datapoint alone can reach the server after the evaluator
   * closed its 10 s period on a loaded machine, and is then never evaluated).
   */
  async function waitForState(state: string, value?: number, timeoutMs = 90_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    let lastPut = 0;
    for (;;) {
      if (value !== undefined && Date.now() - lastPut >= 2000) {
        lastPut = Date.now();
        await put(value);
      }
      const current = await alarm();
      if (current.StateValue === state) return current;
      if (Date.now() > deadline) assert.fail(`the alarm stayed ${String(current.StateValue)}, not ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('goes ALARM then OK on period boundaries, with history', async () => {
    await json(
      'put-metric-alarm',
      '--alarm-name',
      'errors-high',
      '--namespace',
      'Berth/Alarms',
      '--metric-name',
      'Errors',
      '--statistic',
      'Maximum',
      '--period',
      '10',
      '--evaluation-periods',
      '1',
      '--threshold',
      '5',
      '--comparison-operator',
      'GreaterThanThreshold',
      '--tags',
      'Key=team,Value=web',
    );
    const created = await alarm();
    assert.equal(created.StateValue, 'INSUFFICIENT_DATA');
    assert.equal(created.AlarmArn, 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors-high');
    const alarmed = await waitForState('ALARM', 9);
    assert.match(
      String(alarmed.StateReason),
      /^Threshold Crossed: 1 datapoint \[9\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] was greater than the threshold \(5\.0\)\.$/,
    );
    assert.equal(JSON.parse(String(alarmed.StateReasonData)).statistic, 'Maximum');
    // Low datapoints from now on: the first period holding only them evaluates to OK at its boundary.
    const ok = await waitForState('OK', 1);
    assert.match(String(ok.StateReason), /was not greater than the threshold \(5\.0\)/);
    const history = await json(
      'describe-alarm-history',
      '--alarm-name',
      'errors-high',
      '--history-item-type',
      'StateUpdate',
    );
    const summaries = (history.AlarmHistoryItems as Json[]).map((h) => h.HistorySummary);
    assert.deepEqual(summaries.slice(0, 2), [
      'Alarm updated from ALARM to OK',
      'Alarm updated from INSUFFICIENT_DATA to ALARM',
    ]);
    const all = await json(
      'describe-alarm-history',
      '--alarm-name',
      'errors-high',
      '--history-item-type',
      'ConfigurationUpdate',
    );
    assert.equal((all.AlarmHistoryItems as Json[])[0]!.HistorySummary, 'Alarm "errors-high" created');
  });

  it('set-alarm-state, describe-alarms filters, actions, tags and delete', async () => {
    await json('set-alarm-state', '--alarm-name', 'errors-high', '--state-value', 'ALARM', '--state-reason', 'testing');
    const inAlarm = await json('describe-alarms', '--state-value', 'ALARM', '--alarm-name-prefix', 'errors');
    assert.deepEqual(
      (inAlarm.MetricAlarms as Json[]).map((a) => a.StateReason),
      ['testing'],
    );
    const forMetric = await json(
      'describe-alarms-for-metric',
      '--namespace',
      'Berth/Alarms',
      '--metric-name',
      'Errors',
    );
    assert.equal((forMetric.MetricAlarms as Json[]).length, 1);
    await json('disable-alarm-actions', '--alarm-names', 'errors-high');
    assert.equal((await alarm()).ActionsEnabled, false);
    const arn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors-high';
    assert.deepEqual((await json('list-tags-for-resource', '--resource-arn', arn)).Tags, [
      { Key: 'team', Value: 'web' },
    ]);
    await json('tag-resource', '--resource-arn', arn, '--tags', 'Key=tier,Value=1');
    await json('untag-resource', '--resource-arn', arn, '--tag-keys', 'team');
    assert.deepEqual((await json('list-tags-for-resource', '--resource-arn', arn)).Tags, [{ Key: 'tier', Value: '1' }]);
    const sns = await cw.run(
      'put-metric-alarm',
      '--alarm-name',
      'notify',
      '--namespace',
      'Berth/Alarms',
      '--metric-name',
      'Errors',
      '--statistic',
      'Sum',
      '--period',
      '60',
      '--evaluation-periods',
      '1',
      '--threshold',
      '1',
      '--comparison-operator',
      'GreaterThanThreshold',
      '--alarm-actions',
      'arn:aws:sns:us-east-1:000000000000:topic',
    );
    assert.match(sns.stderr, /InvalidParameterValue.*arn:aws:sns:us-east-1:000000000000:topic/);
    await json('delete-alarms', '--alarm-names', 'errors-high');
    assert.deepEqual((await json('describe-alarms')).MetricAlarms, []);
    const missing = await cw.run(
      'set-alarm-state',
      '--alarm-name',
      'errors-high',
      '--state-value',
      'OK',
      '--state-reason',
      'x',
    );
    assert.match(missing.stderr, /ResourceNotFound/);
  });
});
