import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ECSClient, type Task } from '@aws-sdk/client-ecs';
import { createLogger } from '../../src/shared/logger.ts';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import {
  createExecutionRole,
  ECS_TASKS_TRUST_POLICY,
  EXECUTION_ROLE_POLICY_ARN,
} from '../../testing/execution-role.ts';
import { ACCOUNT, cliAs, policyDocument, type Cli } from '../../testing/iam-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

/*
 * Container secrets on FARGATE tasks, set up and run with the AWS CLI v2: Secrets Manager (the
 * whole secret, a json key, a json key at AWSPREVIOUS), Parameter Store (a SecureString under a
 * customer managed KMS key, by name; a String, by ARN), logConfiguration.secretOptions, and the
 * execution role as what reads them and pulls from Berth's registry. The values reach the container
 * and nothing else: not the ECS API's answers, not the stop reasons, not the server's log (which
 * logs every request, the agent's GetSecretValue and GetParameters among them).
 */

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

const REGION = 'us-east-1';
const RETRIEVAL_FAILED =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('container secrets and execution role pulls on FARGATE tasks (real Docker, AWS CLI v2)', { skip }, () => {
  let server: TestServer;
  let cli: Cli;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const serverLog: string[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'berth-secrets-'));
  const suffix = hex(4);
  const cluster = `secrets-${suffix}`;
  const bucket = `secrets-${suffix}`;
  const logGroup = `/ecs/${cluster}`;
  const parameters = `/${suffix}`;
  let image: string;
  let secretArn: string;
  let keyArn: string;
  let executionRoleArn: string;
  /** Each unique, so that finding one anywhere means it leaked. */
  const values = {
    passwordOne: `pw-one-${hex(8)}`,
    passwordTwo: `pw-two-${hex(8)}`,
    passwordThree: `pw-three-${hex(8)}`,
    token: `token-${hex(8)}`,
    endpoint: `https://db-${hex(8)}.internal`,
    logPrefix: `prefix-${hex(4)}`,
  };
  const secretValues = [values.passwordOne, values.passwordTwo, values.passwordThree, values.token];
  const secretString = (password: string) => JSON.stringify({ username: 'app', password });
  const reasons: string[] = [];

  /** The container's secrets: every form of valueFrom ECS takes. */
  const secrets = () => [
    { name: 'DB_SECRET', valueFrom: secretArn },
    { name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` },
    { name: 'DB_PASSWORD_PREVIOUS', valueFrom: `${secretArn}:password:AWSPREVIOUS:` },
    { name: 'API_TOKEN', valueFrom: `${parameters}/api-token` },
    { name: 'DB_ENDPOINT', valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${parameters}/db-endpoint` },
  ];

  /** The policy of AWS's "Amazon ECS task execution IAM role" page for secrets, plus the env file. */
  const secretsStatements = () => [
    {
      Effect: 'Allow',
      Action: ['ssm:GetParameters', 'secretsmanager:GetSecretValue', 'kms:Decrypt'],
      Resource: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${parameters}/*`, secretArn, keyArn],
    },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
  ];

  /** A FARGATE definition of one container `app` (by the CLI's --cli-input-json), named `family`. */
  const register = async (family: string, roleArn: string, container: object): Promise<void> => {
    const input = {
      family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      executionRoleArn: roleArn,
      containerDefinitions: [{ name: 'app', image, essential: true, ...container }],
    };
    await cli.json('ecs', 'register-task-definition', '--cli-input-json', JSON.stringify(input));
  };

  /** Runs the definition once with `aws ecs run-task` and waits until the task stopped. */
  const runToStop = async (family: string): Promise<Task> => {
    const network = 'awsvpcConfiguration={subnets=[subnet-0123]}';
    const { tasks, failures } = await cli.json<{ tasks: { taskArn: string }[]; failures: unknown[] }>(
      ...['ecs', 'run-task', '--cluster', cluster, '--launch-type', 'FARGATE', '--task-definition', family],
      ...['--network-configuration', network],
    );
    assert.deepEqual(failures, []);
    return waitForTask(ecs, cluster, tasks[0]!.taskArn, isStopped, 120_000);
  };

  /** What the container printed with `env`, from its Docker log (not awslogs: values stay off the server). */
  const printedEnvironment = async (task: Task): Promise<Record<string, string>> => {
    const runtimeId = task.containers?.[0]?.runtimeId;
    assert.ok(runtimeId, `no container ran: ${task.stoppedReason}`);
    assert.equal(task.containers?.[0]?.exitCode, 0, task.stoppedReason);
    const logs = await docker.docker(['logs', runtimeId]);
    assert.equal(logs.code, 0, logs.stderr);
    const lines = logs.stdout.split('\n').filter((line) => line.includes('='));
    return Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  };

  /** A task that never started: its reason, kept for the leak check. */
  const failedToStart = (task: Task): string => {
    assert.equal(task.stopCode, 'TaskFailedToStart', task.stoppedReason);
    assert.equal(task.containers?.[0]?.runtimeId, undefined);
    reasons.push(task.stoppedReason ?? '');
    return task.stoppedReason ?? '';
  };

  const assertNoSecretIn = (what: string, text: string) => {
    for (const value of secretValues) assert.ok(!text.includes(value), `${what} shows a secret value: ${text}`);
  };

  /** A role ecs-tasks.amazonaws.com may assume, made with the CLI: an inline policy, managed ones. */
  const createRole = async (name: string, statements: readonly object[], managed: readonly string[] = []) => {
    const { Role } = await cli.json<{ Role: { Arn: string } }>(
      ...['iam', 'create-role', '--role-name', name, '--assume-role-policy-document', ECS_TASKS_TRUST_POLICY],
    );
    if (statements.length > 0) {
      const document = policyDocument(...statements);
      await cli.json(
        'iam',
        'put-role-policy',
        '--role-name',
        name,
        '--policy-name',
        'inline',
        '--policy-document',
        document,
      );
    }
    for (const arn of managed) await cli.json('iam', 'attach-role-policy', '--role-name', name, '--policy-arn', arn);
    return Role.Arn;
  };

  before(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        serverLog.push(chunk.toString('utf8'));
        done();
      },
    });
    server = await startTestServer({}, { logger: createLogger('trace', capture) });
    cli = cliAs(server, server.credentials);
    ecs = new ECSClient({ endpoint: server.url, region: REGION, credentials: server.credentials, maxAttempts: 1 });
    image = (await docker.buildBusyboxImage(`berth-secrets-${suffix}:1`)).tag;

    keyArn = (await cli.json<{ KeyMetadata: { Arn: string } }>('kms', 'create-key')).KeyMetadata.Arn;
    const created = await cli.json<{ ARN: string }>(
      ...['secretsmanager', 'create-secret', '--name', `${suffix}/db`],
      ...['--secret-string', secretString(values.passwordOne)],
    );
    secretArn = created.ARN;
    // A second version from the start, so that AWSPREVIOUS exists.
    await cli.json(
      ...['secretsmanager', 'put-secret-value', '--secret-id', secretArn],
      ...['--secret-string', secretString(values.passwordTwo)],
    );
    const put = (name: string, value: string, ...more: string[]) =>
      cli.json('ssm', 'put-parameter', '--name', `${parameters}/${name}`, '--value', value, ...more);
    await put('api-token', values.token, '--type', 'SecureString', '--key-id', keyArn);
    await put('db-endpoint', values.endpoint, '--type', 'String');
    await put('log-prefix', values.logPrefix, '--type', 'String');

    const envFile = join(workDir, 'app.env');
    writeFileSync(envFile, 'DB_PASSWORD=from-file\nFILE_ONLY=from-file\n');
    for (const args of [
      ['mb', `s3://${bucket}`],
      ['cp', envFile, `s3://${bucket}/app.env`],
    ]) {
      const result = await cli.run('s3', ...args);
      assert.equal(result.code, 0, result.stderr);
    }

    executionRoleArn = await createExecutionRole(server, { statements: secretsStatements() });
    await cli.json('ecs', 'create-cluster', '--cluster-name', cluster);
    await cli.json('logs', 'create-log-group', '--log-group-name', logGroup);
  });

  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('refuses an environment variable named as a secret, in ECS’s words', async () => {
    const input = {
      family: `${cluster}-shared-name`,
      executionRoleArn,
      containerDefinitions: [
        {
          name: 'app',
          image,
          memory: 64,
          environment: [{ name: 'DB_PASSWORD', value: 'plain' }],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` }],
        },
      ],
    };
    const refused = await cli.run('ecs', 'register-task-definition', '--cli-input-json', JSON.stringify(input));
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /\(ClientException\) when calling the RegisterTaskDefinition operation(?: \(reached max retries: 0\))?: The secret name must be unique and not shared with any new or existing environment variables set on the container, such as 'DB_PASSWORD'\.$/m,
    );
  });

  it('gives the container every secret’s value (SecureString decrypted); a secret wins over an env file', async () => {
    await register(`${cluster}-app`, executionRoleArn, {
      command: ['env'],
      environment: [{ name: 'PLAIN', value: 'plain' }],
      environmentFiles: [{ type: 's3', value: `arn:aws:s3:::${bucket}/app.env` }],
      secrets: secrets(),
    });
    const task = await runToStop(`${cluster}-app`);
    const printed = await printedEnvironment(task);
    const names = [
      'DB_SECRET',
      'DB_PASSWORD',
      'DB_PASSWORD_PREVIOUS',
      'API_TOKEN',
      'DB_ENDPOINT',
      'FILE_ONLY',
      'PLAIN',
    ];
    assert.deepEqual(Object.fromEntries(names.map((name) => [name, printed[name]])), {
      DB_SECRET: secretString(values.passwordTwo),
      DB_PASSWORD: values.passwordTwo,
      DB_PASSWORD_PREVIOUS: values.passwordOne,
      API_TOKEN: values.token,
      DB_ENDPOINT: values.endpoint,
      FILE_ONLY: 'from-file',
      PLAIN: 'plain',
    });

    // Neither the ECS API's task nor its definition shows a value; the definition keeps valueFrom.
    const described = await cli.run('ecs', 'describe-tasks', '--cluster', cluster, '--tasks', task.taskArn!);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /"lastStatus": "STOPPED"/);
    assertNoSecretIn('DescribeTasks', described.stdout);
    const definition = await cli.run('ecs', 'describe-task-definition', '--task-definition', `${cluster}-app`);
    assert.equal(definition.code, 0, definition.stderr);
    assertNoSecretIn('DescribeTaskDefinition', definition.stdout);
    const { taskDefinition } = JSON.parse(definition.stdout) as {
      taskDefinition: { containerDefinitions: { secrets: unknown }[] };
    };
    assert.deepEqual(taskDefinition.containerDefinitions[0]!.secrets, secrets());
  });

  it('reads the secret again for each task: a new value, and the old one at AWSPREVIOUS', async () => {
    await cli.json(
      ...['secretsmanager', 'put-secret-value', '--secret-id', `${suffix}/db`],
      ...['--secret-string', secretString(values.passwordThree)],
    );
    const printed = await printedEnvironment(await runToStop(`${cluster}-app`));
    assert.equal(printed.DB_SECRET, secretString(values.passwordThree));
    assert.equal(printed.DB_PASSWORD, values.passwordThree);
    assert.equal(printed.DB_PASSWORD_PREVIOUS, values.passwordTwo);
    assert.equal(printed.API_TOKEN, values.token);
  });

  it('stops the task when the execution role may not read the secret (AccessDenied), without its value', async () => {
    const roleArn = await createRole(`no-secrets-${suffix}`, [], [EXECUTION_ROLE_POLICY_ARN]);
    await register(`${cluster}-denied`, roleArn, {
      command: ['env'],
      secrets: [{ name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` }],
    });
    const reason = failedToStart(await runToStop(`${cluster}-denied`));
    assert.ok(reason.startsWith(`${RETRIEVAL_FAILED}unable to retrieve secret from asm: `), reason);
    assert.match(reason, /AccessDeniedException: .* is not authorized to perform: secretsmanager:GetSecretValue on /);
  });

  it('stops the task naming a missing parameter (invalid ssm parameters)', async () => {
    await register(`${cluster}-missing`, executionRoleArn, {
      command: ['env'],
      secrets: [
        { name: 'API_TOKEN', valueFrom: `${parameters}/api-token` },
        { name: 'MISSING', valueFrom: `${parameters}/missing` },
      ],
    });
    const reason = failedToStart(await runToStop(`${cluster}-missing`));
    assert.ok(reason.startsWith(`${RETRIEVAL_FAILED}unable to retrieve secrets from ssm: `), reason);
    assert.ok(reason.endsWith(`invalid ssm parameters: ${parameters}/missing`), reason);
  });

  it('names the awslogs stream with a prefix from secretOptions', async () => {
    await register(`${cluster}-log-options`, executionRoleArn, {
      command: ['echo', 'logged'],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': logGroup, 'awslogs-region': REGION },
        secretOptions: [{ name: 'awslogs-stream-prefix', valueFrom: `${parameters}/log-prefix` }],
      },
    });
    const task = await runToStop(`${cluster}-log-options`);
    assert.equal(task.stopCode, 'EssentialContainerExited', task.stoppedReason);
    const stream = `${values.logPrefix}/app/${task.taskArn!.split('/').at(-1)}`;
    let messages: string[] = [];
    // The last lines are shipped as the container ends: they may land just after STOPPED.
    for (const deadline = Date.now() + 30_000; messages.length === 0 && Date.now() < deadline;) {
      const { events } = await cli.json<{ events: { message: string }[] }>(
        ...['logs', 'get-log-events', '--log-group-name', logGroup, '--log-stream-name', stream, '--start-from-head'],
      );
      messages = events.map((event) => event.message);
    }
    assert.deepEqual(messages, ['logged']);
  });

  it('reads secrets with a role that has no ECR permission, for an image from another registry', async () => {
    const roleArn = await createRole(`secrets-only-${suffix}`, secretsStatements());
    await register(`${cluster}-secrets-only`, roleArn, { command: ['env'], secrets: secrets().slice(1, 2) });
    const printed = await printedEnvironment(await runToStop(`${cluster}-secrets-only`));
    assert.equal(printed.DB_PASSWORD, values.passwordThree);
  });

  it('does not start a container whose awslogs stream the role may not create, as the awslogs driver refuses', async () => {
    const group = `/ecs/${cluster}-no-logs`;
    const created = await cli.run('logs', 'create-log-group', '--log-group-name', group);
    assert.equal(created.code, 0, created.stderr);
    const roleArn = await createRole(`no-logs-${suffix}`, []);
    await register(`${cluster}-no-logs`, roleArn, {
      command: ['true'],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' },
      },
    });
    const task = await runToStop(`${cluster}-no-logs`);
    assert.equal(task.stopCode, 'TaskFailedToStart', task.stoppedReason);
    assert.match(
      task.stoppedReason ?? '',
      /^CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role\/no-logs-[0-9a-f]+\/[0-9a-f]+ is not authorized to perform: logs:CreateLogStream on resource: /,
    );
    assert.equal(task.containers?.[0]?.exitCode, undefined);
  });

  describe('image pulls from Berth’s registry as the execution role', () => {
    let remote: string;

    before(async () => {
      await cli.json('ecr', 'create-repository', '--repository-name', `${suffix}/app`);
      const password = await cli.run('ecr', 'get-login-password');
      assert.equal(password.code, 0, password.stderr);
      const host = `localhost:${server.port}`;
      const login = await docker.docker(['login', '--username', 'AWS', '--password-stdin', host], {
        input: password.stdout.trim(),
      });
      assert.equal(login.code, 0, login.stderr);
      remote = `${host}/${suffix}/app:v1`;
      assert.equal((await docker.tag(image, remote)).code, 0);
      const pushed = await docker.docker(['push', '--quiet', remote]);
      assert.equal(pushed.code, 0, pushed.stderr);
      await docker.docker(['logout', host]);
    });

    /** Runs `remote` with the role, after removing its tag: the runtime would fall back to a cached copy. */
    const runImage = async (family: string, roleArn: string): Promise<Task> => {
      await docker.docker(['rmi', remote]);
      assert.notEqual((await docker.docker(['image', 'inspect', remote])).code, 0, `${remote} is still cached`);
      await register(family, roleArn, { image: remote, command: ['true'] });
      return runToStop(family);
    };

    it('pulls with a role holding AmazonECSTaskExecutionRolePolicy', async () => {
      const task = await runImage(`${cluster}-pull`, executionRoleArn);
      assert.equal(task.stopCode, 'EssentialContainerExited', task.stoppedReason);
      assert.equal(task.containers?.[0]?.exitCode, 0);
      assert.match(task.containers?.[0]?.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal((await docker.docker(['image', 'inspect', remote])).code, 0, 'the pull left no image');
    });

    it('stops with CannotPullContainerError and the registry’s denial without ecr:BatchGetImage', async () => {
      const tokenOnly = [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }];
      const roleArn = await createRole(`token-only-${suffix}`, tokenOnly);
      const reason = failedToStart(await runImage(`${cluster}-token-only`, roleArn));
      assert.ok(reason.startsWith(`CannotPullContainerError: pull image ${remote}: `), reason);
      assert.match(
        reason,
        / denied: User: arn:aws:sts::000000000000:assumed-role\/token-only-\w+\/\w+ is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:000000000000:repository\/\w+\/app because no identity-based policy allows the ecr:BatchGetImage action$/,
      );
    });

    it('stops with ECS’s registry auth failure when the role may not get a token (no policy)', async () => {
      const roleArn = await createRole(`bare-${suffix}`, []);
      const reason = failedToStart(await runImage(`${cluster}-bare`, roleArn));
      // Fargate's words (the EC2 agent names it CannotPullECRContainerError).
      assert.ok(reason.startsWith(`${RETRIEVAL_FAILED}unable to retrieve ecr registry auth: `), reason);
      assert.match(reason, /AccessDeniedException: .* is not authorized to perform: ecr:GetAuthorizationToken on /);
    });
  });

  it('never writes a secret value to the server’s log or a stop reason', () => {
    assert.ok(reasons.length >= 3, `${reasons.length} stop reasons`);
    for (const reason of reasons) assertNoSecretIn('a stop reason', reason);
    const log = serverLog.join('');
    assert.match(log, /"operation":"GetSecretValue","status":200/);
    assert.match(log, /"operation":"GetParameters","status":200/);
    assertNoSecretIn('the server’s log', log);
  });
});
