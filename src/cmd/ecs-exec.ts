import type { IncomingMessage } from 'node:http';
import type { DataChannelSocket, ExecStreamLink } from '../agent/index.ts';
import { verifySignature, type SecretLookup } from '../aws-protocol/index.ts';
import { ExecSessionHistory, ExecSessions, type ExecuteCommandSupport } from '../ecs/index.ts';
import { callerAddress } from '../http/index.ts';
import type { IamDirectory } from '../iam/index.ts';
import { formatArn } from '../shared/arn.ts';
import type { AccessControl } from '../shared/authorization.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Principal } from '../shared/principal.ts';
import type { MetadataStore } from '../store/index.ts';
import { ExecRelay, PLUGIN_STREAM_PATH } from './exec-relay.ts';
import { schedulePeriodic, type LoopLease } from './periodic.ts';

/** What ECS requires of a task role for ECS Exec: the SSM agent's channels. */
const CHANNEL_ACTIONS = [
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

export interface EcsExecOptions {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly region: string;
  readonly accountId: string;
  /** Bound once IAM has loaded and the protocols exist (before any request). */
  readonly iam: () => IamDirectory;
  readonly secrets: () => SecretLookup;
  readonly accessControl: () => AccessControl;
}

export interface EcsExec {
  /** TaskDeps.execute. */
  readonly support: ExecuteCommandSupport;
  /** The front door's upgrade route. */
  readonly relay: ExecRelay;
  /** Managed capacity's way into a session: in process. */
  readonly managedLink: (agentKey: string) => ExecStreamLink;
  /** Whether managed capacity's runtime can exec (known once it started). */
  managedCanExec: boolean;
  /** Each session as SSM's DescribeSessions lists it (recover at start, prune periodically). */
  readonly history: ExecSessionHistory;
}

/**
 * ECS Exec on the server: sessions in memory (one server's; not shared between servers yet), the
 * relay the streams meet in, the task role check decided by the policy evaluator, and each session
 * recorded in the server's log (who, which task and container, which command), CloudTrail-like,
 * and in the store as the Session Manager session SSM's DescribeSessions lists.
 */
export function ecsExec(options: EcsExecOptions): EcsExec {
  const sessions = new ExecSessions(options.clock);
  const log = options.logger.child({ component: 'ecs-exec' });
  const history = new ExecSessionHistory(options.store, options.clock, log);
  const relay = new ExecRelay({
    sessions,
    log,
    authorizeAgent: (request) => authorizeAgent(options, request),
    onConnected: (sessionId) => history.connected(sessionId),
    onEnded: (sessionId, ended) => history.ended(sessionId, ended),
  });
  const exec: EcsExec = {
    managedCanExec: false,
    history,
    relay,
    managedLink: (agentKey) => (session) => Promise.resolve(inProcessSocket(relay, session.sessionId, agentKey)),
    support: {
      sessions,
      managedCanExec: () => exec.managedCanExec,
      roleOpensChannels: (roleArn) => roleOpensChannels(options, roleArn),
      streamUrl: (sessionId, context) =>
        `${context.secureTransport ? 'wss' : 'ws'}://${context.host ?? 'localhost'}${PLUGIN_STREAM_PATH}${sessionId}`,
      terminate: (sessionId) => relay.terminate(sessionId),
      opened: async (session) => {
        await history.opened(session);
        log.info(
          {
            eventName: 'ExecuteCommand',
            sessionId: session.sessionId,
            principal: session.principalArn,
            cluster: session.cluster,
            task: session.taskArn,
            container: session.containerName,
            command: session.command,
            ...(session.log ? { logGroup: session.log.group, logStream: session.log.stream } : {}),
          },
          'execute command session opened',
        );
      },
    },
  };
  return exec;
}

/**
 * At start, ends what a previous run left live; then prunes the sessions' history (SSM keeps 30
 * days) every hour. Stopping it also stops the sessions' expiry timers, and idle() waits for the
 * history writes asked for so far.
 */
export async function scheduleSessionHistory(
  history: ExecSessionHistory,
  logger: Logger,
  options: { lease?: LoopLease | undefined } = {},
) {
  await history.recover();
  const prune = () => history.prune();
  const periodic = schedulePeriodic('execute command session history', 60 * 60 * 1000, prune, logger, options);
  return {
    ...periodic,
    stop: () => {
      periodic.stop();
      history.close();
    },
    idle: async () => {
      await periodic.idle();
      await history.settled();
    },
  };
}

/** Whether a session of the role may open the SSM agent's channels: the role's own policies decide. */
async function roleOpensChannels(options: EcsExecOptions, roleArn: string): Promise<boolean> {
  const role = options.iam().roleByArn(roleArn);
  if (!role) return false;
  const sessionName = 'ecs-execute-command';
  const principal: Principal = {
    arn: `arn:aws:sts::${options.accountId}:assumed-role/${role.name}/${sessionName}`,
    root: false,
    kind: 'assumed-role',
    accountId: options.accountId,
    userId: `${role.roleId}:${sessionName}`,
    session: {
      roleArn: role.arn,
      roleName: role.name,
      sessionName,
      expiresAt: new Date(options.clock.now().getTime() + 3_600_000),
    },
  };
  try {
    await options.accessControl().authorize(
      { principal },
      CHANNEL_ACTIONS.map((action) => ({ action, resource: '*' })),
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * An agent joining a session: its signature (service ecs), then ecs:Poll on the container instance
 * it names (`?cluster=…&containerInstance=…`), as its poll is authorized; resolves with the
 * instance's id, which must be the session's.
 */
async function authorizeAgent(options: EcsExecOptions, request: IncomingMessage): Promise<string> {
  const url = new URL(request.url ?? '/', 'http://berth');
  const query = Object.fromEntries(url.searchParams);
  const cluster = query.cluster ?? 'default';
  const instance = query.containerInstance ?? '';
  const path = (request.url ?? '/').split('?', 1)[0]!;
  const denied = (message: string) => Object.assign(new Error(message), { status: 403 });
  const caller = await verifySignature(
    { method: 'GET', path, query, headers: request.headers as Record<string, string>, body: new Uint8Array(0) },
    { secrets: options.secrets(), clock: options.clock, region: options.region, service: 'ecs' },
  ).catch((error: unknown) => {
    throw denied(error instanceof Error ? error.message : 'the signature is not valid');
  });
  const principal = options.secrets().principalOf(caller.accessKeyId);
  if (!principal) throw denied('The access key is not known.');
  const clusterName = cluster.startsWith('arn:') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
  const scope = { region: options.region, accountId: options.accountId };
  const instanceId = instance.split('/').at(-1) ?? '';
  const resource = instance.startsWith('arn:')
    ? instance
    : formatArn('ecs', scope, `container-instance/${clusterName}/${instanceId}`);
  await options
    .accessControl()
    .authorize({ principal, ...callerAddress(request) }, [
      {
        action: 'ecs:Poll',
        resource,
        conditions: { 'ecs:cluster': formatArn('ecs', scope, `cluster/${clusterName}`) },
      },
    ])
    .catch((error: unknown) => {
      throw denied(error instanceof Error ? error.message : 'denied');
    });
  return instanceId;
}

/** Managed capacity's side of a session, joined in the relay without a network hop. */
function inProcessSocket(relay: ExecRelay, sessionId: string, agentKey: string): DataChannelSocket {
  const inbox: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const end = relay.joinInProcess(sessionId, agentKey, {
    send: (data) => {
      inbox.push(new Uint8Array(data));
      notify();
    },
    close: () => {
      ended = true;
      notify();
    },
  });
  if (!end) throw new Error('the session is not waiting for this agent');
  async function* messages(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = inbox.shift();
      if (next) yield next;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return { send: (message) => end.send(Buffer.from(message)), messages: messages(), close: () => end.close() };
}
