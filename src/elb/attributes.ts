import { ValidationError } from './errors.ts';

/*
 * Load balancer and target group attributes: every key ELBv2 knows for an Application Load
 * Balancer and an HTTP target group, with AWS's defaults and the values each accepts. All are
 * stored and described; the data plane acts on idle_timeout, deregistration_delay, slow_start and
 * load_balancing.algorithm.type.
 */
type Rule = { readonly default: string; readonly valid: (value: string) => boolean; readonly expected: string };

const bool = (value: string): Rule => ({
  default: value,
  valid: (v) => v === 'true' || v === 'false',
  expected: 'true or false',
});
const range = (value: number, min: number, max: number): Rule => ({
  default: String(value),
  valid: (v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max,
  expected: `an integer from ${min} to ${max}`,
});
const oneOf = (value: string, ...values: string[]): Rule => ({
  default: value,
  valid: (v) => values.includes(v),
  expected: `one of ${values.join(', ')}`,
});
const text = (value = ''): Rule => ({ default: value, valid: (v) => v.length <= 1024, expected: 'text' });
/** An attribute an Application Load Balancer describes but does not let change. */
const fixed = (value: string, why: string): Rule => ({
  default: value,
  valid: (v) => v === value,
  expected: `${value} (${why})`,
});

export const LOAD_BALANCER_ATTRIBUTES: Readonly<Record<string, Rule>> = {
  'access_logs.s3.enabled': bool('false'),
  'access_logs.s3.bucket': text(),
  'access_logs.s3.prefix': text(),
  'client_keep_alive.seconds': range(3600, 60, 604800),
  'connection_logs.s3.enabled': bool('false'),
  'connection_logs.s3.bucket': text(),
  'connection_logs.s3.prefix': text(),
  'deletion_protection.enabled': bool('false'),
  'idle_timeout.timeout_seconds': range(60, 1, 4000),
  // "The default for Application Load Balancers is true, and can't be changed" (the API reference);
  // a target group may still turn it off for its own targets.
  'load_balancing.cross_zone.enabled': fixed(
    'true',
    'cross-zone load balancing is always on for Application Load Balancers',
  ),
  'routing.http.desync_mitigation_mode': oneOf('defensive', 'monitor', 'defensive', 'strictest'),
  'routing.http.drop_invalid_header_fields.enabled': bool('false'),
  'routing.http.preserve_host_header.enabled': bool('false'),
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': bool('false'),
  'routing.http.xff_client_port.enabled': bool('false'),
  'routing.http.xff_header_processing.mode': oneOf('append', 'append', 'preserve', 'remove'),
  'routing.http2.enabled': bool('true'),
  'waf.fail_open.enabled': bool('false'),
  'zonal_shift.config.enabled': bool('false'),
};

const slowStart: Rule = {
  default: '0',
  valid: (v) => /^\d+$/.test(v) && (Number(v) === 0 || (Number(v) >= 30 && Number(v) <= 900)),
  expected: '0 (off) or an integer from 30 to 900',
};

export const TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, Rule>> = {
  'deregistration_delay.timeout_seconds': range(300, 0, 3600),
  'slow_start.duration_seconds': slowStart,
  'load_balancing.algorithm.type': oneOf('round_robin', 'round_robin', 'least_outstanding_requests'),
  'load_balancing.cross_zone.enabled': oneOf(
    'use_load_balancer_configuration',
    'true',
    'false',
    'use_load_balancer_configuration',
  ),
  'stickiness.enabled': bool('false'),
  'stickiness.type': oneOf('lb_cookie', 'lb_cookie', 'app_cookie'),
  'stickiness.lb_cookie.duration_seconds': range(86400, 1, 604800),
  'stickiness.app_cookie.cookie_name': text(),
  'stickiness.app_cookie.duration_seconds': range(86400, 1, 604800),
  'target_group_health.dns_failover.minimum_healthy_targets.count': oneOf('1', '1', 'off'),
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': oneOf('off', 'off'),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': range(1, 1, 1000),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': oneOf('off', 'off'),
};

export function defaultAttributes(rules: Readonly<Record<string, Rule>>): Record<string, string> {
  return Object.fromEntries(Object.entries(rules).map(([key, rule]) => [key, rule.default]));
}

/** The attributes after a Modify...Attributes call; unknown keys and bad values are ValidationErrors. */
export function modifiedAttributes(
  rules: Readonly<Record<string, Rule>>,
  current: Readonly<Record<string, string>>,
  changes: readonly { Key?: string; Value?: string }[],
  what: 'Load balancer' | 'Target group',
): Record<string, string> {
  const next = { ...defaultAttributes(rules), ...current };
  for (const { Key: key, Value: value } of changes) {
    if (key === undefined) throw new ValidationError('An attribute key must be specified');
    const rule = rules[key];
    if (!rule) throw new ValidationError(`${what} attribute key '${key}' is not recognized`);
    if (value === undefined || !rule.valid(value)) {
      throw new ValidationError(
        `${what} attribute '${key}' value '${value ?? ''}' is not valid: expected ${rule.expected}`,
      );
    }
    next[key] = value;
  }
  return next;
}

export function attributeList(attributes: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
}
