import type { LogSink, TaskRoles } from '../agent/index.ts';
import type { ExecSessionAssignment } from '../ecs/index.ts';
import type { LogAppender } from '../logs/index.ts';
import type { ServerEndpoint } from './server-endpoints.ts';
import { ServerError, signedJsonClient } from './signed-fetch.ts';

/** Managed capacity's sink: the server's own Logs store, in process. */
export function inProcessLogSink(appender: LogAppender): LogSink {
  return {
    async append(group, stream, events, options) {
      await appender.appendLogEvents(group, stream, events, options);
    },
  };
}

const TARGET = 'Logs_20140328';
const JSON_1_1 = 'application/x-amz-json-1.1';

/**
 * `berth agent`'s sink: PutLogEvents on the server's CloudWatch Logs API (SigV4, service `logs`),
 * creating the stream when the first call finds none. As Docker's awslogs driver does, the stream
 * is created first and the group (awslogs-create-group) only when the stream's creation finds no
 * group: an instance role with AmazonEC2ContainerServiceforEC2Role, which grants no
 * logs:CreateLogGroup, logs to an existing group even with awslogs-create-group set.
 */
export function httpLogSink(call: ReturnType<typeof signedJsonClient>): LogSink {
  const send = (operation: string, body: object) =>
    call('/', body, { 'x-amz-target': `${TARGET}.${operation}`, 'content-type': JSON_1_1 });
  const isCode = (error: unknown, code: string): boolean => error instanceof ServerError && error.code === code;
  const ignoreExisting = (error: unknown): void => {
    if (!isCode(error, 'ResourceAlreadyExistsException')) throw error;
  };
  return {
    async append(group, stream, events, options) {
      const put = () => send('PutLogEvents', { logGroupName: group, logStreamName: stream, logEvents: events });
      try {
        // No events: the container is starting, and only its stream (and group) are made.
        if (events.length > 0) {
          await put();
          return;
        }
      } catch (error) {
        if (!isCode(error, 'ResourceNotFoundException')) throw error;
      }
      const createStream = () => send('CreateLogStream', { logGroupName: group, logStreamName: stream });
      try {
        await createStream().catch(ignoreExisting);
      } catch (error) {
        if (!(options.createGroup && isCode(error, 'ResourceNotFoundException'))) throw error;
        await send('CreateLogGroup', { logGroupName: group }).catch(ignoreExisting);
        await createStream().catch(ignoreExisting);
      }
      if (events.length > 0) await put();
    },
  };
}

/**
 * Where an ECS Exec session's output goes: the server's CloudWatch Logs API signed with the task
 * role's session, as the SSM agent in an ECS task writes it. The policy engine decides each call
 * there, so a task role without logs:CreateLogStream and logs:PutLogEvents gets no stream (the
 * session itself goes on). Undefined when this agent holds no session of the task's role.
 */
export function taskRoleLogSinks(
  roles: Pick<TaskRoles, 'taskCredentials'>,
  server: { readonly endpoint: ServerEndpoint; readonly region: string },
): (session: ExecSessionAssignment) => LogSink | undefined {
  return (session) => {
    const credentials = roles.taskCredentials(session.taskArn);
    if (!credentials) return undefined;
    return httpLogSink(signedJsonClient({ ...server, credentials, service: 'logs' }));
  };
}
