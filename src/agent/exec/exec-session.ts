import { randomUUID } from 'node:crypto';
import type { ExecProcess, ExecRequest } from '../runtime.ts';
import {
  AgentMessageError,
  PayloadType,
  channelClosedPayload,
  handshakeCompletePayload,
  handshakeRequestPayload,
  parseHandshakeResponse,
  parseTerminalSize,
  type AgentMessage,
  type TerminalSize,
} from './agent-message.ts';
import { DataChannel } from './data-channel.ts';
import { execArgv } from './exec-argv.ts';

// One ECS Exec session, the agent's side: what the SSM agent's InteractiveCommands plugin does in
// an ECS task (agent/session/plugins/sessionplugin, shell/), over a socket the caller opened.
//
//   HandshakeRequest (SessionType InteractiveCommands) ──► plugin
//   plugin ──► HandshakeResponse            then HandshakeComplete ──► plugin
//   start(argv) ──► output_stream_data (Output, ≤1 KiB each) ──► plugin, acknowledged
//   plugin ──► input_stream_data: Output (keystrokes) → write, Size → resize, Flag 2 → terminate
//   exit: output flushed (all acknowledged) ──► channel_closed ──► plugin exits 0; socket closed

export interface DataChannelSocket {
  /** One binary WebSocket message to the plugin. */
  send(message: Uint8Array): void;
  /** Binary messages from the plugin, in order (text frames are not given here); ends when the socket closes. */
  readonly messages: AsyncIterable<Uint8Array>;
  close(): void;
}

export interface ExecSessionSpec {
  readonly sessionId: string;
  /** ExecuteCommand's `command`, as the user gave it ("/bin/sh", "cat /etc/hostname"). */
  readonly command: string;
  readonly interactive: boolean;
  /** SSM's idle session timeout (default 20 minutes): no input for this long ends the session. */
  readonly idleTimeoutMs?: number;
}

export interface ExecSessionOptions {
  /** Every byte of the command's output, as sent (for session logging to CloudWatch Logs). */
  readonly onOutput?: (chunk: Uint8Array) => void;
  readonly signal?: AbortSignal;
}

/** What the handshake says the agent is (the plugin only compares versions for port sessions). */
const AGENT_VERSION = '3.3.0.0';
/** The SSM agent's handshake timeout. */
const HANDSHAKE_TIMEOUT_MS = 90_000;
const DEFAULT_IDLE_TIMEOUT_MS = 20 * 60_000;
/** The SSM agent's output read size (mgsConfig.StreamDataPayloadSize). */
const OUTPUT_CHUNK_BYTES = 1024;
/** How long the end of a session waits for the plugin to acknowledge the last output. */
const FLUSH_TIMEOUT_MS = 10_000;
/** How long a TTY's start waits for the plugin's first terminal size (it sends one as its shell starts). */
const FIRST_SIZE_WAIT_MS = 2_000;
/** Input that arrives before the process started, kept at most (messages of at most 1 MiB each). */
const MAX_EARLY_INPUT = 256;
const TERMINATE_SESSION_FLAG = 2;
const IDLE_MESSAGE = 'Your session timed out due to inactivity and has been terminated.';

type Ending =
  | { readonly kind: 'exited' }
  | { readonly kind: 'closed'; readonly output?: string }
  | { readonly kind: 'disconnected' };

/** Runs the handshake, starts the process (start), relays input/output/size until it exits, flushes output, sends channel_closed, closes. */
export async function runExecSession(
  socket: DataChannelSocket,
  spec: ExecSessionSpec,
  start: (request: ExecRequest) => Promise<ExecProcess>,
  options: ExecSessionOptions = {},
): Promise<{ exitCode: number | undefined }> {
  const session = new ExecSession(socket, spec, options);
  try {
    return await session.run(start);
  } finally {
    session.dispose();
  }
}

