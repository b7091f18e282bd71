import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import {
  EXEC_LOGGING_STATEMENTS,
  EXEC_ROLE_STATEMENTS,
  executeCommand,
  IDLE_WITH_APPLETS,
} from '../../testing/ecs-exec.ts';
import { createTaskRole } from '../../testing/role-probe.ts';
import { spawnServer, type ServerProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers, waitForTask } from '../../testing/tasks.ts';
import { createLogger } from '../../src/shared/logger.ts';

// Each ECS Exec session is a Session Manager session, seen as AWS shows it: `aws ssm
// describe-sessions` lists it, `aws ssm terminate-session` ends it, the history outlives a
// restart; and the session's output is logged with the task role's permissions.

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

interface Server {
  readonly url: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

interface SessionsAnswer {
  Sessions: {
    SessionId: string;
    Target: string;
    Status: string;
    Owner: string;
    DocumentName: string;
    StartDate: string;
    EndDate?: string;
  }[];
}

async function ssm<T>(server: Server, ...args: string[]): Promise<T> {
  const result = await aws(['--endpoint-url', server.url, '--output', 'json', 'ssm', ...args], {
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
  });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout || '{}') as T;
}

const describeSession = (server: Server, state: 'Active' | 'History', sessionId: string) =>
  ssm<SessionsAnswer>(server, 'describe-sessions', '--state', state, '--filters', `key=SessionId,value=${sessionId}`);

const sessionIdIn = (output: string): string => /SessionId: (ecs-execute-command-[0-9a-f]+)/.exec(output)![1]!;

/** A cluster logging sessions to `logGroup`, and a RUNNING FARGATE task with ECS Exec per role. */
async function execTasks(
  server: Server,
  docker: DockerSession,
  names: { cluster: string; logGroup: string; family: string },
  roles: readonly string[],
): Promise<Task[]> {
  const client = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
  const ecs = new ECSClient(client);
  const logs = new CloudWatchLogsClient(client);
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup }));
    await ecs.send(
      new CreateClusterCommand({
        clusterName: names.cluster,
        configuration: {
          executeCommandConfiguration: {
            logging: 'OVERRIDE',
            logConfiguration: { cloudWatchLogGroupName: names.logGroup },
          },
        },
      }),
    );
    const image = await docker.buildBusyboxImage(`berth-${names.family}:1`);
    const tasks: Task[] = [];
    for (const [i, roleArn] of roles.entries()) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `${names.family}-${i}`,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          taskRoleArn: roleArn,
          containerDefinitions: [{ name: 'app', image: image.tag, essential: true, command: IDLE_WITH_APPLETS }],
        }),
      );
      const { tasks: started } = await ecs.send(
        new RunTaskCommand({
          cluster: names.cluster,
          taskDefinition: `${names.family}-${i}`,
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
          enableExecuteCommand: true,
        }),
      );
      tasks.push(
        await waitForTask(
          ecs,
          names.cluster,
          started![0]!.taskArn!,
          (t) => t.containers?.[0]?.managedAgents?.[0]?.lastStatus === 'RUNNING',
          90_000,
        ),
      );
    }
    return tasks;
  } finally {
    ecs.destroy();
    logs.destroy();
  }
}

const targetOf = (cluster: string, task: Task): string =>
  `ecs:${cluster}_${task.taskArn!.split('/').at(-1)}_${task.containers![0]!.runtimeId}`;

