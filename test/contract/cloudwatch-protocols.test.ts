import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { decode, encode } from 'cbor-x';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * CloudWatch's two SDK protocols, hand-built and signed as the SDK signs them (service
 * "monitoring"): JSON 1.0 (X-Amz-Target GraniteServiceVersion20100801.<Op>) and Smithy RPC v2 CBOR
 * (POST /service/GraniteServiceVersion20100801/operation/<Op>, smithy-protocol: rpc-v2-cbor).
 */
describe('CloudWatch over JSON 1.0 and RPC v2 CBOR', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  async function call(path: string, headers: Record<string, string>, body: Uint8Array | string) {
    const { host } = new URL(server.url);
    const signer = new SignatureV4({
      credentials: server.credentials,
      region: 'us-east-1',
      service: 'monitoring',
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: host,
      path,
      query: {},
      headers: { host, ...headers },
      body,
    });
    const sendable = { ...(signed.headers as Record<string, string>) };
    delete sendable.host;
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: sendable, body });
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  const json = (operation: string, input: unknown) =>
    call(
      '/',
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `GraniteServiceVersion20100801.${operation}` },
      JSON.stringify(input),
    );
  const cbor = (operation: string, input: unknown) =>
    call(
      `/service/GraniteServiceVersion20100801/operation/${operation}`,
      { 'content-type': 'application/cbor', accept: 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' },
      encode(input),
    );

  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;

  it('JSON 1.0: puts and reads datapoints; errors carry the query code', async () => {
    const put = await json('PutMetricData', {
      Namespace: 'Berth/Json',
      MetricData: [{ MetricName: 'Hits', Value: 3, Timestamp: (minute + 1000) / 1000 }],
    });
    assert.equal(put.status, 200);
    assert.equal(put.headers.get('content-type'), 'application/x-amz-json-1.0');
    const stats = await json('GetMetricStatistics', {
      Namespace: 'Berth/Json',
      MetricName: 'Hits',
      StartTime: minute / 1000,
      EndTime: (minute + 60_000) / 1000,
      Period: 60,
      Statistics: ['Sum'],
    });
    const body = JSON.parse(Buffer.from(stats.bytes).toString('utf8')) as {
      Datapoints: { Sum: number; Timestamp: number }[];
    };
    assert.deepEqual(
      body.Datapoints.map((d) => [d.Sum, d.Timestamp]),
      [[3, minute / 1000]],
    );
    const bad = await json('PutMetricData', { Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'X', Value: 1 }] });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(Buffer.from(bad.bytes).toString('utf8')).__type, 'InvalidParameterValueException');
    assert.equal(bad.headers.get('x-amzn-query-error'), 'InvalidParameterValue;Sender');
  });

  it('RPC v2 CBOR: timestamps as tag 1, results as CBOR, 404 for a missing alarm', async () => {
    const put = await cbor('PutMetricData', {
      Namespace: 'Berth/Cbor',
      MetricData: [{ MetricName: 'Hits', Values: [1, 2], Counts: [1, 3], Timestamp: new Date(minute + 1000) }],
    });
    assert.equal(put.status, 200, Buffer.from(put.bytes).toString());
    assert.equal(put.headers.get('smithy-protocol'), 'rpc-v2-cbor');
    const data = await cbor('GetMetricData', {
      StartTime: new Date(minute),
      EndTime: new Date(minute + 60_000),
      MetricDataQueries: [
        {
          Id: 'm',
          MetricStat: { Metric: { Namespace: 'Berth/Cbor', MetricName: 'Hits' }, Period: 60, Stat: 'Sum' },
          ReturnData: false,
        },
        { Id: 'twice', Expression: 'm * 2' },
      ],
    });
    assert.equal(data.status, 200);
    assert.equal(data.headers.get('content-type'), 'application/cbor');
    const out = decode(data.bytes) as { MetricDataResults: { Id: string; Values: number[]; Timestamps: Date[] }[] };
    // Sum of 1 + 2 x 3 = 7, doubled.
    assert.deepEqual(
      out.MetricDataResults.map((r) => [r.Id, r.Values]),
      [['twice', [14]]],
    );
    assert.equal(out.MetricDataResults[0]!.Timestamps[0]!.getTime(), minute);
    const missing = await cbor('SetAlarmState', { AlarmName: 'none', StateValue: 'OK', StateReason: 'x' });
    assert.equal(missing.status, 404);
    assert.equal((decode(missing.bytes) as { __type: string }).__type, 'ResourceNotFound');
    assert.equal(missing.headers.get('x-amzn-query-error'), 'ResourceNotFound;Sender');
  });

  it('RPC v2 CBOR: a body that is not CBOR is a SerializationException', async () => {
    const broken = await call(
      '/service/GraniteServiceVersion20100801/operation/ListMetrics',
      { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' },
      new Uint8Array([0xbf, 0x61]),
    );
    assert.equal(broken.status, 400);
    assert.equal((decode(broken.bytes) as { __type: string }).__type, 'SerializationException');
  });
});
