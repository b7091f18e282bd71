import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOAD_BALANCER_ATTRIBUTES, modifiedAttributes, TARGET_GROUP_ATTRIBUTES } from './attributes.ts';
import { DEFAULT_HEALTH_CHECK, healthCheckSettings } from './health-checks.ts';
import { paginate } from './pagination.ts';

describe('health check settings', () => {
  it("start from AWS's defaults for HTTP target groups", () => {
    assert.deepEqual(healthCheckSettings({}, {}), DEFAULT_HEALTH_CHECK);
  });

  const refused: [string, Parameters<typeof healthCheckSettings>[1], RegExp][] = [
    ['a timeout not below the interval', { HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10 }, /smaller/],
    ['a path without a leading slash', { HealthCheckPath: 'health' }, /begin with/],
    ['a port out of range', { HealthCheckPort: '70000' }, /traffic-port/],
    ['a matcher out of 200–499', { Matcher: { HttpCode: '500' } }, /200 to 499/],
    ['a malformed matcher', { Matcher: { HttpCode: '200,,' } }, /200 to 499/],
  ];
  for (const [what, changes, message] of refused) {
    it(`refuse ${what}`, () => assert.throws(() => healthCheckSettings({}, changes), message));
  }

  it('accept code lists and ranges, and check the timeout against the merged interval', () => {
    assert.equal(healthCheckSettings({}, { Matcher: { HttpCode: '200,202-204' } }).Matcher.HttpCode, '200,202-204');
    // current interval 30, new timeout 29 → fine; new interval 5 with the current timeout 5 → refused
    healthCheckSettings({ HealthCheckIntervalSeconds: 30 }, { HealthCheckTimeoutSeconds: 29 });
    assert.throws(() => healthCheckSettings({ HealthCheckTimeoutSeconds: 5 }, { HealthCheckIntervalSeconds: 5 }));
  });
});

describe('attributes', () => {
  it('fill in defaults and apply valid changes', () => {
    const next = modifiedAttributes(
      TARGET_GROUP_ATTRIBUTES,
      {},
      [{ Key: 'slow_start.duration_seconds', Value: '30' }],
      'Target group',
    );
    assert.equal(next['slow_start.duration_seconds'], '30');
    assert.equal(next['deregistration_delay.timeout_seconds'], '300');
  });

  it("describe an Application Load Balancer's cross-zone load balancing as on, and accept setting it on", () => {
    const next = modifiedAttributes(
      LOAD_BALANCER_ATTRIBUTES,
      {},
      [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }],
      'Load balancer',
    );
    assert.equal(next['load_balancing.cross_zone.enabled'], 'true');
  });

  const refused: [Record<string, never> | typeof LOAD_BALANCER_ATTRIBUTES, string, string][] = [
    [TARGET_GROUP_ATTRIBUTES, 'slow_start.duration_seconds', '10'], // 0 or 30–900
    [TARGET_GROUP_ATTRIBUTES, 'deregistration_delay.timeout_seconds', '3601'],
    [TARGET_GROUP_ATTRIBUTES, 'load_balancing.algorithm.type', 'weighted_random'],
    [TARGET_GROUP_ATTRIBUTES, 'no.such.key', '1'],
    [LOAD_BALANCER_ATTRIBUTES, 'idle_timeout.timeout_seconds', '0'],
    [LOAD_BALANCER_ATTRIBUTES, 'deletion_protection.enabled', 'yes'],
    [LOAD_BALANCER_ATTRIBUTES, 'load_balancing.cross_zone.enabled', 'false'], // always on for an ALB
  ];
  for (const [rules, key, value] of refused) {
    it(`refuse ${key}=${value}`, () =>
      assert.throws(() => modifiedAttributes(rules, {}, [{ Key: key, Value: value }], 'Target group'), {
        code: 'ValidationError',
      }));
  }
});

describe('paginate', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  it('pages by the last key returned', () => {
    const first = paginate(items, (x) => x, { PageSize: 2 });
    assert.deepEqual(first.page, ['a', 'b']);
    const second = paginate(items, (x) => x, { PageSize: 2, Marker: first.nextMarker });
    assert.deepEqual(second.page, ['c', 'd']);
    const last = paginate(items, (x) => x, { PageSize: 2, Marker: second.nextMarker });
    assert.deepEqual(last, { page: ['e'], nextMarker: undefined });
  });

  it('refuses a marker it did not give', () => {
    assert.throws(() => paginate(items, (x) => x, { Marker: '!!' }), { code: 'ValidationError' });
  });
});