describe('ECS Exec sessions in SSM: describe-sessions, terminate-session, logging as the task role', { skip }, () => {
  let server: TestServer;
  const serverLog: string[] = [];
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `exec-ssm-${suffix}`;
  const logGroup = `/berth/exec-ssm-${suffix}`;
  let logged: Task;
  let unlogged: Task;
  let owner = '';

  before(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        serverLog.push(chunk.toString('utf8'));
        done();
      },
    });
    server = await startTestServer({}, { logger: createLogger('info', capture) });
    const iam = new IAMClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    const logging = await createTaskRole(iam, `exec-ssm-${suffix}`, [
      ...EXEC_ROLE_STATEMENTS,
      ...EXEC_LOGGING_STATEMENTS,
    ]);
    // ECS Exec's channels, but no logs permissions.
    const quiet = await createTaskRole(iam, `exec-ssm-quiet-${suffix}`, EXEC_ROLE_STATEMENTS);
    iam.destroy();
    [logged, unlogged] = (await execTasks(server, docker, { cluster, logGroup, family: `exec-ssm-${suffix}` }, [
      logging,
      quiet,
    ])) as [Task, Task];
    const identity = await aws(['--endpoint-url', server.url, '--output', 'json', 'sts', 'get-caller-identity'], {
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    owner = (JSON.parse(identity.stdout) as { Arn: string }).Arn;
  });

  after(async () => {
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('lists a finished session under History: its target, owner, document and dates', async () => {
    const opened = new Date(Date.now() - 1000);
    const run = await executeCommand(server, { cluster, task: logged.taskArn!, command: 'echo history-marker' });
    assert.equal(run.code, 0, run.output);
    const sessionId = sessionIdIn(run.output);
    let answer: SessionsAnswer = { Sessions: [] };
    for (let i = 0; i < 50 && answer.Sessions[0]?.Status !== 'Terminated'; i++) {
      answer = await describeSession(server, 'History', sessionId);
      if (answer.Sessions[0]?.Status !== 'Terminated') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [session] = answer.Sessions;
    assert.equal(session?.SessionId, sessionId);
    assert.equal(session.Status, 'Terminated');
    assert.equal(session.Target, targetOf(cluster, logged));
    assert.equal(session.Owner, owner);
    assert.equal(session.DocumentName, 'AmazonECS-ExecuteInteractiveCommand');
    const start = new Date(session.StartDate);
    const end = new Date(session.EndDate!);
    assert.ok(start >= opened && end >= start && end <= new Date(), `${session.StartDate} .. ${session.EndDate}`);
    assert.deepEqual((await describeSession(server, 'Active', sessionId)).Sessions, []);
    // Filtered by target and owner, and by a time after it started: there, then not.
    const byTarget = await ssm<SessionsAnswer>(
      server,
      'describe-sessions',
      '--state',
      'History',
      '--filters',
      `key=Target,value=${session.Target}`,
      `key=Owner,value=${owner}`,
    );
    assert.ok(byTarget.Sessions.some((s) => s.SessionId === sessionId));
    const later = await ssm<SessionsAnswer>(
      server,
      'describe-sessions',
      '--state',
      'History',
      '--filters',
      `key=InvokedAfter,value=${new Date(end.getTime() + 60_000).toISOString()}`,
    );
    assert.equal(later.Sessions.length, 0);
  });

  it('lists a live interactive session under Active; terminate-session ends it and the plugin exits', async () => {
    let active: SessionsAnswer = { Sessions: [] };
    // The plugin exits as the session ends, which can be before the CLI's answer is read.
    let terminated: Promise<{ SessionId?: string }> | undefined;
    const run = await executeCommand(
      server,
      { cluster, task: logged.taskArn!, command: 'sh' },
      {
        steps: [
          {
            waitFor: '/ # ',
            run: async (terminal) => {
              const sessionId = sessionIdIn(terminal.output.text());
              active = await describeSession(server, 'Active', sessionId);
              terminated = ssm(server, 'terminate-session', '--session-id', sessionId);
              await terminated;
            },
          },
        ],
        timeoutMs: 60_000,
      },
    );
    assert.equal(run.timedOut, false, run.output);
    assert.equal(run.code, 0, run.output);
    const sessionId = sessionIdIn(run.output);
    assert.equal(active.Sessions[0]?.Status, 'Connected');
    assert.equal(active.Sessions[0]?.Target, targetOf(cluster, logged));
    assert.equal(active.Sessions[0]?.EndDate, undefined);
    assert.equal((await terminated)?.SessionId, sessionId);
    assert.match(run.output, /Exiting session with sessionId/);
    const [ended] = (await describeSession(server, 'History', sessionId)).Sessions;
    assert.equal(ended?.Status, 'Terminated');
    assert.ok(ended.EndDate);
    // Terminating it again, or an id nobody opened: answered with the id, as SSM does.
    assert.deepEqual(await ssm(server, 'terminate-session', '--session-id', sessionId), { SessionId: sessionId });
    assert.deepEqual(await ssm(server, 'terminate-session', '--session-id', 'nobody-0123'), {
      SessionId: 'nobody-0123',
    });
  });

  it('does not log the output of a task whose role may not write logs, and the session still works', async () => {
    const run = await executeCommand(server, { cluster, task: unlogged.taskArn!, command: 'echo unlogged-marker' });
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /unlogged-marker/);
    const sessionId = sessionIdIn(run.output);
    const logs = new CloudWatchLogsClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    try {
      let warned = false;
      for (let i = 0; i < 50 && !warned; i++) {
        warned = serverLog.some((line) => line.includes(sessionId) && line.includes('session output not logged'));
        if (!warned) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const warning = serverLog.find((line) => line.includes(sessionId) && line.includes('not logged'));
      assert.match(warning ?? '', /the task role may not write to the log group/);
      assert.match(warning ?? '', /logs:CreateLogStream/);
      await assert.rejects(logs.send(new GetLogEventsCommand({ logGroupName: logGroup, logStreamName: sessionId })), {
        name: 'ResourceNotFoundException',
      });
    } finally {
      logs.destroy();
    }
  });
});

describe('ECS Exec session history across a restart of the server process', { skip }, () => {
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `exec-restart-${suffix}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-exec-restart-'));
  const root = {
    BERTH_ROOT_ACCESS_KEY_ID: 'AKIAEXECRESTART00000',
    BERTH_ROOT_SECRET_ACCESS_KEY: `exec-restart-secret-${suffix}`,
  };
  const env = { BERTH_DATA_DIR: dataDir, BERTH_TLS_PORT: 'off', ...root };
  const credentials = {
    accessKeyId: root.BERTH_ROOT_ACCESS_KEY_ID,
    secretAccessKey: root.BERTH_ROOT_SECRET_ACCESS_KEY,
  };
  let process: ServerProcess | undefined;

  after(async () => {
    process?.child.kill('SIGKILL');
    await process?.exited;
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the history, and shows a session live when the server was killed as Terminated', async () => {
    process = await spawnServer(env);
    let server: Server = { url: process.url, credentials };
    const iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const role = await createTaskRole(iam, `exec-restart-${suffix}`, EXEC_ROLE_STATEMENTS);
    iam.destroy();
    const [task] = await execTasks(
      server,
      docker,
      { cluster, logGroup: `/berth/exec-restart-${suffix}`, family: `exec-restart-${suffix}` },
      [role],
    );
    const finished = await executeCommand(server, { cluster, task: task!.taskArn!, command: 'echo before-restart' });
    assert.equal(finished.code, 0, finished.output);
    const finishedId = sessionIdIn(finished.output);
    // An interactive session open while the server is killed: the plugin loses its stream.
    let liveId = '';
    const killed = process;
    await executeCommand(
      server,
      { cluster, task: task!.taskArn!, command: 'sh' },
      {
        steps: [
          {
            waitFor: '/ # ',
            run: async (terminal) => {
              liveId = sessionIdIn(terminal.output.text());
              assert.equal((await describeSession(server, 'Active', liveId)).Sessions[0]?.Status, 'Connected');
              killed.child.kill('SIGKILL');
              await killed.exited;
            },
          },
        ],
        timeoutMs: 20_000,
      },
    );
    assert.ok(liveId);
    process = await spawnServer(env);
    server = { url: process.url, credentials };
    const [kept] = (await describeSession(server, 'History', finishedId)).Sessions;
    assert.equal(kept?.Status, 'Terminated');
    const [live] = (await describeSession(server, 'History', liveId)).Sessions;
    assert.equal(live?.Status, 'Terminated');
    assert.ok(new Date(live.EndDate!) >= new Date(live.StartDate));
    assert.deepEqual((await describeSession(server, 'Active', liveId)).Sessions, []);
  });
});
