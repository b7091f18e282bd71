import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { busyboxSkipReason, dockerSkipReason } from '../../../../testing/docker.ts';
import { BusyboxContainer, collectUntil } from '../../../../testing/session-manager-plugin.ts';
import type { ExecProcess } from '../../runtime.ts';
import { demultiplexed, startDockerExec } from './docker-exec.ts';
import { DockerEngine, DockerEngineError } from './engine-client.ts';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function textOf(output: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of output) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

describe('demultiplexed', () => {
  it('joins stdout and stderr payloads in order, whatever the chunking; drops stdin frames and empty ones', async () => {
    const stream = Buffer.concat([
      frame(1, 'out 1\n'),
      frame(2, 'err\n'),
      frame(0, 'x'),
      frame(1, ''),
      frame(1, 'out 2'),
    ]);
    for (const size of [1, 3, 8, 9, 100]) {
      assert.equal(await textOf(demultiplexed(chunksOf(stream, size))), 'out 1\nerr\nout 2', `chunks of ${size}`);
    }
  });
});

describe(
  'startDockerExec against a real Docker engine',
  { skip: dockerSkipReason() || busyboxSkipReason(), timeout: 180_000 },
  () => {
    const engine = new DockerEngine();
    const container = new BusyboxContainer();
    let id: string;

    before(async () => {
      id = await container.start();
    });
    after(async () => {
      await container.remove();
      engine.close();
    });

    it('runs a command without a TTY: stdout and stderr, then its exit code', async () => {
      const process = await startDockerExec(engine, id, {
        command: ['sh', '-c', 'cat /etc/hostname; echo oops >&2; exit 3'],
        tty: false,
      });
      const output = await textOf(process.output);
      // Docker reads stdout and stderr through separate pipes: their frames may come in either order.
      assert.deepEqual(output.split('\n').sort(), ['', container.hostname, 'oops'].sort());
      assert.ok(output.endsWith('\n'));
      assert.equal(await process.exited, 3);
    });

    it('gives a TTY keystrokes, its size, and the exit of the shell', async () => {
      const process: ExecProcess = await startDockerExec(engine, id, { command: ['sh'], tty: true });
      const output = collectUntil(process.output);
      await output.waitFor('/ # ');
      process.write(Buffer.from('echo $((6*7)) $TERM\r'));
      await output.waitFor('\r\n42 xterm-256color\r\n');
      process.resize(123, 45);
      // The resize is a call of its own, racing the keystrokes: ask until the shell's terminal has it.
      for (let asked = 1; ; asked++) {
        process.write(Buffer.from('stty size\r'));
        // While the resize is under way the size can also be unreadable ('stty: standard input'): ask again.
        if ((await output.waitFor(/\r\n(?:\d+ \d+|stty: [^\r\n]*)\r\n/)).includes('45 123')) break;
        assert.ok(asked < 50, 'the size never reached the terminal');
      }
      process.write(Buffer.from('exit 5\r'));
      assert.equal(await process.exited, 5);
      await output.ended;
    });

    it("rejects with the engine's error for a container that is not there", async () => {
      await assert.rejects(
        startDockerExec(engine, 'berth-no-such-container', { command: ['true'], tty: false }),
        (error) => {
          assert.ok(error instanceof DockerEngineError);
          assert.equal(error.statusCode, 404);
          return true;
        },
      );
    });
  },
);
