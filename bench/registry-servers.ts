// The two registries the registry benchmarks compare, each started as its own process on
// 127.0.0.1: `berth server` (with its repositories created and a registry password, as with
// AWS ECR) and Debian's docker-registry (CNCF distribution 2.8).
import { ECRClient, CreateRepositoryCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { freePort } from '../testing/elb-proxy.ts';

export type Target = 'berth' | 'distribution';

export interface RegistryServer {
  target: Target;
  /** host:port, as it appears in image references. */
  host: string;
  pid: number;
  /** `user:password` (Basic); distribution runs without authentication. */
  creds: string | undefined;
  stop(): Promise<void>;
}

/** Called with every child started, so that the caller can kill it on failure or interruption. */
export type Track = (child: ChildProcess) => void;

/** Collects the last few KiB of a child's stderr, to explain a failure without holding a whole log. */
export function tailOf(child: ChildProcess): () => string {
  let tail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4096);
  });
  return () => tail.trim();
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startDistribution(dir: string, track: Track): Promise<RegistryServer> {
  const port = await freePort();
  const config = join(dir, 'config.yml');
  // The storage cache matches the config Debian ships; its htpasswd auth is left out, as the
  // bcrypt check on every request would make this a benchmark of bcrypt.
  const yaml = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  cache:',
    '    blobdescriptor: inmemory',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  mkdirSync(dir, { recursive: true });
  writeFileSync(config, yaml.join('\n') + '\n');
  // A bare environment: distribution lets REGISTRY_* variables override its config file.
  const child = spawn('docker-registry', ['serve', config], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  track(child);
  const stderr = tailOf(child);
  const deadline = performance.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`);
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    if (performance.now() > deadline) throw new Error(`docker-registry not ready on port ${port}: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    target: 'distribution',
    host: `127.0.0.1:${port}`,
    pid: child.pid!,
    creds: undefined,
    stop: () => stopProcess(child),
  };
}

/** Starts `berth server`, then creates the repositories and gets a registry password, as with AWS ECR. */
export async function startBerth(
  dataDir: string,
  repositories: readonly string[],
  track: Track,
  env: Readonly<Record<string, string>> = {},
): Promise<RegistryServer> {
  const { child: server, url } = await startBerthProcess(dataDir, { onSpawn: track, env });
  const ecr = new ECRClient({ endpoint: url, region: 'us-east-1', credentials: BENCH_CREDENTIALS });
  try {
    for (const repositoryName of repositories) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken;
    if (!token) throw new Error('GetAuthorizationToken returned no authorizationToken');
    return {
      target: 'berth',
      host: new URL(url).host,
      pid: server.pid!,
      creds: Buffer.from(token, 'base64').toString('utf8'), // "AWS:<password>"
      stop: () => stopProcess(server),
    };
  } finally {
    ecr.destroy();
  }
}

/** A process's peak resident set so far (VmHWM) or its current one (VmRSS), in MiB. */
export function residentMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kib) / 1024;
}
