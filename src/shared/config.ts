import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULT_ECS_QUOTAS, parseEcsQuotas, type EcsQuotas } from './ecs-quotas.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { BLOB_SETTINGS, blobStoreOf, type BlobStoreConfig } from './blob-store-config.ts';

/** The server's configuration: flags win over the environment, which wins over the defaults. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Where metadata lives: SQLite in the data folder (default), or PostgreSQL (--store postgres://...). */
  readonly store: StoreConfig;
  readonly accountId: string;
  readonly region: string;
  /** host[:port] written into repository URIs; undefined until the port is known (localhost:PORT). */
  readonly registryHost: string | undefined;
  readonly logLevel: LogLevel;
  readonly rootAccessKeyId: string | undefined;
  readonly rootSecretAccessKey: string | undefined;
  /** 'docker': FARGATE tasks run on the local Docker engine; 'off': they are refused a runtime. */
  readonly managedCapacity: 'docker' | 'off';
  readonly ecsQuotas: EcsQuotas;
  /** Where ELB listeners bind (BERTH_ELB_BIND_ADDRESS). */
  readonly elbBindAddress: string;
  /** ELB listeners: a request head must arrive whole within this long, else 408. */
  readonly elbHeaderTimeoutSeconds: number;
  /** ELB: client connections one listener holds at most; more are answered 503. */
  readonly elbMaxConnections: number;
  /** ELB: client connections all listeners hold at most; undefined: from the descriptor limit. */
  readonly elbMaxConnectionsTotal: number | undefined;
  /** Where the ELB data plane runs (docs/load-balancer-process.md): a `berth lb` the server starts, none, or in process. */
  readonly lb: 'process' | 'off' | 'in-process';
  /**
   * How many milliseconds a minute of the ECS deployment API lasts (bakeTimeInMinutes and the
   * linear and canary step bake times): 60000; tests shorten it (BERTH_DEPLOYMENT_MINUTE_MS).
   */
  readonly deploymentMinuteMs: number;
  /**
   * How often Berth writes the metrics it publishes itself (AWS/ECS, AWS/ApplicationELB): 60000,
   * each minute once it has ended; shorter (tests, BERTH_METRICS_PUBLISH_MS), the minute so far,
   * which CloudWatch merges into the same 1-minute datapoint.
   */
  readonly metricsPublishMs: number;
  /**
   * A test knob: how many milliseconds a minute of CloudWatch and Application Auto Scaling lasts
   * (60000, AWS's). Shorter, their clock runs 60000/metricsMinuteMs times faster than real time
   * from the server's start (BERTH_METRICS_MINUTE_MS; cmd/metrics-time.ts). 1000 at least: the
   * alarm evaluator and the publishers then run every 83 ms.
   */
  readonly metricsMinuteMs: number;
  /** How long an agent may stay silent before services replace the tasks of its instance. */
  readonly agentLostSeconds: number;
  /** A registry upload idle this long is abandoned: garbage collection removes it. */
  readonly uploadExpirySeconds: number;
  /**
   * The port of the DNS server for Cloud Map's private DNS namespaces, on the container networks'
   * gateways and 127.0.0.1 (53: tasks resolve through it); undefined: no DNS server (off).
   */
  readonly dnsPort: number | undefined;
  /** The HTTPS front door (the same APIs and registry as HTTP); undefined: none (BERTH_TLS_PORT=off). */
  readonly tls: TlsConfig | undefined;
  /** Where registry blobs live: the data folder (replicated among several servers) or S3 (--blob-store). */
  readonly blobs: BlobStoreConfig;
}

export interface TlsConfig {
  readonly host: string;
  readonly port: number;
  /** The operator's certificate (chain) and key files; both undefined: Berth's CA issues one. */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  /** Names and addresses the issued certificate covers besides the local ones (BERTH_TLS_NAMES). */
  readonly names: readonly string[];
}

