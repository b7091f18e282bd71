export {
  runExecSession,
  type DataChannelSocket,
  type ExecSessionOptions,
  type ExecSessionSpec,
} from './exec-session.ts';
export { execArgv, ExecCommandError } from './exec-argv.ts';
export { channelClosedMessage } from './agent-message.ts';
export type { ExecProcess, ExecRequest } from '../runtime.ts';
