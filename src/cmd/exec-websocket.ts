import type { RawData, WebSocket } from 'ws';
import type { DataChannelSocket } from '../agent/exec/index.ts';

// ECS Exec's stream URL, the WebSocket end: the Session Manager plugin opens it, sends one text
// frame (OpenDataChannelInput, with the session's token), then binary agent messages. This turns
// a `ws` socket into the agent's DataChannelSocket (src/agent/exec/), which knows nothing of ws.

/** The plugin's first frame (service.OpenDataChannelInput in session-manager-plugin). */
export interface OpenDataChannelInput {
  readonly MessageSchemaVersion: string;
  readonly RequestId: string;
  readonly TokenValue: string;
  readonly ClientId: string;
  readonly ClientVersion?: string;
}

/** Messages read ahead of the session at most; beyond, the socket is paused until it catches up. */
const MAX_QUEUED = 64;
/** The plugin sends its OpenDataChannelInput as soon as it connects. */
const OPEN_TIMEOUT_MS = 30_000;
/** A text frame of more than this is not an OpenDataChannelInput. */
const MAX_OPEN_BYTES = 64 * 1024;

/**
 * Waits for the plugin's OpenDataChannelInput, then hands the socket over as a DataChannelSocket
 * (binary messages only, in order, none lost in between). Rejects, closing the socket, if the
 * first frame is not one, or none comes in time; the caller checks the token.
 */
export function acceptDataChannel(
  ws: WebSocket,
  options: { readonly timeoutMs?: number } = {},
): Promise<{ open: OpenDataChannelInput; socket: DataChannelSocket }> {
  const socket = dataChannelSocket(ws);
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      ws.off('message', first);
      ws.off('close', closed);
      socket.close();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail('no OpenDataChannelInput in time'), options.timeoutMs ?? OPEN_TIMEOUT_MS);
    const closed = (): void => fail('the socket closed before its OpenDataChannelInput');
    const first = (data: RawData, isBinary: boolean): void => {
      if (isBinary) return; // binary before the open frame: the queue holds it for the session
      clearTimeout(timer);
      ws.off('message', first);
      ws.off('close', closed);
      const open = parseOpen(bytesOf(data));
      if (!open) return fail('the first text frame is not an OpenDataChannelInput');
      resolve({ open, socket });
    };
    ws.on('message', first);
    ws.once('close', closed);
  });
}

/** The socket's binary messages as a DataChannelSocket (text frames are left to other listeners). */
export function dataChannelSocket(ws: WebSocket): DataChannelSocket {
  const queue: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let paused = false;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  ws.on('message', (data, isBinary) => {
    if (!isBinary || ended) return;
    queue.push(bytesOf(data));
    if (queue.length >= MAX_QUEUED && !paused) {
      paused = true;
      ws.pause();
    }
    notify();
  });
  ws.once('close', () => {
    ended = true;
    notify();
  });
  ws.on('error', () => {}); // 'close' follows and ends the messages
  async function* messages(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = queue.shift();
      if (next) {
        if (paused && queue.length < MAX_QUEUED / 2) {
          paused = false;
          ws.resume();
        }
        yield next;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  }
  return {
    send(message) {
      if (ws.readyState === ws.OPEN) ws.send(message, { binary: true });
    },
    messages: messages(),
    close() {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      ended = true;
      notify();
    },
  };
}

function bytesOf(data: RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function parseOpen(bytes: Uint8Array): OpenDataChannelInput | undefined {
  if (bytes.length > MAX_OPEN_BYTES) return undefined;
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    const fields = ['MessageSchemaVersion', 'RequestId', 'TokenValue', 'ClientId'] as const;
    if (typeof value !== 'object' || value === null || fields.some((field) => typeof value[field] !== 'string')) {
      return undefined;
    }
    return value as unknown as OpenDataChannelInput;
  } catch {
    return undefined;
  }
}