export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  /** multiServer (BERTH_MULTI_SERVER=on): several servers share the database (docs/multi-server.md). */
  | { readonly kind: 'postgres'; readonly url: string; readonly multiServer: boolean };

/** Whether this server shares its store with others (PostgreSQL with BERTH_MULTI_SERVER=on). */
export function isMultiServer(store: StoreConfig): boolean {
  return store.kind === 'postgres' && store.multiServer;
}

/** Invalid configuration: the server prints the message on one line and exits with code 2. */
export class ConfigError extends Error {}

const SETTINGS = {
  host: { env: 'BERTH_HOST', default: '127.0.0.1' },
  port: { env: 'BERTH_PORT', default: '4510' },
  'data-dir': { env: 'BERTH_DATA_DIR', default: './.berth' },
  store: { env: 'BERTH_STORE', default: undefined },
  'multi-server': { env: 'BERTH_MULTI_SERVER', default: 'off' },
  'account-id': { env: 'BERTH_ACCOUNT_ID', default: '000000000000' },
  region: { env: 'BERTH_REGION', default: 'us-east-1' },
  'registry-host': { env: 'BERTH_REGISTRY_HOST', default: undefined },
  'log-level': { env: 'BERTH_LOG_LEVEL', default: 'info' },
  'root-access-key-id': { env: 'BERTH_ROOT_ACCESS_KEY_ID', default: undefined },
  'root-secret-access-key': { env: 'BERTH_ROOT_SECRET_ACCESS_KEY', default: undefined },
  'managed-capacity': { env: 'BERTH_MANAGED_CAPACITY', default: 'docker' },
  'ecs-quotas': { env: 'BERTH_ECS_QUOTAS', default: undefined },
  'elb-bind-address': { env: 'BERTH_ELB_BIND_ADDRESS', default: '127.0.0.1' },
  'elb-header-timeout-seconds': { env: 'BERTH_ELB_HEADER_TIMEOUT_SECONDS', default: '60' },
  'elb-max-connections': { env: 'BERTH_ELB_MAX_CONNECTIONS', default: '4096' },
  'elb-max-connections-total': { env: 'BERTH_ELB_MAX_CONNECTIONS_TOTAL', default: undefined },
  lb: { env: 'BERTH_LB', default: 'process' },
  'deployment-minute-ms': { env: 'BERTH_DEPLOYMENT_MINUTE_MS', default: '60000' },
  'metrics-publish-ms': { env: 'BERTH_METRICS_PUBLISH_MS', default: '60000' },
  'metrics-minute-ms': { env: 'BERTH_METRICS_MINUTE_MS', default: '60000' },
  'agent-lost-seconds': { env: 'BERTH_AGENT_LOST_SECONDS', default: '180' },
  'upload-expiry-seconds': { env: 'BERTH_UPLOAD_EXPIRY_SECONDS', default: '86400' },
  'dns-port': { env: 'BERTH_DNS_PORT', default: '53' },
  'tls-port': { env: 'BERTH_TLS_PORT', default: '4511' },
  'tls-host': { env: 'BERTH_TLS_HOST', default: undefined },
  'tls-cert': { env: 'BERTH_TLS_CERT', default: undefined },
  'tls-key': { env: 'BERTH_TLS_KEY', default: undefined },
  'tls-names': { env: 'BERTH_TLS_NAMES', default: undefined },
  ...BLOB_SETTINGS,
} as const;

type SettingName = keyof typeof SETTINGS;

export const SERVER_FLAGS_HELP = Object.entries(SETTINGS)
  .map(([flag, s]) => `  --${flag.padEnd(24)} ${s.env}${s.default === undefined ? '' : ` (default ${s.default})`}`)
  .join('\n');

