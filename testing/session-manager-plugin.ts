import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { DockerSession, runCommand } from './docker.ts';

// Driving AWS's session-manager-plugin (and `aws ecs execute-command`, which runs it) the way a
// user does: under a pseudo-terminal, from util-linux `script`, since the plugin reads its
// terminal's size and puts it in cbreak mode. Plus a running busybox container to exec into.

/** The plugin build the tests use (see /work/shared/tools/README.md); put its folder on PATH for the AWS CLI. */
export const SESSION_MANAGER_PLUGIN = '/work/shared/tools/session-manager-plugin';
export const SESSION_MANAGER_PLUGIN_DIR = '/work/shared/tools';

/** One thing to do in a pty session: wait until the output (after the previous step's match) shows `waitFor`, then write and/or run. */
export interface PtyStep {
  readonly waitFor?: RegExp | string;
  /** Written to the terminal, as typed. */
  readonly write?: string;
  /** Called with the terminal (to type more, or wait for more output) and what `waitFor` matched. */
  readonly run?: (terminal: PtyTerminal, matched: string) => Promise<void>;
}

export interface PtyTerminal {
  write(text: string): void;
  readonly output: CollectedOutput;
}

export interface PtyRun {
  /** Everything the terminal showed (with the pty's CR LF line ends). */
  readonly output: string;
  /** The command's exit code (`script -e`), -1 when it was killed at the timeout. */
  readonly code: number;
  readonly timedOut: boolean;
}

/**
 * Runs `commandLine` (a shell command line) under a pty via `script -q -e -c`, doing `steps` in
 * order, each once its condition shows, and resolves when the command exits or after `timeoutMs`
 * (then it is killed, and the steps left are skipped). Stdin stays open until the end.
 */
export function runUnderPty(
  commandLine: string,
  options: {
    readonly steps?: readonly PtyStep[];
    readonly timeoutMs?: number;
    readonly env?: Record<string, string>;
  } = {},
): Promise<PtyRun> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn('script', ['-q', '-e', '-c', commandLine, '/dev/null'], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = collectUntil(child.stdout);
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  child.stdin.on('error', () => {});
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const terminal: PtyTerminal = { write: (text) => void child.stdin.write(text), output };
  const steps = (async () => {
    for (const step of options.steps ?? []) {
      const matched = step.waitFor === undefined ? '' : await output.waitFor(step.waitFor, { timeoutMs });
      if (step.write !== undefined) terminal.write(step.write);
      if (step.run) await step.run(terminal, matched);
    }
  })();
  steps.catch(() => {}); // a step left waiting when the command exits or times out; the output tells why
  return exited.then((code) => {
    clearTimeout(timer);
    child.stdin.end();
    return { output: output.text(), code: timedOut ? -1 : code, timedOut };
  });
}

export interface CollectedOutput {
  text(): string;
  /** Resolves once the output after the last match shows `pattern`; rejects at the end of the output or after the timeout. */
  waitFor(pattern: RegExp | string, options?: { readonly timeoutMs?: number }): Promise<string>;
  /** Everything, once the stream ended. */
  readonly ended: Promise<string>;
  push(chunk: Uint8Array): void;
}

/** Collects a byte stream as text and lets a test wait for what it shows, never for a fixed time. */
export function collectUntil(stream: AsyncIterable<Uint8Array | string>): CollectedOutput {
  let text = '';
  let from = 0;
  let done = false;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((listener) => listener());
  const push = (chunk: Uint8Array | string): void => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    notify();
  };
  const ended = (async () => {
    try {
      for await (const chunk of stream) push(chunk);
    } catch {
      // The stream broke: what came is what there is.
    }
    done = true;
    notify();
    return text;
  })();
  return {
    text: () => text,
    push,
    ended,
    waitFor(pattern, options = {}) {
      const timeoutMs = options.timeoutMs ?? 30_000;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const rest = text.slice(from);
          const match = typeof pattern === 'string' ? indexOf(rest, pattern) : pattern.exec(rest);
          if (match) {
            from += match.index + match[0].length;
            finish();
            resolve(match[0]);
          } else if (done) {
            finish();
            reject(new Error(`output ended without ${String(pattern)}; it was:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${String(pattern)} in ${timeoutMs} ms; the output was:\n${text}`));
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

function indexOf(text: string, needle: string): { index: number; 0: string } | undefined {
  const index = text.indexOf(needle);
  return index < 0 ? undefined : { index, 0: needle };
}

/**
 * A running container of the FROM-scratch busybox image (testing/docker.ts) with busybox's applets
 * installed in /bin, so `sh`, `cat` and `stty` resolve as in an ordinary image; `remove` cleans up.
 */
export class BusyboxContainer {
  readonly hostname = `berth-exec-${randomUUID().slice(0, 8)}`;
  readonly #session = new DockerSession();
  #id: string | undefined;

  async start(): Promise<string> {
    const image = await this.#session.buildBusyboxImage(`${this.hostname}:1`);
    const run = await this.#session.docker([
      'run',
      '--detach',
      '--name',
      this.hostname,
      '--hostname',
      this.hostname,
      image.tag,
      'sleep',
      '3600',
    ]);
    if (run.code !== 0) throw new Error(`docker run failed: ${run.stderr}`);
    this.#id = run.stdout.trim();
    const install = await runCommand('docker', ['exec', this.#id, '/bin/busybox', '--install', '-s', '/bin']);
    if (install.code !== 0) throw new Error(`busybox --install failed: ${install.stderr}`);
    return this.#id;
  }

  async remove(): Promise<void> {
    if (this.#id) await runCommand('docker', ['rm', '--force', this.#id]);
    await this.#session.cleanup();
  }
}
