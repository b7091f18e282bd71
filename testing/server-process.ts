import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'berth.js');

// A failed test must not leave a server behind: whatever is still running dies with the test process.
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

/** Starts `berth server` as its own process, as `npm start` does, and waits until it listens. */
export async function spawnServer(env: Record<string, string>, args: readonly string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'server', ...args], {
    env: { PATH: process.env.PATH ?? '', BERTH_PORT: '0', BERTH_DNS_PORT: 'off', BERTH_TLS_PORT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal!)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    // Generous for a loaded 2-core machine; a server that did not start is killed, or its pipes
    // would keep the test process alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 60 s:\n${out}\n${err}`));
    }, 60_000);
    const look = (): void => {
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"berth server listening"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}\n${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

/** Runs `berth server` expecting it to fail at start; returns its exit code and output. */
export async function runServerExpectingFailure(env: Record<string, string>, args: readonly string[] = []) {
  const child = spawn(process.execPath, [BIN, 'server', ...args], {
    env: { PATH: process.env.PATH ?? '', BERTH_DNS_PORT: 'off', BERTH_TLS_PORT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout: out, stderr: err };
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly containerInstanceArn: string;
  output(): string;
  readonly exited: Promise<number | NodeJS.Signals>;
}

/**
 * Starts `berth agent` as its own process and waits until it has registered; `within` runs it
 * through a command prefix (`ip netns exec <namespace>`), which must exec it in place.
 */
export async function spawnAgent(
  env: Record<string, string>,
  args: readonly string[],
  options: { readonly within?: readonly string[] } = {},
): Promise<AgentProcess> {
  const [file, ...prefix] = [...(options.within ?? []), process.execPath];
  const child = spawn(file!, [...prefix, BIN, 'agent', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal!)),
  );
  const containerInstanceArn = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent did not register in 60 s:\n${out}`));
    }, 60_000);
    const look = (): void => {
      const match = /"containerInstanceArn":"([^"]+)".*"msg":"agent registered"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}) before registering:\n${out}`));
    });
  });
  return { child, containerInstanceArn, output: () => out, exited };
}
