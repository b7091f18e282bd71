import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { LB_PROTOCOL } from '../elb/index.ts';
import type { ServerConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { probeLb } from './lb-lock.ts';
import { writeServerEndpoint } from './lb-state.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'berth.js');
/** How often the server looks for its lb (and starts one when none answers). */
const CHECK_EVERY_MS = 5_000;

export interface LbSupervisorOptions {
  readonly config: ServerConfig;
  /** Where the lb reaches the server: loopback HTTP. */
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly log: Logger;
  /** Called once an lb runs (found or started): applies wait a while for it to connect. */
  readonly expect: () => void;
}

/** The lb's state folder under the server's data folder. */
export function lbStateDir(dataDir: string): string {
  return join(dataDir, 'lb');
}

/**
 * Keeps one `berth lb` running beside the server (BERTH_LB=process): finds the one holding
 * <data dir>/lb's lock (a restarted server adopts it) or starts one, detached in its own process
 * group so that stopping or killing the server leaves it serving. Every 5 s it looks again, and
 * starts another if the lb is gone (backing off when starts keep failing). An lb of another
 * protocol version is stopped (SIGTERM) and replaced. The server tells it where it listens in
 * <data dir>/lb/server.json.
 */
export async function superviseLb(options: LbSupervisorOptions): Promise<{ stop(): void }> {
  const stateDir = lbStateDir(options.config.dataDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeServerEndpoint(stateDir, options.endpoint);
  let adopted: number | undefined;
  let lastStart = 0;
  let wait = CHECK_EVERY_MS;
  let checking = false;
  const ensure = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const hello = await probeLb(stateDir);
      if (hello && hello.protocol === LB_PROTOCOL) {
        if (adopted !== hello.pid) options.log.info({ pid: hello.pid, version: hello.version }, 'berth lb running');
        adopted = hello.pid;
        wait = CHECK_EVERY_MS;
        return;
      }
      if (hello) await replace(hello.pid, stateDir, options.log);
      if (Date.now() - lastStart < wait) return;
      if (lastStart !== 0) wait = Math.min(wait * 2, 300_000);
      lastStart = Date.now();
      const pid = startLb(stateDir, options);
      options.log.info({ pid, log: join(stateDir, 'lb.log') }, 'started berth lb');
    } catch (error) {
      options.log.error({ err: error }, 'cannot start berth lb');
    } finally {
      checking = false;
    }
  };
  await ensure();
  options.expect();
  const timer = setInterval(() => void ensure(), CHECK_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function replace(pid: number, stateDir: string, log: Logger): Promise<void> {
  log.warn({ pid }, 'the running berth lb speaks another protocol: replacing it');
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await probeLb(stateDir))) await new Promise((r) => setTimeout(r, 100));
}

function startLb(stateDir: string, options: LbSupervisorOptions): number | undefined {
  const { config, credentials } = options;
  const logFd = openSync(join(stateDir, 'lb.log'), 'a', 0o600);
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: config.region,
      BERTH_LOG_LEVEL: config.logLevel,
      BERTH_ELB_HEADER_TIMEOUT_SECONDS: String(config.elbHeaderTimeoutSeconds),
      BERTH_ELB_MAX_CONNECTIONS: String(config.elbMaxConnections),
      ...(config.elbMaxConnectionsTotal !== undefined
        ? { BERTH_ELB_MAX_CONNECTIONS_TOTAL: String(config.elbMaxConnectionsTotal) }
        : {}),
    };
    const child = spawn(
      process.execPath,
      [BIN, 'lb', '--state-dir', stateDir, '--endpoint-file', join(stateDir, 'server.json')],
      { env, detached: true, stdio: ['ignore', logFd, logFd] },
    );
    child.on('error', (error) => options.log.error({ err: error }, 'berth lb could not start'));
    child.unref();
    return child.pid;
  } finally {
    closeSync(logFd);
  }
}
