import { mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { staticCredentials } from '../agent/index.ts';
import { ListenerPortInUseError } from '../elb/index.ts';
import { createProxyDataPlane } from '../elb/proxy/index.ts';
import { localServerUrl } from '../shared/config.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { LbAlreadyRunningError } from './lb-lock.ts';
import { runLb } from './lb-runner.ts';
import { readServerEndpoint } from './lb-state.ts';
import { FailoverEndpoints } from './server-endpoints.ts';

export const LB_HELP = `berth lb: run the load balancers' listeners (the ELB data plane), configured by a server
  --endpoint URL[,URL...]   the Berth server (BERTH_ENDPOINT, default http://BERTH_HOST:BERTH_PORT, i.e. http://127.0.0.1:4510);
                            https://, or http:// to a loopback address only: the configuration carries TLS private keys.
                            Several servers sharing one store: the lb polls one and moves to the next when it cannot reach it
  --endpoint-file FILE      read the server's URL from this JSON file ({"endpoint": URL}) before each call
                            (what the lb a server starts uses: <data dir>/lb/server.json); such an lb
                            exits when it has no listener and its server has been unreachable for 3 s
  --state-dir DIR           its lock and last configuration (BERTH_LB_STATE_DIR, default ./.berth-lb);
                            one lb per state folder
  --ca-bundle FILE          PEM CA certificates to verify an https:// endpoint with (AWS_CA_BUNDLE)
  --elb-header-timeout-seconds N, --elb-max-connections N, --elb-max-connections-total N
                            listener limits, as berth server's (same variables, same defaults)
  --log-level LEVEL         (BERTH_LOG_LEVEL, default info)
  Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) of the root or an
  identity allowed berth:PollLoadBalancerConfiguration and berth:ReportLoadBalancerState; AWS_REGION.
  Two lbs on one host with the same listeners: the second cannot bind their ports and exits (code 1).
`;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** `berth lb`: resolves with the exit code once it has stopped (a signal, or its state folder removed). */
export async function runLbCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        endpoint: { type: 'string' },
        'endpoint-file': { type: 'string' },
        'state-dir': { type: 'string' },
        'ca-bundle': { type: 'string' },
        'elb-header-timeout-seconds': { type: 'string' },
        'elb-max-connections': { type: 'string' },
        'elb-max-connections-total': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(LB_HELP);
    return 0;
  }
  const setting = (flag: string, name: string): string | undefined =>
    (values[flag] as string | undefined) ?? (env[name] || undefined);
  const level = setting('log-level', 'BERTH_LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    return usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const limits = listenerLimits(setting);
  if (typeof limits === 'string') return usage(limits);
  const source = endpointSource(values, env);
  if (typeof source === 'string') return usage(source);
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return usage('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required');
  const caBundle = setting('ca-bundle', 'AWS_CA_BUNDLE');
  if (caBundle !== undefined) {
    const certificates = readFileSync(caBundle, 'utf8').match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    );
    if (!certificates) return usage(`--ca-bundle ${caBundle} holds no PEM certificate`);
    setDefaultCACertificates([...getCACertificates('default'), ...certificates]);
  }
  process.umask(0o077);
  const stateDir = resolve(setting('state-dir', 'BERTH_LB_STATE_DIR') ?? './.berth-lb');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const log = createLogger(level as (typeof LOG_LEVELS)[number]).child({ component: 'lb' });
  const credentials = staticCredentials({
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  });
  const plane = createProxyDataPlane({ log, ...limits });
  let running;
  try {
    const region = env.AWS_REGION || 'us-east-1';
    const exitWhenIdleAlone = values['endpoint-file'] !== undefined; // started by a server
    const endpoints = serverChoice(source, log);
    running = await runLb({ stateDir, ...endpoints, credentials, region, log, plane, exitWhenIdleAlone });
  } catch (error) {
    return startFailure(log, error);
  }
  log.info({ stateDir, pid: process.pid }, 'berth lb running');
  const stop = (): void => void running.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const code = await running.stopped;
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  return code;
}

function startFailure(log: Logger, error: unknown): number {
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof ListenerPortInUseError)
    message = `cannot serve the saved configuration: listener port ${error.port} is in use (another berth lb on this host?)`;
  if (!(error instanceof LbAlreadyRunningError) && !(error instanceof ListenerPortInUseError))
    log.error({ err: error });
  process.stderr.write(`berth lb: ${message}\n`);
  return 1;
}

type Setting = (flag: string, name: string) => string | undefined;

function listenerLimits(setting: Setting) {
  const number = (flag: string, name: string, max: number): number | undefined | string => {
    const text = setting(flag, name);
    if (text === undefined) return undefined;
    return /^[1-9]\d{0,6}$/.test(text) && Number(text) <= max
      ? Number(text)
      : `--${flag} must be a number from 1 to ${max}`;
  };
  const header = number('elb-header-timeout-seconds', 'BERTH_ELB_HEADER_TIMEOUT_SECONDS', 4000);
  const perListener = number('elb-max-connections', 'BERTH_ELB_MAX_CONNECTIONS', 9_999_999);
  const total = number('elb-max-connections-total', 'BERTH_ELB_MAX_CONNECTIONS_TOTAL', 9_999_999);
  for (const value of [header, perListener, total]) if (typeof value === 'string') return value;
  return {
    ...(header !== undefined ? { headerTimeoutMs: (header as number) * 1000 } : {}),
    ...(perListener !== undefined ? { maxConnectionsPerListener: perListener as number } : {}),
    ...(total !== undefined ? { maxConnections: total as number } : {}),
  };
}

/** The channel carries private keys: https://, or plain http:// only to a loopback address. */
export function channelAllowed(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

type EndpointSource = { readonly endpoint: () => URL | undefined } | { readonly servers: readonly URL[] };

function endpointSource(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): EndpointSource | string {
  const refused = (url: URL) =>
    `${url.href} is plain HTTP to a non-loopback address: the load balancer configuration carries TLS private keys, use https://`;
  const file = values['endpoint-file'] as string | undefined;
  if (file !== undefined) {
    return {
      endpoint: (): URL | undefined => {
        const url = readServerEndpoint(file);
        return url && channelAllowed(url) ? url : undefined;
      },
    };
  }
  const given = (values.endpoint as string | undefined) ?? localServerUrl(env);
  const urls: URL[] = [];
  for (const text of given.split(',').map((t) => t.trim())) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return '--endpoint must be a URL such as http://127.0.0.1:4510, or several separated by commas';
    }
    if (!channelAllowed(url)) return refused(url);
    urls.push(url);
  }
  return { servers: urls };
}

/**
 * The lb's server, asked before each call: the endpoint file's, or one of the --endpoint servers,
 * taken in turn (FailoverEndpoints, as `berth agent` takes them) when the current one cannot be reached.
 */
function serverChoice(source: EndpointSource, log: Logger) {
  if (!('servers' in source)) return source;
  const choice = new FailoverEndpoints(source.servers, (from, to, reason) =>
    log.warn({ from: from.href, to: to.href, problem: reason }, 'trying the next server'),
  );
  return { endpoint: () => choice.current(), endpointFailed: (url: URL, reason: string) => choice.failed(url, reason) };
}

function usage(message: string): number {
  process.stderr.write(`berth lb: ${message}\n`);
  return 2;
}