export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, { type: 'string' as const }]));
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const setting = (name: SettingName): { value: string | undefined; source: string } => {
    const flag = values[name];
    if (typeof flag === 'string') return { value: flag, source: `--${name}` };
    const fromEnv = env[SETTINGS[name].env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: SETTINGS[name].env };
    return { value: SETTINGS[name].default, source: SETTINGS[name].env };
  };
  const check = (name: SettingName, valid: (v: string) => boolean, expected: string): string | undefined => {
    const { value, source } = setting(name);
    if (value !== undefined && !valid(value)) throw new ConfigError(`${source} must be ${expected} (got '${value}')`);
    return value;
  };

  const port = check('port', (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535, 'a port number from 0 to 65535')!;
  const logLevel = check('log-level', (v) => (LOG_LEVELS as readonly string[]).includes(v), LOG_LEVELS.join(', '))!;
  const rootAccessKeyId = check('root-access-key-id', (v) => /^[A-Z0-9]{16,128}$/.test(v), '16 to 128 A-Z/0-9');
  const rootSecretAccessKey = check('root-secret-access-key', (v) => v.length >= 16, 'at least 16 characters');
  const connections = (v: string): boolean => /^[1-9]\d{0,6}$/.test(v);
  const elbMaxConnectionsTotal = check('elb-max-connections-total', connections, 'a number from 1 to 9999999');
  if ((rootAccessKeyId === undefined) !== (rootSecretAccessKey === undefined)) {
    throw new ConfigError('BERTH_ROOT_ACCESS_KEY_ID and BERTH_ROOT_SECRET_ACCESS_KEY must be set together');
  }
  const host = check('host', (v) => /^[A-Za-z0-9.:[\]-]+$/.test(v), 'a host name or IP address')!;
  return {
    host,
    port: Number(port),
    dataDir: resolve(check('data-dir', (v) => v.length > 0, 'a directory')!),
    accountId: check('account-id', (v) => /^\d{12}$/.test(v), 'a 12-digit AWS account id')!,
    region: check('region', (v) => /^[a-z]{2}(-[a-z]+)+-\d+$/.test(v), 'a region name such as us-east-1')!,
    registryHost: check('registry-host', (v) => /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(v), 'host[:port]'),
    logLevel: logLevel as LogLevel,
    rootAccessKeyId,
    rootSecretAccessKey,
    ecsQuotas: quotasOf(setting('ecs-quotas')),
    store: storeOf(setting('store'), {
      dataDir: resolve(setting('data-dir').value ?? '.'),
      multiServer: check('multi-server', (v) => v === 'on' || v === 'off', 'on or off') === 'on',
    }),
    elbBindAddress: check('elb-bind-address', (v) => isIP(v) !== 0, 'an IP address')!,
    elbHeaderTimeoutSeconds: Number(
      check('elb-header-timeout-seconds', (v) => /^\d+$/.test(v) && +v >= 1 && +v <= 4000, 'seconds from 1 to 4000'),
    ),
    elbMaxConnections: Number(check('elb-max-connections', connections, 'a number from 1 to 9999999')),
    elbMaxConnectionsTotal: elbMaxConnectionsTotal === undefined ? undefined : Number(elbMaxConnectionsTotal),
    lb: check('lb', (v) => ['process', 'off', 'in-process'].includes(v), 'process, off or in-process') as
      'process' | 'off' | 'in-process',
    deploymentMinuteMs: Number(
      check('deployment-minute-ms', (v) => /^\d{1,9}$/.test(v), 'a number of milliseconds from 0 to 999999999'),
    ),
    metricsPublishMs: Number(
      check(
        'metrics-publish-ms',
        (v) => /^\d{3,5}$/.test(v) && +v >= 100 && +v <= 60_000,
        'milliseconds from 100 to 60000',
      ),
    ),
    metricsMinuteMs: Number(
      check(
        'metrics-minute-ms',
        (v) => /^\d{4,5}$/.test(v) && +v >= 1000 && +v <= 60_000,
        'milliseconds from 1000 to 60000',
      ),
    ),
    // Above the agents' 20 s long poll: a healthy agent is never silent that long.
    agentLostSeconds: Number(
      check('agent-lost-seconds', (v) => /^\d+$/.test(v) && +v >= 30 && +v <= 86_400, 'seconds from 30 to 86400'),
    ),
    uploadExpirySeconds: Number(
      check(
        'upload-expiry-seconds',
        (v) => /^\d+$/.test(v) && +v >= 60 && +v <= 31_536_000,
        'seconds from 60 to 31536000',
      ),
    ),
    managedCapacity: check('managed-capacity', (v) => v === 'docker' || v === 'off', 'docker or off') as
      'docker' | 'off',
    dnsPort: dnsPortOf(check('dns-port', (v) => v === 'off' || (/^\d{1,5}$/.test(v) && +v <= 65535), 'a port or off')),
    tls: tlsOf(check, host),
    blobs: blobStoreOf(
      setting,
      env,
      { multiServer: setting('multi-server').value === 'on', region: setting('region').value ?? 'us-east-1' },
      (message) => {
        throw new ConfigError(message);
      },
    ),
  };
}

