export { logsOperations } from './operations.ts';
export { logsAccess } from './access.ts';
export { logsMembers } from './members.ts';
export type { LogsDeps } from './log-groups.ts';
export { InvalidParameterException } from './errors.ts';
export * as logsErrors from './errors.ts';
export {
  awslogsStreamName,
  createLogAppender,
  type AppendLogEventsOptions,
  type AppendLogEventsReport,
  type LogAppender,
  type LogEventInput,
} from './append-log-events.ts';
export { pruneExpiredLogEvents } from './retention.ts';
export type * from './shapes.generated.ts';
export { logsResourceTags } from './resource-tags.ts';
