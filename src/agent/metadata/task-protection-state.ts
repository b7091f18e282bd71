import type { Failure, ProtectedTask } from '../../ecs/index.ts';
import type { TaskProtectionControl } from '../control-plane.ts';
import type { TaskMetadataSnapshot } from './task-metadata.ts';

// The agent API's task scale-in protection: GET and PUT $ECS_AGENT_URI/task-protection/v1/state,
// answered as the ECS agent answers them (ecs-agent/tmds/handlers/taskprotection/v1): the task is
// the one whose endpoint was called, the change goes through the control plane's
// UpdateTaskProtection, and every answer is one of
//   200 {"protection": {"ExpirationDate", "ProtectionEnabled", "TaskArn"}}
//   200 {"failure": {"Arn", "Detail", "Reason"}}          (the API's failure for the task)
//   4xx/5xx {"error": {"Arn", "Code", "Message"}}          (Arn left out before the task is known)
// with the fields of the SDK's ProtectedTask and Failure as Go writes them (absent ones null).

/** How long the agent waits for the control plane (the ECS agent's ecsCallTimeout). */
export const ECS_CALL_TIMEOUT_MS = 4_000;

const TASK_NOT_FOUND = 'Failed to find a task for the request';

export interface ProtectionAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface ProtectionRequest {
  readonly method: string;
  /** PUT's body, as received. */
  readonly body: string;
}

interface Change {
  protectionEnabled?: boolean | undefined;
  expiresInMinutes?: number | undefined;
}

const errorAnswer = (status: number, code: string, message: string, arn = ''): ProtectionAnswer => ({
  status,
  body: { error: { ...(arn ? { Arn: arn } : {}), Code: code, Message: message } },
});

/**
 * Answers one call for the task whose endpoint was called (`snapshot` undefined: no such task on
 * this agent, or a token that does not match).
 */
export async function serveTaskProtection(
  request: ProtectionRequest,
  at: { readonly snapshot: TaskMetadataSnapshot | undefined; readonly control: TaskProtectionControl },
): Promise<ProtectionAnswer> {
  let change: Change | undefined;
  if (request.method === 'PUT') {
    change = decodeChange(request.body);
    if (!change) return errorAnswer(400, 'InvalidParameterException', 'UpdateTaskProtection: failed to decode request');
  } else if (request.method !== 'GET') return { status: 405, body: 'method not allowed' };
  if (!at.snapshot) return errorAnswer(404, 'ResourceNotFoundException', TASK_NOT_FOUND);
  const { taskArn, cluster, taskRoleArn } = at.snapshot.task;
  if (change && change.protectionEnabled === undefined)
    return errorAnswer(
      400,
      'InvalidParameterException',
      "Invalid request: does not contain 'ProtectionEnabled' field",
      taskArn,
    );
  // ECS calls the API with the task role's credentials, and refuses a task that has none.
  if (!taskRoleArn)
    return errorAnswer(
      403,
      'AccessDeniedException',
      'Invalid Request: no task IAM role credentials available for task',
      taskArn,
    );
  const task = { cluster, taskArn };
  let answer;
  try {
    answer = await withTimeout(
      change
        ? at.control.taskProtection(task, {
            protectionEnabled: change.protectionEnabled!,
            expiresInMinutes: change.expiresInMinutes,
          })
        : at.control.taskProtection(task),
    );
  } catch (error) {
    return apiErrorAnswer(error, taskArn);
  }
  const failures = answer.failures ?? [];
  const protectedTasks = answer.protectedTasks ?? [];
  if (failures.length > 1 || (failures.length === 0 && protectedTasks.length !== 1))
    return errorAnswer(500, 'ServerException', 'Unexpected error occurred', taskArn);
  if (failures[0]) return { status: 200, body: { failure: failureJson(failures[0]) } };
  return { status: 200, body: { protection: protectionJson(protectedTasks[0]!) } };
}

class CallTimedOut extends Error {}

async function withTimeout<T>(call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimedOut()), ECS_CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The API's error as the ECS agent relays it: its code, message and status; else a ServerException. */
function apiErrorAnswer(error: unknown, taskArn: string): ProtectionAnswer {
  const name = (error as { name?: unknown }).name;
  if (error instanceof CallTimedOut || name === 'TimeoutError' || name === 'AbortError')
    return errorAnswer(504, 'RequestCanceled', 'Timed out calling ECS Task Protection API', taskArn);
  const { code, status, senderFault, message } = error as {
    code?: unknown;
    status?: unknown;
    senderFault?: unknown;
    message?: unknown;
  };
  const text = typeof message === 'string' ? message : String(error);
  if (typeof code !== 'string') return errorAnswer(500, 'ServerException', text, taskArn);
  const httpStatus = typeof status === 'number' ? status : senderFault === false ? 500 : 400;
  return errorAnswer(httpStatus, code, text, taskArn);
}

/**
 * The PUT body as Go's json.Decoder with DisallowUnknownFields reads it into
 * {ProtectionEnabled *bool; ExpiresInMinutes *int64}: field names match case-insensitively, null
 * leaves a field unset, anything else (unknown fields, wrong types, not an object) fails.
 */
export function decodeChange(text: string): Change | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const change: Change = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const name = key.toLowerCase();
    if (name === 'protectionenabled') {
      if (field !== null && typeof field !== 'boolean') return undefined;
      change.protectionEnabled = field ?? undefined;
    } else if (name === 'expiresinminutes') {
      if (field !== null && !Number.isSafeInteger(field)) return undefined;
      change.expiresInMinutes = (field as number | null) ?? undefined;
    } else return undefined;
  }
  return change;
}

function protectionJson(task: ProtectedTask): object {
  return {
    ExpirationDate: task.expirationDate ? goTime(new Date(task.expirationDate)) : null,
    ProtectionEnabled: task.protectionEnabled ?? false,
    TaskArn: task.taskArn ?? null,
  };
}

function failureJson(failure: Failure): object {
  return { Arn: failure.arn ?? null, Detail: failure.detail ?? null, Reason: failure.reason ?? null };
}

/** RFC 3339 as Go's time.Time writes it: UTC, fractional seconds without trailing zeros. */
export function goTime(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}