type Check = (name: SettingName, valid: (v: string) => boolean, expected: string) => string | undefined;

function tlsOf(check: Check, host: string): TlsConfig | undefined {
  const port = check('tls-port', (v) => v === 'off' || (/^\d{1,5}$/.test(v) && +v <= 65535), 'a port or off')!;
  const certFile = check('tls-cert', (v) => v.length > 0, 'a file');
  const keyFile = check('tls-key', (v) => v.length > 0, 'a file');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new ConfigError('BERTH_TLS_CERT and BERTH_TLS_KEY must be set together');
  const names = check('tls-names', (v) => /^[A-Za-z0-9.:*-]+(,[A-Za-z0-9.:*-]+)*$/.test(v), 'names separated by ,');
  if (port === 'off') return undefined;
  return {
    host: check('tls-host', (v) => /^[A-Za-z0-9.:[\]-]+$/.test(v), 'a host name or IP address') ?? host,
    port: Number(port),
    certFile: certFile && resolve(certFile),
    keyFile: keyFile && resolve(keyFile),
    names: names?.split(',') ?? [],
  };
}

/** The store's URL may hold a password: a refusal names the setting, never the value. */
function storeOf(
  { value, source }: { value: string | undefined; source: string },
  { dataDir, multiServer }: { dataDir: string; multiServer: boolean },
): StoreConfig {
  if (value === undefined && multiServer) {
    throw new ConfigError('BERTH_MULTI_SERVER=on needs a PostgreSQL store (BERTH_STORE): SQLite has one server');
  }
  if (value === undefined) return { kind: 'sqlite', path: join(dataDir, 'berth.sqlite') };
  if (/^postgres(ql)?:\/\/[^/\s]/.test(value) && URL.canParse(value))
    return { kind: 'postgres', url: value, multiServer };
  throw new ConfigError(`${source} must be a postgres:// or postgresql:// URL (unset: SQLite in the data folder)`);
}

function dnsPortOf(value: string | undefined): number | undefined {
  return value === undefined || value === 'off' ? undefined : Number(value);
}

function quotasOf({ value, source }: { value: string | undefined; source: string }): EcsQuotas {
  if (value === undefined) return DEFAULT_ECS_QUOTAS;
  try {
    return parseEcsQuotas(value);
  } catch (error) {
    throw new ConfigError(`${source} ${(error as Error).message} (got '${value}')`);
  }
}

/**
 * Where the clients on this machine (`berth agent`, `berth gc`, ...) reach a server that `npm start`
 * would serve with this environment: BERTH_ENDPOINT when set, else http://BERTH_HOST:BERTH_PORT,
 * with 127.0.0.1 for a wildcard or unset host.
 */
export function localServerUrl(env: NodeJS.ProcessEnv): string {
  if (env.BERTH_ENDPOINT) return env.BERTH_ENDPOINT;
  const host =
    !env.BERTH_HOST || env.BERTH_HOST === '0.0.0.0' || env.BERTH_HOST === '::' ? '127.0.0.1' : env.BERTH_HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${env.BERTH_PORT ?? '4510'}`;
}
