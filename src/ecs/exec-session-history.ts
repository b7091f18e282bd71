import type { Clock } from '../shared/clock.ts';
import { ACTIVE_SESSION_STATUSES, type MetadataStore, type SsmSessionRecord } from '../store/index.ts';
import type { ExecSession } from './exec-sessions.ts';

/** The SSM document an ECS Exec session runs, as DescribeSessions names it on AWS. */
export const EXEC_DOCUMENT_NAME = 'AmazonECS-ExecuteInteractiveCommand';
/** How long SSM lists a session after it ended. */
export const SESSION_HISTORY_MS = 30 * 24 * 60 * 60 * 1000;

/** SSM's target of an ECS Exec session: `ecs:<cluster>_<task id>_<container runtime id>`. */
export function execSessionTarget(session: Pick<ExecSession, 'cluster' | 'taskArn' | 'containerRuntimeId'>): string {
  return `ecs:${session.cluster}_${session.taskArn.split('/').at(-1)}_${session.containerRuntimeId}`;
}

/** The Session Manager session an ECS Exec session is, as ExecuteCommand opened it. */
export function execSessionRecord(session: ExecSession): SsmSessionRecord {
  return {
    sessionId: session.sessionId,
    target: execSessionTarget(session),
    owner: session.principalArn,
    status: 'Connecting',
    startDate: session.createdAt,
    documentName: EXEC_DOCUMENT_NAME,
    details: {
      cluster: session.cluster,
      taskArn: session.taskArn,
      containerName: session.containerName,
      command: session.command,
      ...(session.log ? { logGroup: session.log.group, logStream: session.log.stream } : {}),
    },
  };
}

/**
 * Each ECS Exec session as SSM lists it (DescribeSessions): Connecting when ExecuteCommand opens
 * it, Connected once the relay pairs the plugin with the agent, Terminated when it ends after
 * that, Failed when it ends before (a side never joined, or nobody joined before the token
 * expired). Written durably, in order; a write that fails is logged, and the session goes on.
 */
export class ExecSessionHistory {
  readonly #store: MetadataStore;
  readonly #clock: Clock;
  readonly #log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  readonly #expiries = new Map<string, NodeJS.Timeout>();
  #writes: Promise<unknown> = Promise.resolve();

  constructor(
    store: MetadataStore,
    clock: Clock,
    log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#log = log;
  }

  /** Records the session (before ExecuteCommand answers); it fails if nobody joined by its expiry. */
  async opened(session: ExecSession): Promise<void> {
    await this.#store.ssmSessions.insert(execSessionRecord(session));
    const wait = Math.max(0, session.expiresAt.getTime() - this.#clock.now().getTime());
    const timer = setTimeout(() => {
      this.#expiries.delete(session.sessionId);
      this.#move(session.sessionId, ['Connecting'], 'Failed');
    }, wait);
    timer.unref();
    this.#expiries.set(session.sessionId, timer);
  }

  connected(sessionId: string): void {
    this.#forgetExpiry(sessionId);
    this.#move(sessionId, ['Connecting'], 'Connected');
  }

  ended(sessionId: string, ended: { readonly connected: boolean }): void {
    this.#forgetExpiry(sessionId);
    this.#move(sessionId, ACTIVE_SESSION_STATUSES, ended.connected ? 'Terminated' : 'Failed');
  }

  /** At start: the sessions a previous run left live ended with it (Terminated, or Failed if never connected). */
  async recover(): Promise<number> {
    const ended = await this.#store.ssmSessions.endLive(this.#clock.now());
    if (ended > 0) this.#log.info({ sessions: ended }, 'execute command sessions live when the server stopped ended');
    return ended;
  }

  /** Forgets the sessions that ended more than 30 days ago. */
  prune(): Promise<number> {
    return this.#store.ssmSessions.deleteEndedBefore(new Date(this.#clock.now().getTime() - SESSION_HISTORY_MS));
  }

  /** Resolves once every write asked for so far is done. */
  async settled(): Promise<void> {
    await this.#writes;
  }

  close(): void {
    for (const timer of this.#expiries.values()) clearTimeout(timer);
    this.#expiries.clear();
  }

  #forgetExpiry(sessionId: string): void {
    clearTimeout(this.#expiries.get(sessionId));
    this.#expiries.delete(sessionId);
  }

  #move(sessionId: string, from: readonly SsmSessionRecord['status'][], status: SsmSessionRecord['status']): void {
    const ended = status === 'Terminated' || status === 'Failed';
    this.#writes = this.#writes
      .then(() =>
        this.#store.ssmSessions.transition(sessionId, {
          from,
          status,
          ...(ended ? { endDate: this.#clock.now() } : {}),
        }),
      )
      .catch((error: unknown) =>
        this.#log.warn({ sessionId, status, err: String(error) }, 'execute command session history not written'),
      );
  }
}
