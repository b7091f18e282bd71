import { localServerUrl } from '../shared/config.ts';

/** How `berth agent` is configured: flags, then an ecs.config file, then ECS_* variables, then defaults. */
export interface AgentConfig {
  /** The servers, in the order tried: several share one PostgreSQL (docs/multi-server.md). */
  readonly endpoints: readonly string[];
  readonly cluster: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Override what is registered (CPU units, MiB); undefined: the host's. */
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  readonly reservedMemory: number;
  readonly reservedPorts: readonly number[];
  readonly reservedUdpPorts: readonly number[];
  readonly loggingDrivers: readonly string[];
  readonly stopTimeoutSeconds: number;
  readonly startTimeoutSeconds: number;
  readonly cleanupDelayMs: number;
  readonly logLevel: string;
  readonly dataDir: string;
  /** Sign as this instance profile's role session (assumed with the environment's keys). */
  readonly instanceProfile: string | undefined;
  /** PEM certificates trusted besides the system's for the server's TLS (--ca-bundle, AWS_CA_BUNDLE). */
  readonly caBundle: string | undefined;
  /** Settings that were not understood: reported, never silently ignored. */
  readonly warnings: readonly string[];
}

export interface AgentFlags {
  readonly endpoint?: string | undefined;
  readonly cluster?: string | undefined;
  readonly 'availability-zone'?: string | undefined;
  readonly 'instance-type'?: string | undefined;
  readonly attribute?: readonly string[] | undefined;
  readonly cpu?: string | undefined;
  readonly memory?: string | undefined;
  readonly 'data-dir'?: string | undefined;
  readonly 'instance-profile'?: string | undefined;
  readonly 'ca-bundle'?: string | undefined;
}

export class AgentConfigError extends Error {}

/** The ECS agent's variables Berth's agent honours. */
const KNOWN = new Set([
  'ECS_CLUSTER',
  'ECS_RESERVED_MEMORY',
  'ECS_RESERVED_PORTS',
  'ECS_RESERVED_PORTS_UDP',
  'ECS_INSTANCE_ATTRIBUTES',
  'ECS_AVAILABLE_LOGGING_DRIVERS',
  'ECS_CONTAINER_STOP_TIMEOUT',
  'ECS_CONTAINER_START_TIMEOUT',
  'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION',
  'ECS_LOGLEVEL',
]);

/** Parses the ecs.config format: KEY=VALUE lines, # comments, blank lines. */
export function parseEcsConfig(text: string): { values: Map<string, string>; warnings: string[] } {
  const values = new Map<string, string>();
  const warnings: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      warnings.push(`line ${index + 1}: not KEY=VALUE: ${line}`);
      continue;
    }
    const key = line.slice(0, eq).trim();
    const value = line
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (!KNOWN.has(key)) warnings.push(`line ${index + 1}: ${key} is not a setting Berth's agent knows; ignored`);
    else values.set(key, value);
  }
  return { values, warnings };
}

/** A Go duration as the ECS agent writes them: 30s, 1m30s, 3h, 500ms. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text.trim();
  if (rest === '') throw new AgentConfigError(`invalid duration '${text}'`);
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) throw new AgentConfigError(`invalid duration '${text}' (use e.g. 30s, 5m, 3h)`);
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}

function jsonOf<T>(name: string, text: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AgentConfigError(`${name} must be JSON: ${text}`);
  }
  if (!check(value)) throw new AgentConfigError(`${name} has the wrong shape: ${text}`);
  return value;
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new AgentConfigError(`${name} must be a positive integer, got '${text}'`);
  return n;
}

/** --endpoint / BERTH_ENDPOINT: one server's URL, or several separated by commas. */
export function parseEndpoints(text: string): string[] {
  const endpoints = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (endpoints.length === 0) throw new AgentConfigError(`--endpoint names no server: '${text}'`);
  for (const endpoint of endpoints) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new AgentConfigError(`--endpoint: '${endpoint}' is not a URL (http://host:port or https://host:port)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AgentConfigError(`--endpoint: '${endpoint}' is not an http:// or https:// URL`);
    }
  }
  if (new Set(endpoints).size !== endpoints.length) {
    throw new AgentConfigError(`--endpoint names a server twice: '${text}'`);
  }
  return endpoints;
}

/** Builds the agent's configuration; throws AgentConfigError on a value that cannot be used. */
export function resolveAgentConfig(
  flags: AgentFlags,
  fileText: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): AgentConfig {
  const file = fileText === undefined ? { values: new Map<string, string>(), warnings: [] } : parseEcsConfig(fileText);
  const get = (key: string): string | undefined => file.values.get(key) ?? env[key];
  const attributes: Record<string, string> = {
    ...jsonOf('ECS_INSTANCE_ATTRIBUTES', get('ECS_INSTANCE_ATTRIBUTES'), isStringRecord),
  };
  for (const pair of flags.attribute ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AgentConfigError(`--attribute takes key=value, got '${pair}'`);
    attributes[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    endpoints: parseEndpoints(flags.endpoint ?? localServerUrl(env)),
    cluster: flags.cluster ?? get('ECS_CLUSTER') ?? 'default',
    availabilityZone: flags['availability-zone'] ?? env.BERTH_AVAILABILITY_ZONE ?? 'us-east-1a',
    instanceType: flags['instance-type'] ?? env.BERTH_INSTANCE_TYPE ?? 'berth.host',
    attributes,
    cpu: positiveInteger('--cpu', flags.cpu),
    memory: positiveInteger('--memory', flags.memory),
    ...ecsSettings(get, env),
    dataDir: flags['data-dir'] ?? env.BERTH_AGENT_DATA_DIR ?? './.berth-agent',
    instanceProfile: flags['instance-profile'] ?? env.BERTH_INSTANCE_PROFILE,
    caBundle: flags['ca-bundle'] ?? (env.AWS_CA_BUNDLE || undefined),
    warnings: file.warnings,
  };
}

/** The settings that come from the ECS agent's variables (file or environment). */
function ecsSettings(
  get: (key: string) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Omit<
  AgentConfig,
  | 'endpoints'
  | 'cluster'
  | 'availabilityZone'
  | 'instanceType'
  | 'attributes'
  | 'cpu'
  | 'memory'
  | 'dataDir'
  | 'instanceProfile'
  | 'caBundle'
  | 'warnings'
> {
  return {
    reservedMemory: Number(get('ECS_RESERVED_MEMORY') ?? 0),
    reservedPorts: jsonOf('ECS_RESERVED_PORTS', get('ECS_RESERVED_PORTS'), isNumberArray) ?? [
      22, 2375, 2376, 51678, 51679,
    ],
    reservedUdpPorts: jsonOf('ECS_RESERVED_PORTS_UDP', get('ECS_RESERVED_PORTS_UDP'), isNumberArray) ?? [],
    loggingDrivers: jsonOf('ECS_AVAILABLE_LOGGING_DRIVERS', get('ECS_AVAILABLE_LOGGING_DRIVERS'), isStringArray) ?? [
      'json-file',
      'awslogs',
      'none',
    ],
    stopTimeoutSeconds: parseDuration(get('ECS_CONTAINER_STOP_TIMEOUT') ?? '30s') / 1000,
    startTimeoutSeconds: parseDuration(get('ECS_CONTAINER_START_TIMEOUT') ?? '3m') / 1000,
    cleanupDelayMs: parseDuration(get('ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION') ?? '3h'),
    logLevel: get('ECS_LOGLEVEL') ?? env.BERTH_LOG_LEVEL ?? 'info',
  };
}
