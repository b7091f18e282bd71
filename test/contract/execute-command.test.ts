import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import {
  EXEC_LOGGING_STATEMENTS,
  EXEC_ROLE_STATEMENTS,
  executeCommand,
  IDLE_WITH_APPLETS,
} from '../../testing/ecs-exec.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { createExecutionRole } from '../../testing/execution-role.ts';
import { createTaskRole } from '../../testing/role-probe.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

// ECS Exec on managed (FARGATE) capacity, driven as a user drives it: the AWS CLI v2 and AWS's
// session-manager-plugin under a pseudo-terminal, against a busybox task.

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

describe('ECS Exec: aws ecs execute-command in a FARGATE task', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `exec-${suffix}`;
  const logGroup = `/berth/exec-${suffix}`;
  let taskArn = '';
  let plainTaskArn = '';
  let rolelessTaskArn = '';
  let runtimeId = '';
  let roleArn = '';
  let imageTag = '';

  const runTask = async (family: string, enableExecuteCommand: boolean): Promise<string> => {
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: family,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
        enableExecuteCommand,
      }),
    );
    assert.deepEqual(failures, []);
    return tasks![0]!.taskArn!;
  };

  before(async () => {
    server = await startTestServer();
    const client = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(client);
    logs = new CloudWatchLogsClient(client);
    const iam = new IAMClient(client);
    // The task role logs the sessions' output, as the SSM agent in an ECS task does.
    roleArn = await createTaskRole(iam, `exec-${suffix}`, [...EXEC_ROLE_STATEMENTS, ...EXEC_LOGGING_STATEMENTS]);
    const noChannels = await createTaskRole(iam, `exec-none-${suffix}`, []);
    iam.destroy();
    await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
    await ecs.send(
      new CreateClusterCommand({
        clusterName: cluster,
        configuration: {
          executeCommandConfiguration: { logging: 'OVERRIDE', logConfiguration: { cloudWatchLogGroupName: logGroup } },
        },
      }),
    );
    const image = await docker.buildBusyboxImage(`berth-exec-${suffix}:1`);
    imageTag = image.tag;
    const family = `exec-${suffix}`;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        taskRoleArn: roleArn,
        containerDefinitions: [{ name: 'app', image: image.tag, essential: true, command: IDLE_WITH_APPLETS }],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${family}-none`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        taskRoleArn: noChannels,
        containerDefinitions: [{ name: 'app', image: image.tag, essential: true, command: IDLE_WITH_APPLETS }],
      }),
    );
    rolelessTaskArn = await runTask(`${family}-none`, true);
    taskArn = await runTask(family, true);
    plainTaskArn = await runTask(family, false);
    const running = await waitForTask(
      ecs,
      cluster,
      taskArn,
      (t) => t.containers?.[0]?.managedAgents?.[0]?.lastStatus === 'RUNNING',
      90_000,
    );
    runtimeId = running.containers![0]!.runtimeId!;
  });

  after(async () => {
    ecs?.destroy();
    logs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await removeClusterContainers(docker, `${cluster}-default`);
    await docker.cleanup();
  });

  it('shows the ExecuteCommandAgent RUNNING in DescribeTasks, and none for a task without ECS Exec', async () => {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn, plainTaskArn] }));
    const [agent] = tasks![0]!.containers![0]!.managedAgents!;
    assert.equal(agent?.name, 'ExecuteCommandAgent');
    assert.ok(agent?.lastStartedAt instanceof Date);
    assert.equal(tasks![0]!.enableExecuteCommand, true);
    assert.equal(tasks![1]!.containers![0]!.managedAgents, undefined);
  });

  it('runs echo and cat /etc/hostname, and ends when the command exits', async () => {
    const hostname = (await docker.docker(['exec', runtimeId, 'cat', '/etc/hostname'])).stdout.trim();
    assert.ok(hostname);
    const cat = await executeCommand(server, {
      cluster,
      task: taskArn,
      container: 'app',
      command: 'cat /etc/hostname',
    });
    assert.equal(cat.code, 0, cat.output);
    assert.match(cat.output, /Starting session with SessionId: ecs-execute-command-[0-9a-f]+/);
    assert.ok(cat.output.includes(hostname), cat.output);
    const echo = await executeCommand(server, { cluster, task: taskArn, command: 'echo hello-from-exec' });
    assert.equal(echo.code, 0, echo.output);
    assert.match(echo.output, /hello-from-exec/);
  });

  it('runs an interactive sh that reads input and exits', async () => {
    const run = await executeCommand(
      server,
      { cluster, task: taskArn, container: 'app', command: 'sh' },
      {
        steps: [
          // busybox's prompt, then its cursor-position query, which nobody answers here.
          { waitFor: '/ # ', write: 'echo $((6 * 7))-answer\r' },
          { waitFor: '42-answer', write: 'exit\r' },
        ],
      },
    );
    assert.equal(run.timedOut, false, run.output);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /42-answer/);
  });

  it("logs the session's output to the cluster's log group, in a stream named by the session", async () => {
    const run = await executeCommand(server, { cluster, task: taskArn, command: 'echo logged-output-marker' });
    assert.equal(run.code, 0, run.output);
    const sessionId = /SessionId: (ecs-execute-command-[0-9a-f]+)/.exec(run.output)![1]!;
    let messages = '';
    for (let i = 0; i < 100 && !messages.includes('logged-output-marker'); i++) {
      const events = await logs
        .send(new GetLogEventsCommand({ logGroupName: logGroup, logStreamName: sessionId }))
        .catch(() => ({ events: [] }));
      messages = (events.events ?? []).map((e) => e.message).join('');
      if (!messages.includes('logged-output-marker')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(messages, /logged-output-marker/);
  });

  it("logs to the container's awslogs group when the cluster's logging is DEFAULT", async () => {
    const group = `${logGroup}-default`;
    const plainCluster = `${cluster}-default`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await ecs.send(new CreateClusterCommand({ clusterName: plainCluster }));
    const executionRoleArn = await createExecutionRole(server);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `exec-${suffix}-logged`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        taskRoleArn: roleArn,
        executionRoleArn,
        containerDefinitions: [
          {
            name: 'app',
            image: imageTag,
            essential: true,
            command: IDLE_WITH_APPLETS,
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' },
            },
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: plainCluster,
        taskDefinition: `exec-${suffix}-logged`,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
        enableExecuteCommand: true,
      }),
    );
    const logged = tasks![0]!.taskArn!;
    await waitForTask(
      ecs,
      plainCluster,
      logged,
      (t) => t.containers?.[0]?.managedAgents?.[0]?.lastStatus === 'RUNNING',
      90_000,
    );
    const run = await executeCommand(server, {
      cluster: plainCluster,
      task: logged,
      command: 'echo default-logging-marker',
    });
    assert.equal(run.code, 0, run.output);
    const sessionId = /SessionId: (ecs-execute-command-[0-9a-f]+)/.exec(run.output)![1]!;
    let messages = '';
    for (let i = 0; i < 100 && !messages.includes('default-logging-marker'); i++) {
      const events = await logs
        .send(new GetLogEventsCommand({ logGroupName: group, logStreamName: sessionId }))
        .catch(() => ({ events: [] }));
      messages = (events.events ?? []).map((e) => e.message).join('');
      if (!messages.includes('default-logging-marker')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(messages, /default-logging-marker/);
  });

  it("refuses enableExecuteCommand for a task without a task role, in ECS's words", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `exec-${suffix}-bare`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: imageTag, essential: true, command: IDLE_WITH_APPLETS }],
      }),
    );
    await assert.rejects(runTask(`exec-${suffix}-bare`, true), {
      name: 'InvalidParameterException',
      message:
        'The execute command failed because a valid task role is not being used. Specify a valid task role in your task definition or as a task override and try again.',
    });
  });

  it("refuses a task started without enableExecuteCommand, and a non-interactive command, in ECS's words", async () => {
    await assert.rejects(
      ecs.send(new ExecuteCommandCommand({ cluster, task: plainTaskArn, command: 'sh', interactive: true })),
      {
        name: 'InvalidParameterException',
        message:
          'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.',
      },
    );
    await assert.rejects(
      ecs.send(new ExecuteCommandCommand({ cluster, task: taskArn, command: 'sh', interactive: false })),
      {
        name: 'InvalidParameterException',
        message: 'Interactive is the only mode supported currently.',
      },
    );
  });

  it('answers TargetNotConnectedException when the task role does not allow the ssmmessages channels', async () => {
    await waitForTask(
      ecs,
      cluster,
      rolelessTaskArn,
      (t) => t.containers?.[0]?.managedAgents?.[0]?.lastStatus === 'RUNNING',
      90_000,
    );
    await assert.rejects(
      ecs.send(new ExecuteCommandCommand({ cluster, task: rolelessTaskArn, command: 'sh', interactive: true })),
      {
        name: 'TargetNotConnectedException',
        message: 'The execute command failed due to an internal error. Try again later.',
      },
    );
  });

  it('denies a user without ecs:ExecuteCommand, and lets one with it open a session', async () => {
    const reader = await createUser(server, `reader-${suffix}`, { statements: [allowStatement('ecs:DescribeTasks')] });
    const denied = await executeCommand(
      server,
      { cluster, task: taskArn, command: 'echo no' },
      { credentials: reader },
    );
    assert.notEqual(denied.code, 0);
    assert.match(denied.output, /AccessDeniedException/);
    assert.match(denied.output, /ecs:ExecuteCommand/);
    // The CLI describes the task before it asks for the session.
    const operator = await createUser(server, `operator-${suffix}`, {
      statements: [allowStatement('ecs:DescribeTasks', 'ecs:ExecuteCommand')],
    });
    const allowed = await executeCommand(
      server,
      { cluster, task: taskArn, command: 'echo yes-allowed' },
      { credentials: operator },
    );
    assert.equal(allowed.code, 0, allowed.output);
    assert.match(allowed.output, /yes-allowed/);
  });
});
