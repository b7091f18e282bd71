import { InvalidLoadBalancerActionException, ValidationError } from './errors.ts';
import type { RedirectActionConfig } from './shapes.generated.ts';

/*
 * A redirect action's RedirectConfig as ELB validates and describes it: each component a literal
 * or AWS's #{protocol}/#{host}/#{port}/#{path}/#{query} keywords, missing ones filled in with the
 * keyword that keeps the request's own value, and a redirect that would change none of protocol,
 * host, port and path (a loop) refused. proxy/redirect.ts expands it per request.
 */

const MAX_COMPONENT = 128;
const PORT_RANGE = { min: 1, max: 65535 };

export const REDIRECT_DEFAULTS = {
  Protocol: '#{protocol}',
  Port: '#{port}',
  Host: '#{host}',
  Path: '/#{path}',
  Query: '#{query}',
} as const;

function checkLength(name: string, value: string, min: number): void {
  if (value.length < min || value.length > MAX_COMPONENT)
    throw new ValidationError(`Redirect ${name} '${value}' must be ${min} to ${MAX_COMPONENT} characters long`);
}

/** Keywords other than these (e.g. '#{path}' in a host) are refused, as ELB does. */
function checkKeywords(name: string, value: string, allowed: readonly string[]): void {
  for (const match of value.matchAll(/#\{([^}]*)\}/g)) {
    if (!allowed.includes(match[1]!))
      throw new ValidationError(`Redirect ${name} '${value}' cannot contain '#{${match[1]!}}'`);
  }
}

/**
 * The RedirectConfig with every component (defaults filled in), or ValidationError /
 * InvalidLoadBalancerAction in ELB's terms. `listenerProtocol` refuses an HTTPS to HTTP redirect.
 */
export function normalizeRedirect(
  config: RedirectActionConfig | undefined,
  listenerProtocol: string | undefined,
): RedirectActionConfig {
  if (!config) throw new ValidationError('A redirect action needs a RedirectConfig');
  if (config.StatusCode !== 'HTTP_301' && config.StatusCode !== 'HTTP_302')
    throw new ValidationError(`Redirect status code '${String(config.StatusCode)}' must be HTTP_301 or HTTP_302`);
  const out = { ...REDIRECT_DEFAULTS, ...definedOnly(config), StatusCode: config.StatusCode };
  if (!['HTTP', 'HTTPS', '#{protocol}'].includes(out.Protocol))
    throw new ValidationError(`Redirect protocol '${out.Protocol}' must be HTTP, HTTPS or #{protocol}`);
  if (out.Port !== '#{port}') {
    const port = /^\d{1,5}$/.test(out.Port) ? Number(out.Port) : NaN;
    if (!(port >= PORT_RANGE.min && port <= PORT_RANGE.max))
      throw new ValidationError(`Redirect port '${out.Port}' must be from 1 to 65535 or #{port}`);
  }
  checkLength('host', out.Host, 1);
  checkKeywords('host', out.Host, ['host']);
  checkLength('path', out.Path, 1);
  if (!out.Path.startsWith('/')) throw new ValidationError(`Redirect path '${out.Path}' must start with '/'`);
  checkKeywords('path', out.Path, ['host', 'path', 'port']);
  checkLength('query', out.Query, 0);
  if (out.Query.startsWith('?')) throw new ValidationError(`Redirect query '${out.Query}' must not start with '?'`);
  checkKeywords('query', out.Query, ['protocol', 'host', 'port', 'path', 'query']);
  const unchanged =
    out.Protocol === REDIRECT_DEFAULTS.Protocol &&
    out.Port === REDIRECT_DEFAULTS.Port &&
    out.Host === REDIRECT_DEFAULTS.Host &&
    out.Path === REDIRECT_DEFAULTS.Path;
  if (unchanged)
    throw new InvalidLoadBalancerActionException(
      'The redirect configuration is not valid: change at least one of protocol, host, port or path to avoid a redirect loop',
    );
  if (listenerProtocol === 'HTTPS' && out.Protocol === 'HTTP')
    throw new InvalidLoadBalancerActionException('A redirect cannot go from HTTPS to HTTP');
  return out;
}

function definedOnly(config: RedirectActionConfig): Partial<RedirectActionConfig> {
  const out: Record<string, string> = {};
  for (const key of ['Protocol', 'Port', 'Host', 'Path', 'Query'] as const) {
    const value = config[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
