import type { ExecSessionAssignment } from '../ecs/index.ts';
import { runExecSession, type DataChannelSocket } from './exec/index.ts';
import type { LogSink } from './log-shipping.ts';
import type { ContainerRuntime } from './runtime.ts';

/** How the agent joins a session's stream on the server (a signed WebSocket, or in process). */
export type ExecStreamLink = (session: ExecSessionAssignment) => Promise<DataChannelSocket>;

export interface ExecRunnerOptions {
  readonly link: ExecStreamLink;
  /**
   * Where a session's output goes when the session names a log group: the Logs API as the task
   * role's session (the SSM agent in an ECS task logs with the task role). Undefined: not logged.
   */
  readonly sessionLogSink?: ((session: ExecSessionAssignment) => LogSink | undefined) | undefined;
  readonly log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  };
}

/** Output is shipped in events of at most this many bytes, at least this often. */
const LOG_EVENT_BYTES = 16 * 1024;
const LOG_FLUSH_MS = 1000;

/**
 * The agent's side of ECS Exec's wiring: each session the poll lists for one of its tasks is joined
 * once (the server lists it until the agent joins), its command run in the container through the
 * runtime's exec by runExecSession (exec/), and its output logged where the session says.
 */
export class ExecRunner {
  readonly #runtime: ContainerRuntime;
  readonly #options: ExecRunnerOptions;
  readonly #started = new Set<string>();
  readonly #running = new Set<Promise<void>>();
  readonly #abort = new AbortController();

  constructor(runtime: ContainerRuntime, options: ExecRunnerOptions) {
    this.#runtime = runtime;
    this.#options = options;
  }

  /** Whether this agent can run commands in containers (it advertises ecs.capability.execute-command). */
  get canExec(): boolean {
    return typeof this.#runtime.exec === 'function';
  }

  /** Joins the sessions not joined yet. */
  handle(sessions: readonly ExecSessionAssignment[]): void {
    for (const session of sessions) {
      if (this.#started.has(session.sessionId) || this.#abort.signal.aborted) continue;
      this.#started.add(session.sessionId);
      const run = this.#run(session).finally(() => this.#running.delete(run));
      this.#running.add(run);
    }
  }

  /** Ends every session (the agent is stopping). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#running);
  }

  async #run(session: ExecSessionAssignment): Promise<void> {
    const { log } = this.#options;
    const fields = { sessionId: session.sessionId, task: session.taskArn, container: session.containerName };
    let socket: DataChannelSocket;
    try {
      socket = await this.#options.link(session);
    } catch (error) {
      log.warn({ ...fields, err: String(error) }, 'cannot join the execute command session');
      return;
    }
    const output = this.#output(session);
    try {
      const { exitCode } = await runExecSession(
        socket,
        { sessionId: session.sessionId, command: session.command, interactive: session.interactive },
        async (request) => {
          const containerId = await this.#containerId(session);
          if (!this.#runtime.exec) throw new Error('this agent cannot run commands in containers');
          return this.#runtime.exec(containerId, request);
        },
        { onOutput: output?.write, signal: this.#abort.signal },
      );
      log.info({ ...fields, exitCode }, 'execute command session ended');
    } catch (error) {
      log.warn({ ...fields, err: String(error) }, 'execute command session failed');
    } finally {
      await output?.close();
    }
  }

  async #containerId(session: ExecSessionAssignment): Promise<string> {
    const containers = await this.#runtime.taskContainers(session.taskArn);
    const container = containers.find((c) => c.name === session.containerName && c.running);
    if (!container) throw new Error(`the container ${session.containerName} is not running`);
    return container.id;
  }

  /**
   * The session's log stream: output gathered into events and shipped at least once a second.
   * The first failure is logged as a warning saying why; once the task role is denied, nothing
   * more is sent. The session goes on either way, as on ECS.
   */
  #output(
    session: ExecSessionAssignment,
  ): { write: (chunk: Uint8Array) => void; close: () => Promise<void> } | undefined {
    const target = session.log;
    if (!target) return undefined;
    const fields = { sessionId: session.sessionId, task: session.taskArn, logGroup: target.group };
    const sink = this.#options.sessionLogSink?.(session);
    if (!sink) {
      this.#options.log.warn(fields, "session output not logged: this agent holds no session of the task's role");
      return undefined;
    }
    const decoder = new TextDecoder();
    let text = '';
    let failed = false;
    let denied = false;
    const send = (events: { timestamp: number; message: string }[]): Promise<void> =>
      denied
        ? Promise.resolve()
        : sink.append(target.group, target.stream, events, { createGroup: false }).catch((error: unknown) => {
            denied = (error as { code?: unknown }).code === 'AccessDeniedException';
            if (failed) return;
            failed = true;
            this.#options.log.warn(
              { ...fields, err: error instanceof Error ? error.message : String(error) },
              denied
                ? 'session output not logged: the task role may not write to the log group'
                : 'session output not logged',
            );
          });
    let shipping: Promise<void> = send([]);
    const flush = (): void => {
      if (text === '') return;
      const events: { timestamp: number; message: string }[] = [];
      for (let i = 0; i < text.length; i += LOG_EVENT_BYTES)
        events.push({ timestamp: Date.now(), message: text.slice(i, i + LOG_EVENT_BYTES) });
      text = '';
      shipping = shipping.then(() => send(events));
    };
    const timer = setInterval(flush, LOG_FLUSH_MS);
    return {
      write: (chunk) => {
        text += decoder.decode(chunk, { stream: true });
        if (text.length >= LOG_EVENT_BYTES * 8) flush();
      },
      close: async () => {
        clearInterval(timer);
        text += decoder.decode();
        flush();
        await shipping;
      },
    };
  }
}
