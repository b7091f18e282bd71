import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type DeploymentAlarms,
} from '@aws-sdk/client-ecs';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeContainersLabelled } from '../../testing/tasks.ts';
import { cliAlarms, completed, serviceWatch } from '../../testing/deployment-alarms.ts';

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

/** One API minute lasts this long on this server (BERTH_DEPLOYMENT_MINUTE_MS): bake times are Period x EvaluationPeriods. */
const MINUTE_MS = 1000;

/**
 * Deployment alarms on real containers: the alarms are made and driven with the AWS CLI
 * (put-metric-alarm, set-alarm-state); TreatMissingData ignore keeps a state set by hand, since no
 * datapoint ever comes. An alarm of Period 60 x 30 EvaluationPeriods bakes 30 API minutes (30 s here),
 * long enough to set it ALARM while the deployment is watched; one of 60 x 2 bakes 2 s.
 */
describe('ECS deployment alarms fail a deployment and roll it back', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let cw: ReturnType<typeof awsCliFor>;
  const docker = new DockerSession();
  const cluster = `da-${randomBytes(4).toString('hex')}`;
  let image: string;
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };

  const register = async (version: string): Promise<string> => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-web`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'web', image, command: ['sh', '-c', `echo ${version}; sleep 600`], stopTimeout: 1 },
        ],
      }),
    );
    return taskDefinition!.taskDefinitionArn!;
  };
  const { putAlarm, setAlarm } = cliAlarms(() => cw);
  const watch = serviceWatch(() => ecs, { timeoutMs: 120_000, pollMs: 300 });
  const at = (name: string) => ({ cluster, name });
  /** A service of `v1` with no alarms, COMPLETED; then updated to `v2` with these alarms. Returns both deployment ids. */
  const deployWithAlarms = async (name: string, alarms: DeploymentAlarms) => {
    const v1 = await register(`${name}-v1`);
    const v2 = await register(`${name}-v2`);
    const input: CreateServiceCommandInput = {
      cluster,
      serviceName: name,
      taskDefinition: v1,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: network,
    };
    await ecs.send(new CreateServiceCommand(input));
    const first = await watch.waitFor(at(name), 'v1 not completed', completed(v1, 1));
    const { service } = await ecs.send(
      new UpdateServiceCommand({ cluster, service: name, taskDefinition: v2, deploymentConfiguration: { alarms } }),
    );
    assert.deepEqual(service!.deploymentConfiguration?.alarms, alarms, 'UpdateService answers the alarms as given');
    return { v1, v2, previous: first.deployments![0]!.id!, deployment: service!.deployments![0]!.id! };
  };

  before(async () => {
    server = await startTestServer({ BERTH_DEPLOYMENT_MINUTE_MS: String(MINUTE_MS) });
    ecs = new ECSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    cw = awsCliFor(server, 'cloudwatch');
    image = (await docker.buildBusyboxImage(`berth-da-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });
  after(async () => {
    ecs?.destroy();
    await server?.stop();
    for (const label of [cluster, `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`])
      await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${label}`);
    await docker.cleanup();
  });

  it('an alarm that goes to ALARM during the bake time fails the deployment and rolls back to the last COMPLETED one', async () => {
    await putAlarm('web-errors', 30);
    const alarms = { alarmNames: ['web-errors'], enable: true, rollback: true };
    const { v1, v2, previous, deployment } = await deployWithAlarms('web', alarms);
    // Steady on v2 (its task RUNNING, v1's gone) but still IN_PROGRESS: the bake time, v1's deployment kept.
    await watch.waitFor(
      at('web'),
      'v2 never reached its bake time',
      (s, tasks) =>
        s.deployments?.[0]?.id === deployment &&
        s.deployments[0].rolloutState === 'IN_PROGRESS' &&
        s.deployments.length === 2 &&
        tasks.length === 1 &&
        tasks[0]!.taskDefinitionArn === v2 &&
        (s.events ?? []).some((e) => e.message === '(service web) has reached a steady state.'),
    );
    assert.deepEqual((await watch.describeService(at('web'))).deploymentConfiguration?.alarms, alarms);
    await setAlarm('web-errors', 'ALARM');
    const rolled = await watch.waitFor(at('web'), 'no rollback', (s) =>
      (s.events ?? []).some((e) => e.message === `(service web) rolling back to deployment ${previous}.`),
    );
    const failed = rolled.deployments!.find((d) => d.id === deployment)!;
    assert.equal(failed.rolloutState, 'FAILED');
    assert.equal(failed.rolloutStateReason, 'ECS deployment failed: alarm(s) detected: web-errors.');
    const events = (rolled.events ?? []).map((e) => e.message);
    assert.ok(
      events.includes(`(service web) (deployment ${deployment}) deployment failed: alarm detected.`),
      JSON.stringify(events.slice(0, 5)),
    );
    assert.equal(rolled.deployments![0]!.taskDefinition, v1, 'the rollback deployment is of v1');
    assert.equal(rolled.taskDefinition, v1);
    const history = await watch.serviceDeployment(at('web'), deployment);
    assert.deepEqual(history.alarms, {
      status: 'TRIGGERED',
      alarmNames: ['web-errors'],
      triggeredAlarmNames: ['web-errors'],
    });
    // The alarm went to ALARM before the rollback deployment started: it does not fail that one.
    await watch.waitFor(at('web'), 'the rollback never completed', completed(v1, 1));
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'web', force: true }));
  });

  it('without rollback, the alarm fails the deployment and the service stays on it', async () => {
    await putAlarm('plain-errors', 30);
    const { v1, v2, deployment } = await deployWithAlarms('plain', {
      alarmNames: ['plain-errors'],
      enable: true,
      rollback: false,
    });
    await setAlarm('plain-errors', 'ALARM');
    const failed = await watch.waitFor(at('plain'), 'not failed', (s) => s.deployments?.[0]?.rolloutState === 'FAILED');
    assert.equal(failed.deployments![0]!.id, deployment);
    assert.equal(failed.deployments![0]!.rolloutStateReason, 'ECS deployment failed: alarm(s) detected: plain-errors.');
    assert.equal(failed.taskDefinition, v2);
    const events = (failed.events ?? []).map((e) => e.message);
    assert.ok(events.includes(`(service plain) (deployment ${deployment}) deployment failed: alarm detected.`));
    assert.ok(!events.some((e) => e!.includes('rolling back')), JSON.stringify(events.slice(0, 5)));
    // A FAILED deployment launches nothing more, and v1's task is what the service keeps.
    assert.ok(
      (await watch.running(at('plain'))).some((t) => t.taskDefinitionArn === v1),
      'v1 keeps running',
    );
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'plain', force: true }));
  });

  it('with its alarms OK, the deployment completes after the bake time', async () => {
    await putAlarm('calm-errors', 2);
    await setAlarm('calm-errors', 'OK');
    const { v2, deployment } = await deployWithAlarms('calm', {
      alarmNames: ['calm-errors'],
      enable: true,
      rollback: true,
    });
    const done = await watch.waitFor(at('calm'), 'never completed', completed(v2, 1));
    const events = (done.events ?? []).map((e) => e.message!);
    const completedAt = events.indexOf(`(service calm) (deployment ${deployment}) deployment completed.`);
    const steadyAt = events.indexOf('(service calm) has reached a steady state.');
    // Newest first: steady state came before the completion, the bake time between them.
    assert.ok(completedAt >= 0 && steadyAt > completedAt, JSON.stringify(events.slice(0, 6)));
    assert.equal((await watch.serviceDeployment(at('calm'), deployment)).alarms?.status, 'MONITORING_COMPLETE');
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'calm', force: true }));
  });

  it('refuses alarms for other deployment controllers, or with no alarm named', async () => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-refused`,
        containerDefinitions: [{ name: 'web', image, memory: 20, command: ['sleep', '600'] }],
      }),
    );
    const definition = taskDefinition!.taskDefinitionArn!;
    const base = { cluster, taskDefinition: definition, desiredCount: 0 };
    const alarms = { alarmNames: ['web-errors'], enable: true, rollback: true };
    const refused = async (input: Partial<CreateServiceCommandInput>, message: RegExp) => {
      await assert.rejects(
        ecs.send(new CreateServiceCommand({ ...base, serviceName: `r-${randomBytes(3).toString('hex')}`, ...input })),
        (error: Error) => error.name === 'InvalidParameterException' && message.test(error.message),
      );
    };
    await refused(
      { deploymentController: { type: 'CODE_DEPLOY' }, deploymentConfiguration: { alarms } },
      /only supported for services that use the ECS deployment controller/,
    );
    await refused(
      { deploymentController: { type: 'EXTERNAL' }, deploymentConfiguration: { alarms } },
      /ECS deployment controller/,
    );
    await refused({ deploymentConfiguration: { alarms: { ...alarms, alarmNames: [] } } }, /at least one/);
    // Disabled, they are kept as given.
    const off = { ...alarms, enable: false };
    const { service } = await ecs.send(
      new CreateServiceCommand({ ...base, serviceName: 'off', deploymentConfiguration: { alarms: off } }),
    );
    assert.deepEqual(service!.deploymentConfiguration?.alarms, off);
  });
});