class ExecSession {
  readonly #socket: DataChannelSocket;
  readonly #spec: ExecSessionSpec;
  readonly #options: ExecSessionOptions;
  readonly #channel: DataChannel;
  readonly #ending = Promise.withResolvers<Ending>();
  readonly #handshake = Promise.withResolvers<AgentMessage>();
  readonly #firstSize = Promise.withResolvers<void>();
  readonly #earlyInput: AgentMessage[] = [];
  #process: ExecProcess | undefined;
  #size: TerminalSize | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(socket: DataChannelSocket, spec: ExecSessionSpec, options: ExecSessionOptions) {
    this.#socket = socket;
    this.#spec = spec;
    this.#options = options;
    this.#channel = new DataChannel((bytes) => socket.send(bytes), {
      onStalled: () => this.#end({ kind: 'disconnected' }),
    });
  }

  async run(start: (request: ExecRequest) => Promise<ExecProcess>): Promise<{ exitCode: number | undefined }> {
    const { signal } = this.#options;
    const onAbort = (): void => this.#end({ kind: 'closed' });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    void this.#read();
    this.#resetIdle();
    try {
      if (!(await this.#shakeHands())) return await this.#finish(undefined);
      const process = await this.#start(start);
      if (!process) return await this.#finish(undefined);
      void this.#pumpOutput(process);
      const ending = await this.#ending.promise;
      const exitCode = ending.kind === 'exited' ? await process.exited : undefined;
      return await this.#finish(exitCode);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  dispose(): void {
    clearTimeout(this.#idleTimer);
    this.#channel.close();
    this.#process?.close();
    this.#socket.close();
  }

  /** Sends the request, waits for the response (or the end), and completes; false if the session ended. */
  async #shakeHands(): Promise<boolean> {
    const started = performance.now();
    const properties = { linux: { commands: this.#spec.command, runAsElevated: true } };
    this.#channel.sendStream(
      PayloadType.HandshakeRequest,
      handshakeRequestPayload({ agentVersion: AGENT_VERSION, sessionType: 'InteractiveCommands', properties }),
    );
    const timer = setTimeout(
      () =>
        this.#end({
          kind: 'closed',
          output: 'Handshake timed out. Please ensure that you have the latest version of the session manager plugin.',
        }),
      HANDSHAKE_TIMEOUT_MS,
    );
    const answer = await Promise.race([this.#handshake.promise, this.#ending.promise.then(() => undefined)]);
    clearTimeout(timer);
    if (!answer) return false;
    const response = parseHandshakeResponse(answer.payload);
    const failed = response.actions.find((action) => action.actionStatus !== 1);
    if (failed) {
      this.#end({ kind: 'closed', output: `${failed.actionType} failed on client: ${failed.error}` });
      return false;
    }
    this.#channel.sendStream(
      PayloadType.HandshakeComplete,
      handshakeCompletePayload({ elapsedMs: performance.now() - started }),
    );
    return true;
  }

  async #start(start: (request: ExecRequest) => Promise<ExecProcess>): Promise<ExecProcess | undefined> {
    let argv: string[];
    try {
      argv = execArgv(this.#spec.command);
    } catch (error) {
      this.#end({ kind: 'closed', output: (error as Error).message });
      return undefined;
    }
    if (this.#spec.interactive) await this.#waitForFirstSize();
    if (this.#ended) return undefined;
    let process: ExecProcess;
    try {
      process = await start({ command: argv, tty: this.#spec.interactive });
    } catch (error) {
      this.#end({ kind: 'closed', output: `Unable to start command: ${(error as Error).message}` });
      return undefined;
    }
    if (this.#ended) {
      process.close();
      return undefined;
    }
    this.#process = process;
    if (this.#size) this.#resize(this.#size);
    for (const message of this.#earlyInput.splice(0)) this.#deliver(message);
    return process;
  }

  async #waitForFirstSize(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_SIZE_WAIT_MS)));
    await Promise.race([this.#firstSize.promise, waited, this.#ending.promise]);
    clearTimeout(timer);
  }

  async #pumpOutput(process: ExecProcess): Promise<void> {
    try {
      for await (const chunk of process.output) {
        if (this.#ended) break;
        this.#options.onOutput?.(chunk);
        for (let offset = 0; offset < chunk.length; offset += OUTPUT_CHUNK_BYTES) {
          await this.#channel.room();
          this.#channel.sendStream(PayloadType.Output, chunk.subarray(offset, offset + OUTPUT_CHUNK_BYTES));
        }
      }
    } catch {
      // The engine let go of the stream: the process's exit status says what happened.
    }
    this.#end({ kind: 'exited' });
  }

  async #read(): Promise<void> {
    try {
      for await (const bytes of this.#socket.messages) {
        let ready: AgentMessage[];
        try {
          ready = this.#channel.receive(bytes);
        } catch (error) {
          if (error instanceof AgentMessageError) continue; // refused, unacknowledged: as the plugin drops one
          throw error;
        }
        // Acknowledgements still count once the session ends: the last output is being flushed.
        if (!this.#ended) for (const message of ready) this.#input(message);
      }
    } catch {
      // A broken socket ends the session like a closed one.
    }
    this.#end({ kind: 'disconnected' });
  }

  #input(message: AgentMessage): void {
    if (message.payloadType === PayloadType.HandshakeResponse) {
      this.#handshake.resolve(message);
      return;
    }
    if (message.payloadType === PayloadType.Size) {
      this.#noteSize(message);
      if (!this.#process) return;
    } else if (!this.#process) {
      if (this.#earlyInput.length < MAX_EARLY_INPUT) this.#earlyInput.push(message);
      return;
    }
    this.#deliver(message);
  }

  #noteSize(message: AgentMessage): void {
    try {
      const size = parseTerminalSize(message.payload);
      if (size.cols === 0 || size.rows === 0) return; // the plugin's size of a terminal it could not read
      this.#size = size;
      this.#firstSize.resolve();
    } catch {
      // A malformed size changes nothing, as the SSM agent only logs it.
    }
  }

  #deliver(message: AgentMessage): void {
    const process = this.#process!;
    switch (message.payloadType) {
      case PayloadType.Output:
        this.#resetIdle();
        if (message.payload.length > 0) process.write(message.payload);
        return;
      case PayloadType.Size:
        if (this.#size) this.#resize(this.#size);
        return;
      case PayloadType.Flag:
        if (message.payload.length === 4 && Buffer.from(message.payload).readUInt32BE(0) === TERMINATE_SESSION_FLAG) {
          this.#end({ kind: 'closed' });
        }
        return;
      default:
    }
  }

  #resize(size: TerminalSize): void {
    try {
      this.#process?.resize(size.cols, size.rows);
    } catch {
      // The process may be gone already; its exit ends the session.
    }
  }

  #resetIdle(): void {
    clearTimeout(this.#idleTimer);
    if (this.#ended) return;
    const idleMs = this.#spec.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#idleTimer = setTimeout(() => this.#end({ kind: 'closed', output: IDLE_MESSAGE }), idleMs);
  }

  #end(ending: Ending): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#idleTimer);
    this.#ending.resolve(ending);
  }

  /** Flushes what the plugin has not acknowledged, then says channel_closed (unless the socket is gone). */
  async #finish(exitCode: number | undefined): Promise<{ exitCode: number | undefined }> {
    const ending = await this.#ending.promise;
    if (ending.kind !== 'disconnected') {
      await this.#channel.flushed(FLUSH_TIMEOUT_MS);
      const messageId = randomUUID();
      const output = ending.kind === 'closed' ? ending.output : undefined;
      this.#channel.sendControl(
        'channel_closed',
        channelClosedPayload({
          messageId,
          sessionId: this.#spec.sessionId,
          createdDate: Date.now(),
          ...(output !== undefined && { output }),
        }),
        messageId,
      );
    }
    return { exitCode };
  }
}
