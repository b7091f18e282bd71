/**
 * Session Manager sessions (SSM DescribeSessions, TerminateSession): each ECS Exec session is one,
 * recorded when ExecuteCommand opens it and moved through its statuses by the relay. Kept 30 days
 * after they end, as SSM keeps its history.
 */
export type SsmSessionStatus = 'Connected' | 'Connecting' | 'Disconnected' | 'Terminated' | 'Terminating' | 'Failed';

/** The statuses DescribeSessions lists under State Active; the others are History. */
export const ACTIVE_SESSION_STATUSES: readonly SsmSessionStatus[] = [
  'Connected',
  'Connecting',
  'Disconnected',
  'Terminating',
];

export interface SsmSessionRecord {
  readonly sessionId: string;
  /** What the session reached: for ECS Exec `ecs:<cluster>_<task id>_<container runtime id>`. */
  readonly target: string;
  /** Who opened it: the caller's ARN. */
  readonly owner: string;
  readonly status: SsmSessionStatus;
  readonly startDate: Date;
  readonly endDate?: Date | undefined;
  readonly documentName: string;
  /** What Berth knows of it besides the API's fields (cluster, task, container, command, log), as JSON. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** DescribeSessions' question: one state, SSM's filters, a page in listing order. */
export interface SsmSessionQuery {
  readonly state: 'Active' | 'History';
  /** Started at or after. */
  readonly invokedAfter?: Date | undefined;
  /** Started before. */
  readonly invokedBefore?: Date | undefined;
  readonly target?: string | undefined;
  readonly owner?: string | undefined;
  readonly status?: SsmSessionStatus | undefined;
  readonly sessionId?: string | undefined;
  /** Sessions strictly after this one in the listing order (newest first, then session id descending). */
  readonly after?: { readonly startDate: Date; readonly sessionId: string } | undefined;
  readonly limit: number;
}

export interface SsmSessionRepository {
  insert(record: SsmSessionRecord): Promise<void>;
  get(sessionId: string): Promise<SsmSessionRecord | undefined>;
  /**
   * Moves a session to `status` (with `endDate` when it ended) if its status is one of `from`;
   * resolves with whether it moved. Two writers racing (the relay, TerminateSession) move it once.
   */
  transition(
    sessionId: string,
    change: { readonly from: readonly SsmSessionStatus[]; readonly status: SsmSessionStatus; readonly endDate?: Date },
  ): Promise<boolean>;
  list(query: SsmSessionQuery): Promise<SsmSessionRecord[]>;
  /**
   * At start: the sessions a previous run left live have ended with it. Connected, Disconnected
   * and Terminating ones become Terminated, Connecting ones (nobody joined) Failed, ending `at`.
   */
  endLive(at: Date): Promise<number>;
  /** Forgets the sessions that ended before `before`; resolves with how many. */
  deleteEndedBefore(before: Date): Promise<number>;
}
