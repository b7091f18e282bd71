import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { busyboxSkipReason, dockerSkipReason, runCommand } from '../../testing/docker.ts';
import {
  BusyboxContainer,
  runUnderPty,
  SESSION_MANAGER_PLUGIN,
  type PtyStep,
} from '../../testing/session-manager-plugin.ts';
import { DockerEngine, DockerRuntime } from '../agent/index.ts';
import { runExecSession, type ExecProcess, type ExecRequest, type ExecSessionSpec } from '../agent/exec/index.ts';
import { acceptDataChannel } from './exec-websocket.ts';

// The agent's side of ECS Exec against AWS's own session-manager-plugin, run as the AWS CLI runs
// it, under a pty: a WebSocket server on 127.0.0.1 takes the plugin's OpenDataChannelInput and
// hands the socket to runExecSession, which runs the command in a real busybox container.

function pluginSkipReason(): string | false {
  if (existsSync(SESSION_MANAGER_PLUGIN)) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${SESSION_MANAGER_PLUGIN} is missing`);
  return `${SESSION_MANAGER_PLUGIN} is missing`;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Finished {
  readonly exitCode: number | undefined;
  readonly output: string;
}

describe(
  'ECS Exec with the real session-manager-plugin',
  { skip: dockerSkipReason() || busyboxSkipReason() || pluginSkipReason(), timeout: 300_000 },
  () => {
    const container = new BusyboxContainer();
    const engine = new DockerEngine();
    const runtime = new DockerRuntime({ engine, owner: 'exec-test' });
    const sessions = new Map<string, { spec: ExecSessionSpec; done: PromiseWithResolvers<Finished> }>();
    let server: Server;
    let containerId: string;
    let port: number;
    let pty = '';
    const resizeListeners = new Set<(cols: number, rows: number) => void>();

    /** Resolves when a session's process is told the size `cols` x `rows`. */
    function waitForResize(cols: number, rows: number): Promise<void> {
      return new Promise((resolve) => {
        const listener = (c: number, r: number): void => {
          if (c !== cols || r !== rows) return;
          resizeListeners.delete(listener);
          resolve();
        };
        resizeListeners.add(listener);
      });
    }

    /** The runtime's exec, with each resize reported to the listeners. */
    async function start(request: ExecRequest): Promise<ExecProcess> {
      const process = await runtime.exec(containerId, request);
      return {
        ...process,
        output: process.output,
        exited: process.exited,
        write: (data) => process.write(data),
        close: () => process.close(),
        resize(cols, rows) {
          process.resize(cols, rows);
          for (const listener of resizeListeners) listener(cols, rows);
        },
      };
    }

    before(async () => {
      containerId = await container.start();
      server = createServer();
      const wss = new WebSocketServer({ server, maxPayload: 2 * 1024 * 1024 });
      wss.on('connection', async (ws) => {
        const { open, socket } = await acceptDataChannel(ws);
        const session = sessions.get(open.TokenValue);
        if (!session) return socket.close();
        const chunks: Buffer[] = [];
        const result = await runExecSession(socket, session.spec, start, {
          onOutput: (chunk) => chunks.push(Buffer.from(chunk)),
        });
        session.done.resolve({ ...result, output: Buffer.concat(chunks).toString('utf8') });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      await container.remove();
      engine.close();
    });

    /** Starts the plugin on a new session for `command`, in a terminal of `cols` x `rows`. */
    async function execute(
      command: string,
      options: { steps?: readonly PtyStep[]; cols?: number; rows?: number; prelude?: string } = {},
    ) {
      const sessionId = `ecs-execute-command-${randomUUID()}`;
      const token = randomUUID();
      const done = Promise.withResolvers<Finished>();
      sessions.set(token, { spec: { sessionId, command, interactive: true }, done });
      const response = JSON.stringify({
        SessionId: sessionId,
        StreamUrl: `ws://127.0.0.1:${port}/ecs-exec/${sessionId}`,
        TokenValue: token,
      });
      const plugin = [
        SESSION_MANAGER_PLUGIN,
        response,
        'us-east-1',
        'StartSession',
        '',
        JSON.stringify({ Target: 'ecs:cluster_task_container' }),
        `http://127.0.0.1:${port}`,
      ]
        .map(shellQuote)
        .join(' ');
      const size = `stty cols ${options.cols ?? 100} rows ${options.rows ?? 30}`;
      const run = await runUnderPty(`${options.prelude ?? ''}${size}; exec ${plugin}`, {
        steps: options.steps ?? [],
        timeoutMs: 60_000,
      });
      return { sessionId, run, session: await done.promise };
    }

    it("prints `echo hello`, then exits 0 with the plugin's own lines", async () => {
      const { sessionId, run, session } = await execute('echo hello');
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, new RegExp(`Starting session with SessionId: ${sessionId}`));
      assert.match(run.output, /\nhello\r*\n/); // the container's CR LF, then the outer pty's own CR
      assert.match(run.output, new RegExp(`Exiting session with sessionId: ${sessionId}\\.`));
      assert.equal(session.exitCode, 0);
      assert.equal(session.output, 'hello\r\n');
    });

    it('runs `cat /etc/hostname` in the container', async () => {
      const { run, session } = await execute('cat /etc/hostname');
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, new RegExp(`\\n${container.hostname}\\r*\\n`));
      assert.equal(session.exitCode, 0);
    });

    it('gives an interactive sh its input, and ends when it exits', async () => {
      const { run, session } = await execute('sh', {
        steps: [
          { waitFor: '/ # ', write: 'echo $((6*7))\r' },
          { waitFor: /\n42\r*\n/, write: 'exit 7\r' },
        ],
      });
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /\n42\r*\n/);
      assert.equal(session.exitCode, 7);
    });

    it('honours the terminal size, at the start and when it changes', async () => {
      const { run } = await execute('sh', {
        cols: 111,
        rows: 33,
        prelude: 'tty; ',
        steps: [
          { waitFor: /\/dev\/pts\/\d+/, run: async (_terminal, tty) => void (pty = tty) },
          { waitFor: '/ # ', write: 'stty size\r' },
          {
            waitFor: /\n33 111\r*\n/,
            run: async (terminal) => {
              // The plugin looks at its terminal's size every 500 ms and sends a change.
              const resized = waitForResize(120, 40);
              const stty = await runCommand('stty', ['-F', pty, 'cols', '120', 'rows', '40']);
              assert.equal(stty.code, 0, stty.stderr);
              await resized;
              // Docker applies the resize in a call of its own: ask until the shell's terminal has it.
              for (let asked = 1; ; asked++) {
                terminal.write('stty size\r');
                if ((await terminal.output.waitFor(/\n\d+ \d+\r*\n/)).includes('40 120')) break;
                assert.ok(asked < 50, 'the new size never reached the terminal');
              }
              terminal.write('exit\r');
            },
          },
        ],
      });
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /\n33 111\r*\n/);
      assert.match(run.output, /\n40 120\r*\n/);
    });
  },
);
