/**
 * The task state machine, in one place. ECS names the lifecycle states (PROVISIONING → PENDING →
 * ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED); a task's lastStatus
 * only moves forward along it (steps may be skipped: a task that fails to pull goes from PENDING
 * straight to STOPPED), and STOPPED is final. desiredStatus is RUNNING until someone (StopTask, the
 * agent, a service) asks for STOPPED, and never goes back.
 */
export type TaskStatus =
  'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';

export type DesiredTaskStatus = 'RUNNING' | 'STOPPED';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
];

/** Container states as ECS reports them. */
export type ContainerStatus = 'PENDING' | 'RUNNING' | 'STOPPED';

export type TaskStopCode =
  | 'TaskFailedToStart'
  | 'EssentialContainerExited'
  | 'UserInitiated'
  | 'ServiceSchedulerInitiated'
  | 'SpotInterruption'
  | 'TerminationNotice';

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: string): boolean {
  return status === 'STOPPED';
}

/** Whether lastStatus may move from `from` to `to` (staying put is allowed: reports repeat). */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  if (from === to) return true;
  return TASK_STATUSES.indexOf(to) > TASK_STATUSES.indexOf(from);
}

/** The first lastStatus of a new task: awsvpc tasks provision their network interface first. */
export function initialStatus(networkMode: string | undefined): TaskStatus {
  return networkMode === 'awsvpc' ? 'PROVISIONING' : 'PENDING';
}

/** PROVISIONING, PENDING and ACTIVATING count as pending in cluster and instance counts. */
export function isPendingLike(status: string): boolean {
  return status === 'PROVISIONING' || status === 'PENDING' || status === 'ACTIVATING';
}

export function pendingAndRunning(counts: ReadonlyMap<string, number>): { pending: number; running: number } {
  let pending = 0;
  for (const [status, count] of counts) if (isPendingLike(status)) pending += count;
  return { pending, running: counts.get('RUNNING') ?? 0 };
}

export class IllegalTransitionError extends Error {
  constructor(from: string, to: string) {
    super(`a task cannot go from ${from} to ${to}`);
  }
}

export interface TaskState {
  readonly lastStatus: TaskStatus;
  readonly desiredStatus: DesiredTaskStatus;
}

/**
 * Applies a lastStatus reported by the agent. A report that would move the task backwards is
 * stale (reports can be retried after later ones landed) and is ignored rather than refused; a
 * report after STOPPED changes nothing.
 */
export function applyReportedStatus(state: TaskState, reported: TaskStatus): TaskState {
  if (!canTransition(state.lastStatus, reported)) return state;
  return {
    lastStatus: reported,
    desiredStatus: reported === 'STOPPED' ? 'STOPPED' : state.desiredStatus,
  };
}

/** Asks a task to stop: desiredStatus STOPPED (idempotent). */
export function requestStop(state: TaskState): TaskState {
  return { ...state, desiredStatus: 'STOPPED' };
}

/** Moves a task to a status the control plane decides itself (e.g. STOPPED with no agent to run it). */
export function transition(state: TaskState, to: TaskStatus): TaskState {
  if (!canTransition(state.lastStatus, to)) throw new IllegalTransitionError(state.lastStatus, to);
  return { lastStatus: to, desiredStatus: to === 'STOPPED' ? 'STOPPED' : state.desiredStatus };
}

/** How long a STOPPED task stays describable (AWS: at least one hour). */
export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;
