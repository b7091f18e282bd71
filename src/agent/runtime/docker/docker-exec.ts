import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecProcess, ExecRequest } from '../../runtime.ts';
import type { DockerEngine } from './engine-client.ts';

// ECS Exec on the Engine API: POST /containers/{id}/exec, then POST /exec/{id}/start hijacks the
// connection (101, Upgrade: tcp): what we write is the process's stdin; what we read is its
// output, raw with a TTY, else in the 8-byte frames of logs ([stream, 0, 0, 0, uint32 length]).
// The exit code comes from GET /exec/{id}/json once the output ends.

/** As the SSM agent sets it for every session's process. */
const TERM = 'TERM=xterm-256color';
const HEADER_SIZE = 8;
/** After its output ends, the engine reports the exec stopped within moments; looked at this often, this many times. */
const EXIT_POLL_MS = 20;
const EXIT_POLLS = 250;

/** Starts `request` in a running container; rejects with the engine's error (409: not running). */
export async function startDockerExec(
  engine: DockerEngine,
  containerId: string,
  request: ExecRequest,
): Promise<ExecProcess> {
  const execId = await engine.createExec(containerId, {
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: request.tty,
    Cmd: [...request.command],
    Env: [TERM],
  });
  const connection = await engine.startExec(execId, { tty: request.tty });
  const closed = new Promise<void>((resolve) => connection.once('close', resolve));
  // A write after the process exited (or after close) fails: the exit is what the caller sees.
  connection.on('error', () => {});
  return {
    write(data) {
      if (!connection.destroyed && connection.writable) connection.write(data);
    },
    resize(cols, rows) {
      engine.resizeExec(execId, { cols, rows }).catch(() => {});
    },
    output: request.tty ? rawOutput(connection) : demultiplexed(rawOutput(connection)),
    exited: closed.then(() => exitCode(engine, execId)),
    close() {
      connection.destroy();
    },
  };
}

async function* rawOutput(connection: Duplex): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of connection) yield chunk as Buffer;
  } catch {
    // Closed under us (close(), or the engine went away): the output ends there.
  }
}

/** Docker's multiplexed stream, stdout and stderr payloads in the order they came. Linear in its input. */
export async function* demultiplexed(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let frameEnd = -1;
  for await (const chunk of chunks) {
    pending.push(Buffer.from(chunk));
    pendingBytes += chunk.length;
    while (pendingBytes >= (frameEnd < 0 ? HEADER_SIZE : frameEnd)) {
      const buffered = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      if (frameEnd < 0) {
        frameEnd = HEADER_SIZE + buffered.readUInt32BE(4);
        pending = [buffered];
        continue;
      }
      const payload = buffered.subarray(HEADER_SIZE, frameEnd);
      if (payload.length > 0 && buffered[0] !== 0) yield payload;
      const rest = buffered.subarray(frameEnd);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
      frameEnd = -1;
    }
  }
}

async function exitCode(engine: DockerEngine, execId: string): Promise<number | undefined> {
  for (let poll = 0; poll < EXIT_POLLS; poll++) {
    const state = await engine.inspectExec(execId).catch(() => undefined);
    if (!state) return undefined;
    if (!state.Running) return state.ExitCode ?? undefined;
    await sleep(EXIT_POLL_MS);
  }
  return undefined;
}
