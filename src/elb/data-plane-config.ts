import type {
  DataPlaneConfig,
  HealthCheckConfig,
  ListenerCertificate,
  ListenerConfig,
  ListenerTls,
  RuleAction,
  RuleCondition as PlaneCondition,
  RuleConfig,
  TargetGroupConfig,
} from './data-plane-contract.ts';
import type { Action, RuleCondition } from './shapes.generated.ts';
import { securityPolicy } from './ssl-policies.ts';
import type { ElbState, ListenerState, RuleState, TargetGroupState } from './state.ts';

/**
 * The control plane's whole desired state, as the data plane takes it (data-plane-contract.ts).
 * Pure: rules in evaluation order (ascending priority, the default rule last), instance targets
 * resolved to their host's address (127.0.0.1 on one host, unless the container instance records
 * another), ip targets as registered.
 */
export interface PlaneOptions {
  /** BERTH_ELB_BIND_ADDRESS. */
  readonly bindAddress: string;
  /** Container instances' addresses and zones by EC2 instance id; missing ones are on 127.0.0.1. */
  readonly instances: ReadonlyMap<string, { readonly address?: string; readonly availabilityZone?: string }>;
  /** HTTPS listeners' certificates by ARN (from ACM); one missing leaves its listener without it. */
  readonly certificates?: ReadonlyMap<string, ListenerCertificate>;
}

export const LOCAL_HOST_ADDRESS = '127.0.0.1';

export function buildDataPlaneConfig(state: ElbState, options: PlaneOptions): DataPlaneConfig {
  const rulesByListener = new Map<string, RuleState[]>();
  for (const rule of state.rules.values()) {
    const list = rulesByListener.get(rule.listenerArn) ?? [];
    list.push(rule);
    rulesByListener.set(rule.listenerArn, list);
  }
  const listeners: ListenerConfig[] = [...state.listeners.values()]
    .map((listener) => ({
      listenerArn: listener.arn,
      loadBalancerArn: listener.loadBalancerArn,
      port: listener.view.Port ?? 80,
      bindAddress: options.bindAddress,
      rules: sortRules(rulesByListener.get(listener.arn) ?? []).map(ruleConfig),
      idleTimeoutSeconds: Number(
        state.loadBalancers.get(listener.loadBalancerArn)?.attributes['idle_timeout.timeout_seconds'] ?? 60,
      ),
      ...listenerTls(listener, options),
    }))
    .sort((a, b) => a.port - b.port || a.listenerArn.localeCompare(b.listenerArn));
  const targetGroups = [...state.targetGroups.values()]
    .map((group) => targetGroupConfig(group, options))
    .sort((a, b) => a.targetGroupArn.localeCompare(b.targetGroupArn));
  return { listeners, targetGroups };
}

/** The certificates listed on an HTTPS listener: the default one first, then the SNI ones. */
export function listenerCertificateArns(listener: ListenerState): string[] {
  const first = listener.view.Certificates?.[0]?.CertificateArn;
  return [...(first !== undefined ? [first] : []), ...(listener.certificates ?? [])];
}

function listenerTls(listener: ListenerState, options: PlaneOptions): { tls?: ListenerTls } {
  if (listener.view.Protocol !== 'HTTPS') return {};
  const policy = securityPolicy(listener.view.SslPolicy ?? 'ELBSecurityPolicy-2016-08');
  const certificates = listenerCertificateArns(listener)
    .map((arn) => options.certificates?.get(arn))
    .filter((certificate) => certificate !== undefined);
  return {
    tls: { sslPolicy: policy.name, protocols: policy.protocols, ciphers: policy.ciphers, certificates },
  };
}

/** Ascending priority, the default rule last. */
export function sortRules<T extends { readonly priority: number | 'default' }>(rules: readonly T[]): T[] {
  const rank = (r: T): number => (r.priority === 'default' ? Number.POSITIVE_INFINITY : r.priority);
  return [...rules].sort((a, b) => rank(a) - rank(b));
}

function ruleConfig(rule: RuleState): RuleConfig {
  return {
    ruleArn: rule.arn,
    priority: rule.priority,
    conditions: rule.conditions.map(planeCondition),
    action: planeAction(rule.actions),
  };
}

