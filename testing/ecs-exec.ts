import { runUnderPty, SESSION_MANAGER_PLUGIN_DIR, type PtyRun, type PtyStep } from './session-manager-plugin.ts';
import { AWS_CLI } from './aws-cli.ts';

/** A shell word: the argument as the shell gets it back. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `aws ecs execute-command --interactive` against a server, as a user runs it: under a pty, with
 * AWS's session-manager-plugin on PATH, as `credentials` (the root's unless given).
 */
export function executeCommand(
  server: { url: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  target: { cluster: string; task: string; container?: string; command: string },
  options: {
    steps?: readonly PtyStep[];
    timeoutMs?: number;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } = {},
): Promise<PtyRun> {
  const credentials = options.credentials ?? server.credentials;
  const args = [
    AWS_CLI!,
    '--endpoint-url',
    server.url,
    'ecs',
    'execute-command',
    '--cluster',
    target.cluster,
    '--task',
    target.task,
    ...(target.container ? ['--container', target.container] : []),
    '--interactive',
    '--command',
    target.command,
  ];
  // A terminal has a size: `script`'s pty starts at 0x0 unless told, and the plugin sends the
  // size it finds as the session starts (a TTY's command waits briefly for it).
  return runUnderPty(`stty rows 40 cols 120 2>/dev/null; exec ${args.map(quote).join(' ')}`, {
    steps: options.steps ?? [],
    timeoutMs: options.timeoutMs ?? 60_000,
    env: {
      PATH: `${SESSION_MANAGER_PLUGIN_DIR}:${process.env.PATH ?? ''}`,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
}

/** The statements a task role needs for ECS Exec (its SSM agent's channels). */
export const EXEC_ROLE_STATEMENTS = [
  {
    Effect: 'Allow',
    Action: [
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
    ],
    Resource: '*',
  },
];

/** A container command that puts busybox's applets on /bin (so `cat`, `sh`, `echo` resolve), then idles. */
export const IDLE_WITH_APPLETS = ['sh', '-c', '/bin/busybox --install -s /bin && exec sleep 3600'];

/**
 * What a task role needs for ECS Exec to log a session's output to CloudWatch Logs (ECS's
 * "Logging and Auditing using ECS Exec": the SSM agent in the task writes it with the task role).
 */
export const EXEC_LOGGING_STATEMENTS = [
  {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:DescribeLogGroups', 'logs:PutLogEvents'],
    Resource: '*',
  },
];
