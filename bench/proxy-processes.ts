// Processes the proxy benchmarks start: the proxies and targets as children killed on exit,
// nginx configured as a reverse proxy, and waiting for them to answer.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

const children = new Set<ChildProcess>();
export const cleanups: (() => void)[] = [];

function cleanup(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const step of cleanups.splice(0).reverse()) {
    try {
      step();
    } catch {
      // best effort: a failed cleanup step must not hide the others
    }
  }
}

/** Runs `main`, then kills the children and runs the clean-ups, also on SIGINT/SIGTERM (exit 130). */
export async function runCleaningUp(main: () => Promise<void>): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    await main();
  } finally {
    cleanup();
  }
}

/** Spawns a child and resolves with its first stdout line (its stderr goes to ours). */
export async function spawnUntilLine(command: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end !== -1) resolve(out.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready`)));
  });
  return { child, line };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (
    (await fetch(url).then(
      (response) => response.status,
      () => 0,
    )) !== 200
  ) {
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function nginxPath(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * nginx as a reverse proxy (one worker, keepalive upstream) to `targets` on 127.0.0.1:`port`.
 * `wrap` runs it under another command (valgrind) as a single process (no master).
 */
export async function startNginx(
  nginx: string,
  work: string,
  port: number,
  targets: readonly Endpoint[],
  wrap: readonly string[] = [],
): Promise<ChildProcess> {
  const prefix = join(work, 'nginx');
  execFileSync('mkdir', ['-p', prefix]);
  const servers = targets.map((target) => `    server ${target.address}:${target.port};`).join('\n');
  const conf = `daemon off;
${wrap.length > 0 ? 'master_process off;' : ''}
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # Like Berth (and ALB), no cap on the requests a client connection may carry.
  keepalive_requests 1000000;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream targets {
${servers}
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://targets;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const args = ['-p', prefix, '-c', join(prefix, 'nginx.conf')];
  const [command, ...prefixArgs] = [...wrap, nginx];
  const child = spawn(command!, [...prefixArgs, ...args], { stdio: 'inherit' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await waitForHttp(`http://127.0.0.1:${port}/`, wrap.length > 0 ? 120_000 : 15_000);
  return child;
}
