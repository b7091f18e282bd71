/**
 * Task scale-in protection (UpdateTaskProtection, GetTaskProtection): a service task that is
 * protected is not stopped by the service's scale-in or by a deployment until its protection is
 * cleared or expires (1 to 2880 minutes, 120 by default). The expiry is kept in the task's stored
 * details (`berth.protectedUntil`, epoch ms), so it survives a restart; an expired one is simply
 * ignored, as ECS clears protectionEnabled when the period lapses.
 */
import { parseArn } from '../shared/arn.ts';
import { rootPrincipal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { TaskRecord } from '../store/index.ts';
import { requireCluster } from './clusters.ts';
import { InvalidParameterException } from './errors.ts';
import type {
  Failure,
  GetTaskProtectionRequest,
  GetTaskProtectionResponse,
  ProtectedTask,
  UpdateTaskProtectionRequest,
  UpdateTaskProtectionResponse,
} from './shapes.generated.ts';
import type { TaskDeps } from './task-deps.ts';
import { taskArn, taskIdOf } from './tasks.ts';

export const DEFAULT_PROTECTION_MINUTES = 120;
export const MAX_PROTECTION_MINUTES = 2880;
/** ECS's limit on tasks per UpdateTaskProtection or GetTaskProtection call. */
const MAX_TASKS = 10;

/** When the task's protection lapses (epoch ms); undefined when it is not protected, or no longer. */
export function protectedUntil(task: TaskRecord, now: Date): number | undefined {
  const until = (task.body as { berth?: { protectedUntil?: number } }).berth?.protectedUntil;
  return until !== undefined && until > now.getTime() ? until : undefined;
}

export const isProtected = (task: TaskRecord, now: Date): boolean => protectedUntil(task, now) !== undefined;

function view(task: TaskRecord, now: Date): ProtectedTask {
  const until = protectedUntil(task, now);
  return {
    taskArn: task.arn,
    protectionEnabled: until !== undefined,
    ...(until !== undefined ? { expirationDate: new Date(until) } : {}),
  };
}

/**
 * The tasks named, and a failure for each one that cannot be protected: MISSING (no such task, or
 * stopped) or TASK_NOT_VALID (not a service's), the reasons ECS gives.
 */
async function resolve(
  deps: TaskDeps,
  cluster: string,
  references: readonly string[],
  context: RequestContext,
): Promise<{ tasks: TaskRecord[]; failures: Failure[] }> {
  if (references.length > MAX_TASKS) throw new InvalidParameterException(`tasks can have at most ${MAX_TASKS} items.`);
  const ids = references.map(taskIdOf);
  const found = new Map((await deps.store.tasks.get(cluster, ids)).map((t) => [t.id, t]));
  const tasks: TaskRecord[] = [];
  const failures: Failure[] = [];
  for (const [i, id] of ids.entries()) {
    const task = found.get(id);
    const arn = task?.arn ?? (references[i]!.startsWith('arn:') ? references[i]! : taskArn(context, cluster, id));
    if (!task || task.desiredStatus === 'STOPPED') failures.push({ arn, reason: 'MISSING' });
    else if (!task.serviceName)
      failures.push({ arn, reason: 'TASK_NOT_VALID', detail: 'The task is not part of a service.' });
    else tasks.push(task);
  }
  return { tasks, failures };
}

export async function updateTaskProtection(
  deps: TaskDeps,
  input: UpdateTaskProtectionRequest,
  context: RequestContext,
): Promise<UpdateTaskProtectionResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const minutes = input.expiresInMinutes ?? DEFAULT_PROTECTION_MINUTES;
  if (input.protectionEnabled && (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_PROTECTION_MINUTES))
    throw new InvalidParameterException(
      `expiresInMinutes must be between 1 and ${MAX_PROTECTION_MINUTES} minutes (48 hours).`,
    );
  if (input.tasks.length === 0) throw new InvalidParameterException('Tasks cannot be empty.');
  const { tasks, failures } = await resolve(deps, cluster.name, input.tasks, context);
  const protectedTasks: ProtectedTask[] = [];
  for (const task of tasks) {
    // Each call sets the period afresh (ECS: "expiresInMinutes is always reset").
    const updated = await deps.taskLocks.run(task.id, async () => {
      const [current] = await deps.store.tasks.get(cluster.name, [task.id]);
      if (!current) return undefined;
      const { protectedUntil: _previous, ...berth } = (current.body as { berth?: Record<string, unknown> }).berth ?? {};
      void _previous;
      const now = deps.clock.now();
      const until = input.protectionEnabled ? { protectedUntil: now.getTime() + minutes * 60_000 } : {};
      const next = { ...current, body: { ...current.body, berth: { ...berth, ...until } } };
      await deps.store.tasks.update(next);
      return next;
    });
    if (updated) protectedTasks.push(view(updated, deps.clock.now()));
    else failures.push({ arn: task.arn, reason: 'MISSING' });
  }
  // A task whose protection was cleared frees the scheduler to scale in now.
  if (!input.protectionEnabled) deps.serviceChanged?.();
  return { protectedTasks, failures };
}

export async function getTaskProtection(
  deps: TaskDeps,
  input: GetTaskProtectionRequest,
  context: RequestContext,
): Promise<GetTaskProtectionResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const { tasks, failures } = await resolve(deps, cluster.name, input.tasks ?? [], context);
  const now = deps.clock.now();
  return { protectedTasks: tasks.map((task) => view(task, now)), failures };
}

/**
 * The service tasks under protection now, for a scheduler pass. The pass's records carry no
 * details, so whole ones are read, and only when a pass may stop a task to scale in or deploy
 * (more tasks than desired, or an older deployment left); `whole` are ones already read.
 */
export async function protectedTaskIds(
  deps: TaskDeps,
  tasks: readonly TaskRecord[],
  at: {
    readonly desiredCount: number | undefined;
    readonly deployments: number;
    readonly whole?: readonly TaskRecord[] | undefined;
  },
): Promise<ReadonlySet<string>> {
  const [first] = tasks;
  if (!first || (tasks.length <= (at.desiredCount ?? 0) && at.deployments <= 1)) return new Set();
  const records =
    at.whole ??
    (await deps.store.tasks.get(
      first.cluster,
      tasks.map((t) => t.id),
    ));
  const now = deps.clock.now();
  return new Set(records.filter((t) => isProtected(t, now)).map((t) => t.id));
}

/**
 * What an agent's task protection endpoint (ECS_AGENT_URI/task-protection/v1/state) asks for one
 * of its own tasks: GetTaskProtection without `change`, else UpdateTaskProtection, with the
 * operations' own rules and answers. The agent has already identified the calling task.
 */
export function agentTaskProtection(
  deps: TaskDeps,
  task: { readonly cluster: string; readonly taskArn: string },
  change?: { readonly protectionEnabled: boolean; readonly expiresInMinutes?: number | undefined },
): Promise<UpdateTaskProtectionResponse> {
  const arn = parseArn(task.taskArn);
  if (!arn) throw new InvalidParameterException('Invalid task ARN.');
  const context: RequestContext = {
    requestId: 'task-protection-endpoint',
    accountId: arn.accountId,
    region: arn.region,
    accessKeyId: '',
    principal: rootPrincipal(arn.accountId),
  };
  const target = { cluster: task.cluster, tasks: [task.taskArn] };
  return change
    ? updateTaskProtection(deps, { ...target, ...change }, context)
    : getTaskProtection(deps, target, context);
}
