import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../src/agent/index.ts';
import { freePort } from '../../testing/elb-proxy.ts';
import { startTestServer } from '../../testing/server.ts';

const ROOT = join(import.meta.dirname, '..', '..');

interface Run {
  readonly code: Promise<number | NodeJS.Signals>;
  stdout(): string;
  stderr(): string;
  signal(name: NodeJS.Signals): void;
  /** Resolves with the server's URL once it logs that it listens. */
  listening(): Promise<string>;
}

/** `berth server` as its own process, with a fault from testing/process-faults.ts. */
function runServer(dataDir: string, fault: string): Run {
  const child = spawn(
    process.execPath,
    ['--import', join(ROOT, 'testing', 'process-faults.ts'), join(ROOT, 'bin', 'berth.js'), 'server'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        BERTH_PORT: '0',
        BERTH_DATA_DIR: dataDir,
        BERTH_MANAGED_CAPACITY: 'off',
        BERTH_TEST_FAULT: fault,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = new Promise<number | NodeJS.Signals>((resolve) => child.on('exit', (c, s) => resolve(c ?? s!)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void code.then(() => clearTimeout(timer));
  return {
    code,
    stdout: () => out,
    stderr: () => err,
    signal: (name) => child.kill(name),
    listening: () =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          const match = /"url":"(http:\/\/[^"]+)".*"msg":"berth server listening"/.exec(out);
          if (match) resolve(match[1]!);
        };
        child.stdout.on('data', look);
        look();
        void code.then((c) => reject(new Error(`exited (${c}) before listening:\n${out}\n${err}`)));
      }),
  };
}

/** The JSON log lines with this message. */
function logged(run: Run, msg: string): Record<string, unknown>[] {
  return run
    .stdout()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('berth server start-up and stray errors', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-start-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits 1 with one clear line when start-up fails after the listener opened', async () => {
    const run = runServer(dataDir, 'start-after-listen');
    assert.equal(await run.code, 1); // and does not go on serving
    assert.equal(run.stderr(), 'berth: cannot start: ENOSPC: no space left on device, write\n');
    const [line] = logged(run, 'cannot start');
    assert.match(String((line?.err as { stack?: string }).stack), /ENOSPC[^]*at /);
  });

  it('closes what it opened when start-up fails after listening, in process', async () => {
    const port = await freePort();
    const start = Agent.prototype.start;
    Agent.prototype.start = () => {
      throw new Error('injected: managed capacity failed');
    };
    try {
      await assert.rejects(
        startTestServer({ BERTH_MANAGED_CAPACITY: 'off', BERTH_PORT: String(port) }, { dataDir }),
        /injected: managed capacity failed/,
      );
    } finally {
      Agent.prototype.start = start;
    }
    await assert.rejects(fetch(`http://127.0.0.1:${port}/readyz`)); // nothing listens any more
    const again = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataDir }); // the store was closed
    await again.close();
  });

  it('exits 1 with one clear line when the data folder cannot be made', async () => {
    const notAFolder = join(dataDir, 'a-file');
    writeFileSync(notAFolder, '');
    const run = runServer(join(notAFolder, 'data'), 'none');
    assert.equal(await run.code, 1);
    assert.match(run.stderr(), /^berth: cannot start: ENOTDIR: not a directory, mkdir '[^\n]+'\n$/);
  });

  it('logs an unhandled rejection with its stack and keeps serving', async () => {
    const run = runServer(dataDir, 'rejection');
    const url = await run.listening();
    run.signal('SIGUSR2');
    for (let i = 0; i < 100 && logged(run, 'unhandled promise rejection').length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const [line] = logged(run, 'unhandled promise rejection');
    assert.equal(line?.level, 50); // error
    assert.match(String((line?.err as { stack?: string }).stack), /a stray rejection[^]*process-faults\.ts/);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    run.signal('SIGTERM');
    assert.equal(await run.code, 0);
  });

  it('logs an uncaught exception, stops the server and exits 1', async () => {
    const run = runServer(dataDir, 'exception');
    await run.listening();
    run.signal('SIGUSR2');
    assert.equal(await run.code, 1);
    const [line] = logged(run, 'uncaught exception');
    assert.equal(line?.level, 60); // fatal
    assert.match(String((line?.err as { stack?: string }).stack), /a stray exception[^]*process-faults\.ts/);
    assert.equal(logged(run, 'berth server stopped').length, 1);
  });
});
