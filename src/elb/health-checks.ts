import { InvalidConfigurationRequestException, ValidationError } from './errors.ts';
import type { ModifyTargetGroupInput, TargetGroup } from './shapes.generated.ts';

/*
 * A target group's health check settings: AWS's defaults for an HTTP target group, and the rules
 * that bind them together (the model checks each bound alone: interval 5–300, timeout 2–120,
 * thresholds 2–10).
 */
export type HealthCheckSettings = Pick<
  TargetGroup,
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckEnabled'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'HealthCheckPath'
  | 'Matcher'
>;

export const DEFAULT_HEALTH_CHECK: Required<HealthCheckSettings> = {
  HealthCheckProtocol: 'HTTP',
  HealthCheckPort: 'traffic-port',
  HealthCheckEnabled: true,
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 5,
  UnhealthyThresholdCount: 2,
  HealthCheckPath: '/',
  Matcher: { HttpCode: '200' },
};

const MATCHER = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;

/** The settings after applying `changes` to `current`; throws on a combination AWS refuses. */
export function healthCheckSettings(
  current: HealthCheckSettings,
  changes: Omit<ModifyTargetGroupInput, 'TargetGroupArn'>,
): Required<HealthCheckSettings> {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  const next = { ...DEFAULT_HEALTH_CHECK, ...current, ...defined } as Required<HealthCheckSettings>;
  if (next.HealthCheckProtocol !== 'HTTP') {
    throw new InvalidConfigurationRequestException(
      `Berth health checks speak HTTP only: health check protocol '${next.HealthCheckProtocol}' is not supported`,
    );
  }
  const port = next.HealthCheckPort;
  if (port !== 'traffic-port' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw new ValidationError(`Health check port '${port}' must be 'traffic-port' or a port from 1 to 65535`);
  }
  if (!next.HealthCheckPath.startsWith('/') || next.HealthCheckPath.length > 1024)
    throw new ValidationError(
      `Health check path '${next.HealthCheckPath}' must begin with '/' and be at most 1024 characters`,
    );
  if (next.HealthCheckTimeoutSeconds >= next.HealthCheckIntervalSeconds) {
    throw new ValidationError(
      `Health check timeout '${next.HealthCheckTimeoutSeconds}' must be smaller than the interval '${next.HealthCheckIntervalSeconds}'`,
    );
  }
  if (next.Matcher.GrpcCode !== undefined) throw new ValidationError('A gRPC matcher needs a gRPC target group');
  const code = next.Matcher.HttpCode ?? '';
  const codes = code.split(/[,-]/).map(Number);
  if (!MATCHER.test(code) || codes.some((c) => c < 200 || c > 499)) {
    throw new ValidationError(
      `Health check matcher HTTP code '${code}' must be codes from 200 to 499, as a list ("200,202") or a range ("200-299")`,
    );
  }
  return next;
}