const PLANE_CONDITIONS: Record<string, (c: RuleCondition) => PlaneCondition> = {
  'path-pattern': (c) => ({ field: 'path-pattern', values: c.PathPatternConfig?.Values ?? c.Values ?? [] }),
  'host-header': (c) => ({ field: 'host-header', values: c.HostHeaderConfig?.Values ?? c.Values ?? [] }),
  'http-header': (c) => ({
    field: 'http-header',
    headerName: c.HttpHeaderConfig?.HttpHeaderName ?? '',
    values: c.HttpHeaderConfig?.Values ?? [],
  }),
  'http-request-method': (c) => ({ field: 'http-request-method', values: c.HttpRequestMethodConfig?.Values ?? [] }),
  'query-string': (c) => ({
    field: 'query-string',
    values: (c.QueryStringConfig?.Values ?? []).map((pair) => ({
      ...(pair.Key !== undefined ? { key: pair.Key } : {}),
      value: pair.Value ?? '',
    })),
  }),
  'source-ip': (c) => ({ field: 'source-ip', values: c.SourceIpConfig?.Values ?? [] }),
};

export function planeCondition(condition: RuleCondition): PlaneCondition {
  const convert = PLANE_CONDITIONS[condition.Field ?? ''] ?? PLANE_CONDITIONS['source-ip']!;
  return convert(condition);
}

/** The one terminal action (validation allows forward, fixed-response and redirect only). */
export function planeAction(actions: readonly Action[]): RuleAction {
  const action = actions.find((a) => a.Type === 'forward' || a.Type === 'fixed-response' || a.Type === 'redirect');
  if (action?.Type === 'redirect') return planeRedirect(action);
  if (action?.Type === 'fixed-response') {
    const config = action.FixedResponseConfig;
    return {
      type: 'fixed-response',
      statusCode: Number(config?.StatusCode ?? 503),
      ...(config?.ContentType !== undefined ? { contentType: config.ContentType } : {}),
      ...(config?.MessageBody !== undefined ? { messageBody: config.MessageBody } : {}),
    };
  }
  const tuples = action?.ForwardConfig?.TargetGroups;
  const targetGroups =
    tuples && tuples.length > 0
      ? tuples.map((t) => ({ targetGroupArn: t.TargetGroupArn ?? '', weight: t.Weight ?? 1 }))
      : action?.TargetGroupArn
        ? [{ targetGroupArn: action.TargetGroupArn, weight: 1 }]
        : [];
  return { type: 'forward', targetGroups };
}

function planeRedirect(action: Action): RuleAction {
  const redirect = action.RedirectConfig;
  return {
    type: 'redirect',
    statusCode: redirect?.StatusCode === 'HTTP_302' ? 302 : 301,
    protocol: redirect?.Protocol ?? '#{protocol}',
    port: redirect?.Port ?? '#{port}',
    host: redirect?.Host ?? '#{host}',
    path: redirect?.Path ?? '/#{path}',
    query: redirect?.Query ?? '#{query}',
  };
}

function targetGroupConfig(group: TargetGroupState, options: PlaneOptions): TargetGroupConfig {
  const view = group.view;
  const healthCheckPort = view.HealthCheckPort ?? 'traffic-port';
  const healthCheck: HealthCheckConfig = {
    enabled: view.HealthCheckEnabled ?? true,
    path: view.HealthCheckPath ?? '/',
    port: healthCheckPort === 'traffic-port' ? 'traffic-port' : Number(healthCheckPort),
    intervalSeconds: view.HealthCheckIntervalSeconds ?? 30,
    timeoutSeconds: view.HealthCheckTimeoutSeconds ?? 5,
    healthyThresholdCount: view.HealthyThresholdCount ?? 5,
    unhealthyThresholdCount: view.UnhealthyThresholdCount ?? 2,
    matcher: view.Matcher?.HttpCode ?? '200',
  };
  const instance = view.TargetType !== 'ip';
  return {
    targetGroupArn: group.arn,
    port: view.Port ?? 80,
    targetType: instance ? 'instance' : 'ip',
    healthCheck,
    deregistrationDelaySeconds: Number(group.attributes['deregistration_delay.timeout_seconds'] ?? 300),
    slowStartSeconds: Number(group.attributes['slow_start.duration_seconds'] ?? 0),
    algorithm:
      group.attributes['load_balancing.algorithm.type'] === 'least_outstanding_requests'
        ? 'least_outstanding_requests'
        : 'round_robin',
    targets: group.targets.map((target) => {
      const host = instance ? options.instances.get(target.id) : undefined;
      const zone = target.availabilityZone ?? host?.availabilityZone;
      return {
        id: target.id,
        port: target.port,
        address: instance ? (host?.address ?? LOCAL_HOST_ADDRESS) : target.id,
        ...(zone !== undefined ? { availabilityZone: zone } : {}),
      };
    }),
  };
}
