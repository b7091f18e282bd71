import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { PublishedDatum } from '../shared/metric-publisher.ts';
import { agentTelemetryIntervalMs, inMetricsTime, metricsTime } from './metrics-time.ts';

describe('metrics time', () => {
  it("is the server's clock itself at AWS's minute", () => {
    const clock = new FakeClock();
    assert.equal(metricsTime({ metricsMinuteMs: 60_000 }, clock).clock, clock);
  });

  it('lands real-time datapoints at their scaled instant', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const time = metricsTime({ metricsMinuteMs: 2000 }, clock);
    const seen: PublishedDatum[] = [];
    const publisher = inMetricsTime({ publish: async (_, data) => void seen.push(...data) }, time);
    const datum = { MetricName: 'm', Dimensions: [], Unit: 'Count', Timestamp: new Date('2026-01-01T00:00:02Z') };
    await publisher.publish('LogMetrics', [datum]);
    assert.equal(seen[0]!.Timestamp.toISOString(), '2026-01-01T00:01:00.000Z');
    const plain = { publish: async () => {} };
    assert.equal(inMetricsTime(plain, metricsTime({ metricsMinuteMs: 60_000 }, clock)), plain);
  });

  it("paces a berth agent's sampling by BERTH_METRICS_MINUTE_MS", () => {
    assert.equal(agentTelemetryIntervalMs({}), 20_000);
    assert.equal(agentTelemetryIntervalMs({ BERTH_METRICS_MINUTE_MS: '60000' }), 20_000);
    assert.equal(agentTelemetryIntervalMs({ BERTH_METRICS_MINUTE_MS: '2000' }), 667);
    assert.throws(() => agentTelemetryIntervalMs({ BERTH_METRICS_MINUTE_MS: '500' }), /from 1000 to 60000/);
  });
});
