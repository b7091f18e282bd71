import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { createTaskRole } from '../../testing/role-probe.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

// A container reaches the agent API as ECS gives it: ECS_AGENT_URI in its environment, and
// $ECS_AGENT_URI/task-protection/v1/state. The container calls it with busybox (wget for GET, nc for
// PUT: busybox wget has no --method), the AWS CLI sees the change, and a scale-in spares the task.

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

/**
 * An HTTP/1.0 call from inside the container to a path under its ECS_AGENT_URI (or to `path` as
 * given). nc's input stays open until the answer arrived: at the end of its input nc half-closes
 * the connection, which an HTTP server may take for the client going away.
 */
const CALL = `
mkdir -p /tmp; u=\${ECS_AGENT_URI#http://}; hostport=\${u%%/*}; base=/\${u#*/}; out=/tmp/answer.$$
case "$1" in /*) path=$1 ;; *) path=$base/$1 ;; esac
{
  printf '%s %s HTTP/1.0\\r\\nHost: %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\n\\r\\n%s' \\
    "$2" "$path" "$hostport" "\${#3}" "$3"
  i=0; while [ ! -s $out ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
} | nc "\${hostport%:*}" "\${hostport#*:}" > $out
cat $out; rm -f $out
`;

describe('the agent API: task protection from inside a task', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `protect-api-${randomBytes(4).toString('hex')}`;
  let cli: ReturnType<typeof awsCliFor>;

  const running = async (): Promise<string[]> =>
    (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'app', desiredStatus: 'RUNNING' }))).taskArns ?? [];
  const waitRunning = async (count: number): Promise<string[]> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const arns = await running();
      const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['app'] }))).services![0]!;
      if (arns.length === count && service.runningCount === count) return arns;
      assert.ok(Date.now() < deadline, `not ${count} running: ${JSON.stringify(arns)} ${service.runningCount}`);
      await sleep(250);
    }
  };
  /** Calls the agent API from inside the task's container: [status, JSON body]. */
  const call = async (
    runtimeId: string,
    request: { path: string; method: 'GET' | 'PUT'; body?: string },
  ): Promise<[number, Record<string, unknown>]> => {
    const script = ['exec', runtimeId, '/bin/busybox', 'sh', '-c', CALL, 'call'];
    const result = await docker.docker([...script, request.path, request.method, request.body ?? '']);
    const [head = '', body = ''] = result.stdout.split('\r\n\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d+)/.exec(head)?.[1]);
    return [status, JSON.parse(body) as Record<string, unknown>];
  };

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    cli = awsCliFor(server, 'ecs');
    const image = (await docker.buildBusyboxImage(`berth-protect-api-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
    // The task role must exist and trust ecs-tasks.amazonaws.com: its session is the task's.
    const taskRoleArn = await createTaskRole(iam, 'app', []);
    iam.destroy();
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-app`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        // ECS's agent calls the API with the task role's credentials and refuses a task without one.
        taskRoleArn,
        containerDefinitions: [{ name: 'app', image, command: ['sleep', '3600'], stopTimeout: 2 }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'app',
        taskDefinition: taskDefinition!.taskDefinitionArn!,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
  });
  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('protects the calling task, as the AWS CLI then sees, and a scale-in spares it', async () => {
    const arns = await waitRunning(2);
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
    // The newest task is the one a scale-in stops first: that one protects itself.
    const [newest, oldest] = [...tasks].sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime());
    const runtimeId = newest!.containers![0]!.runtimeId!;
    const env = await docker.docker(['exec', runtimeId, '/bin/busybox', 'sh', '-c', 'echo $ECS_AGENT_URI']);
    assert.match(env.stdout.trim(), /^http:\/\/[\d.]+:\d+\/api\/[0-9a-f]+-[0-9a-f]+$/);

    const get = await docker.docker([
      'exec',
      runtimeId,
      '/bin/busybox',
      'sh',
      '-c',
      'wget -qO- "$ECS_AGENT_URI/task-protection/v1/state"',
    ]);
    assert.deepEqual(JSON.parse(get.stdout), {
      protection: { ExpirationDate: null, ProtectionEnabled: false, TaskArn: newest!.taskArn },
    });

    const before = Date.now();
    const [status, put] = await call(runtimeId, {
      path: 'task-protection/v1/state',
      method: 'PUT',
      body: '{"ProtectionEnabled":true,"ExpiresInMinutes":60}',
    });
    assert.equal(status, 200, JSON.stringify(put));
    const protection = put.protection as Record<string, unknown>;
    assert.equal(protection.TaskArn, newest!.taskArn);
    assert.equal(protection.ProtectionEnabled, true);
    const expires = Date.parse(protection.ExpirationDate as string);
    assert.ok(Math.abs(expires - (before + 60 * 60_000)) < 30_000, String(protection.ExpirationDate));

    const seen = await cli.json<{ protectedTasks: { taskArn: string; protectionEnabled: boolean }[] }>(
      'get-task-protection',
      '--cluster',
      cluster,
      '--tasks',
      newest!.taskArn!,
      oldest!.taskArn!,
    );
    assert.deepEqual(
      seen.protectedTasks.map((t) => [t.taskArn, t.protectionEnabled]),
      [
        [newest!.taskArn, true],
        [oldest!.taskArn, false],
      ],
    );

    await ecs.send(new UpdateServiceCommand({ cluster, service: 'app', desiredCount: 1 }));
    assert.deepEqual(await waitRunning(1), [newest!.taskArn]);
  });

  it("answers the ECS agent's errors, and one task's endpoint never reaches another task", async () => {
    const [arn] = await running();
    const { tasks: [task] = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn!] }));
    const runtimeId = task!.containers![0]!.runtimeId!;
    assert.deepEqual(await call(runtimeId, { path: 'task-protection/v1/state', method: 'PUT', body: '{"on":1}' }), [
      400,
      { error: { Code: 'InvalidParameterException', Message: 'UpdateTaskProtection: failed to decode request' } },
    ]);
    assert.deepEqual(
      await call(runtimeId, { path: 'task-protection/v1/state', method: 'PUT', body: '{"ExpiresInMinutes":5}' }),
      [
        400,
        {
          error: {
            Arn: arn,
            Code: 'InvalidParameterException',
            Message: "Invalid request: does not contain 'ProtectionEnabled' field",
          },
        },
      ],
    );
    const [status, refused] = await call(runtimeId, {
      path: 'task-protection/v1/state',
      method: 'PUT',
      body: '{"ProtectionEnabled":true,"ExpiresInMinutes":2881}',
    });
    assert.equal(status, 400);
    assert.equal((refused.error as { Code: string }).Code, 'InvalidParameterException');
    // Another task's id with this task's token: not found.
    const env = await docker.docker(['exec', runtimeId, '/bin/busybox', 'sh', '-c', 'echo $ECS_AGENT_URI']);
    const token = env.stdout.trim().split('-').at(-1)!;
    const other = `/api/${'0'.repeat(32)}-${token}/task-protection/v1/state`;
    assert.deepEqual(await call(runtimeId, { path: other, method: 'GET' }), [
      404,
      { error: { Code: 'ResourceNotFoundException', Message: 'Failed to find a task for the request' } },
    ]);
  });
});
