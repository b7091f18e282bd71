import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDataPlaneConfig } from './data-plane-config.ts';
import type { ElbState, ListenerState, RuleState, TargetGroupState } from './state.ts';

const at = new Date('2026-01-01T00:00:00Z');
const LB = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/0000000000000001';
const LISTENER = `${LB.replace(':loadbalancer/', ':listener/')}/00000000000000a1`;
const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api/0000000000000002';
const IP_TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/ips/0000000000000003';

const group = (arn: string, type: 'instance' | 'ip', targets: TargetGroupState['targets']): TargetGroupState => ({
  arn,
  name: arn.split('/')[1]!,
  createdAt: at,
  view: {
    TargetGroupArn: arn,
    Port: 8080,
    TargetType: type,
    HealthCheckPath: '/health',
    Matcher: { HttpCode: '200-299' },
  },
  attributes: {
    'deregistration_delay.timeout_seconds': '10',
    'load_balancing.algorithm.type': 'least_outstanding_requests',
  },
  targets,
  tags: [],
});

const rule = (priority: number | 'default', actions: RuleState['actions'], path?: string): RuleState => ({
  arn: `${LISTENER.replace(':listener/', ':listener-rule/')}/${String(priority).padStart(16, '0')}`,
  listenerArn: LISTENER,
  createdAt: at,
  priority,
  conditions: path ? [{ Field: 'path-pattern', Values: [path], PathPatternConfig: { Values: [path] } }] : [],
  actions,
  tags: [],
});

const listener: ListenerState = {
  arn: LISTENER,
  loadBalancerArn: LB,
  createdAt: at,
  view: { ListenerArn: LISTENER, LoadBalancerArn: LB, Port: 8000, Protocol: 'HTTP' },
  tags: [],
};

const state: ElbState = {
  loadBalancers: new Map([
    [
      LB,
      { arn: LB, name: 'web', createdAt: at, view: {}, attributes: { 'idle_timeout.timeout_seconds': '15' }, tags: [] },
    ],
  ]),
  targetGroups: new Map([
    [
      TG,
      group(TG, 'instance', [
        { id: 'i-1', port: 8080 },
        { id: 'i-2', port: 9090 },
      ]),
    ],
    [IP_TG, group(IP_TG, 'ip', [{ id: '10.1.2.3', port: 80, availabilityZone: 'all' }])],
  ]),
  listeners: new Map([[LISTENER, listener]]),
  rules: new Map(
    [
      rule('default', [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
      ]),
      rule(20, [{ Type: 'forward', TargetGroupArn: TG }], '/b/*'),
      rule(
        3,
        [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: TG, Weight: 3 },
                { TargetGroupArn: IP_TG, Weight: 0 },
              ],
            },
          },
        ],
        '/a/*',
      ),
    ].map((r) => [r.arn, r]),
  ),
};

describe('buildDataPlaneConfig', () => {
  const config = buildDataPlaneConfig(state, {
    bindAddress: '0.0.0.0',
    instances: new Map([['i-2', { address: '10.0.0.2', availabilityZone: 'us-east-1b' }]]),
  });

  it('orders rules by ascending priority with the default rule last', () => {
    const [only] = config.listeners;
    assert.deepEqual(
      only!.rules.map((r) => r.priority),
      [3, 20, 'default'],
    );
    assert.equal(only!.bindAddress, '0.0.0.0');
    assert.equal(only!.idleTimeoutSeconds, 15);
    assert.equal(only!.port, 8000);
  });

  it('turns actions and conditions into the data plane form', () => {
    const [weighted, plain, fallback] = config.listeners[0]!.rules;
    assert.deepEqual(weighted!.conditions, [{ field: 'path-pattern', values: ['/a/*'] }]);
    assert.deepEqual(weighted!.action, {
      type: 'forward',
      targetGroups: [
        { targetGroupArn: TG, weight: 3 },
        { targetGroupArn: IP_TG, weight: 0 },
      ],
    });
    assert.deepEqual(plain!.action, { type: 'forward', targetGroups: [{ targetGroupArn: TG, weight: 1 }] });
    assert.deepEqual(fallback!.action, { type: 'fixed-response', statusCode: 404, contentType: 'text/plain' });
    assert.deepEqual(fallback!.conditions, []);
  });

  it('resolves instance targets to their host (127.0.0.1 unless recorded) and keeps ip targets', () => {
    const byArn = new Map(config.targetGroups.map((g) => [g.targetGroupArn, g]));
    assert.deepEqual(byArn.get(TG)!.targets, [
      { id: 'i-1', port: 8080, address: '127.0.0.1' },
      { id: 'i-2', port: 9090, address: '10.0.0.2', availabilityZone: 'us-east-1b' },
    ]);
    assert.deepEqual(byArn.get(IP_TG)!.targets, [
      { id: '10.1.2.3', port: 80, address: '10.1.2.3', availabilityZone: 'all' },
    ]);
  });

  it('carries health checks with their defaults and the attributes the data plane acts on', () => {
    const tg = config.targetGroups.find((g) => g.targetGroupArn === TG)!;
    assert.deepEqual(tg.healthCheck, {
      enabled: true,
      path: '/health',
      port: 'traffic-port',
      intervalSeconds: 30,
      timeoutSeconds: 5,
      healthyThresholdCount: 5,
      unhealthyThresholdCount: 2,
      matcher: '200-299',
    });
    assert.equal(tg.deregistrationDelaySeconds, 10);
    assert.equal(tg.slowStartSeconds, 0);
    assert.equal(tg.algorithm, 'least_outstanding_requests');
  });
});
