import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}

const RESOURCE = 'service/scaling/web';
const TARGET = [
  '--service-namespace',
  'ecs',
  '--resource-id',
  RESOURCE,
  '--scalable-dimension',
  'ecs:service:DesiredCount',
];

/**
 * Application Auto Scaling on an ECS service (EC2 launch type, no instances: the desired count
 * changes, no task has to start), with the AWS CLI v2. A step policy acted on by an alarm on a
 * 10-second metric (the evaluator runs every 200 ms here), target tracking's own alarms, and a
 * scheduled action a few seconds ahead (the scheduled action loop runs every 5 s).
 */
describe('AWS CLI v2: Application Auto Scaling', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let ecs: ReturnType<typeof awsCliFor>;
  let aas: ReturnType<typeof awsCliFor>;
  let cw: ReturnType<typeof awsCliFor>;

  before(async () => {
    server = await startTestServer({}, { alarmEvaluationMs: 200 });
    ecs = awsCliFor(server, 'ecs');
    aas = awsCliFor(server, 'application-autoscaling');
    cw = awsCliFor(server, 'cloudwatch');
    await ecs.json('create-cluster', '--cluster-name', 'scaling');
    await ecs.json(
      'register-task-definition',
      '--family',
      'tiny',
      '--container-definitions',
      JSON.stringify([{ name: 'app', image: 'busybox', memory: 16, command: ['sleep', '3600'] }]),
    );
    await ecs.json(
      'create-service',
      '--cluster',
      'scaling',
      '--service-name',
      'web',
      '--task-definition',
      'tiny',
      '--desired-count',
      '0',
      '--launch-type',
      'EC2',
    );
  });
  after(() => server.stop());

  const desiredCount = async (): Promise<number> => {
    const out = await ecs.json<{ services: { desiredCount: number }[] }>(
      'describe-services',
      '--cluster',
      'scaling',
      '--services',
      'web',
    );
    return out.services[0]!.desiredCount;
  };

  async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 40_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const activities = async () =>
    (await aas.json<{ ScalingActivities: Json[] }>('describe-scaling-activities', ...TARGET)).ScalingActivities;

  it('refuses other namespaces and missing services, naming them', async () => {
    const other = await aas.run(
      'register-scalable-target',
      '--service-namespace',
      'dynamodb',
      '--resource-id',
      'table/t',
      '--scalable-dimension',
      'dynamodb:table:ReadCapacityUnits',
      '--min-capacity',
      '1',
      '--max-capacity',
      '2',
    );
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /ValidationException.*ServiceNamespace dynamodb/);
    const missing = await aas.run(
      'register-scalable-target',
      '--service-namespace',
      'ecs',
      '--resource-id',
      'service/scaling/nope',
      '--scalable-dimension',
      'ecs:service:DesiredCount',
      '--min-capacity',
      '1',
      '--max-capacity',
      '2',
    );
    assert.match(missing.stderr, /ValidationException.*ECS service doesn't exist: service\/scaling\/nope/);
  });

  it('registers a scalable target and clamps the desired count into [min, max]', async () => {
    // (Debian's CLI v2 model predates ScalableTargetARN in the answer: it drops it.)
    await aas.json('register-scalable-target', ...TARGET, '--min-capacity', '2', '--max-capacity', '8');
    assert.equal(await desiredCount(), 2); // 0 → min 2
    const targets = await aas.json<{ ScalableTargets: Json[] }>(
      'describe-scalable-targets',
      '--service-namespace',
      'ecs',
    );
    assert.equal(targets.ScalableTargets.length, 1);
    assert.equal(targets.ScalableTargets[0]!.MinCapacity, 2);
    assert.equal(targets.ScalableTargets[0]!.MaxCapacity, 8);
    assert.equal(targets.ScalableTargets[0]!.RoleARN !== undefined, true);
    const [activity] = await activities();
    assert.equal(activity!.Description, 'Setting desired count to 2.');
    assert.equal(activity!.Cause, 'minimum capacity was set to 2');
    assert.equal(activity!.StatusCode, 'Successful');
    // UpdateService's path: the primary deployment's count follows, and the scheduler answers the new
    // count with ECS's service events (ECS writes none naming Application Auto Scaling); with no
    // container instance in the cluster, that it could not place a task.
    const service = await waitFor(
      'the service event for the new desired count',
      async () =>
        (
          await ecs.json<{ services: { deployments: Json[]; events: { message: string }[] }[] }>(
            'describe-services',
            '--cluster',
            'scaling',
            '--services',
            'web',
          )
        ).services[0]!,
      (s) =>
        s.events.some((e) =>
          e.message.startsWith(
            '(service web) was unable to place a task because no container instance met all of its requirements.',
          ),
        ),
    );
    assert.equal(service.deployments[0]!.desiredCount, 2);
  });

  it('a step scaling policy scales out when its alarm goes to ALARM', async () => {
    const policy = await aas.json<{ PolicyARN: string }>(
      'put-scaling-policy',
      ...TARGET,
      '--policy-name',
      'queue-out',
      '--policy-type',
      'StepScaling',
      '--step-scaling-policy-configuration',
      JSON.stringify({
        AdjustmentType: 'ChangeInCapacity',
        Cooldown: 60,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 },
        ],
      }),
    );
    assert.match(
      policy.PolicyARN,
      /^arn:aws:autoscaling:us-east-1:\d+:scalingPolicy:[0-9a-f-]+:resource\/ecs\/service\/scaling\/web:policyName\/queue-out$/,
    );
    await cw.json(
      'put-metric-alarm',
      '--alarm-name',
      'queue-high',
      '--namespace',
      'Berth/Queue',
      '--metric-name',
      'Depth',
      '--statistic',
      'Maximum',
      '--period',
      '10',
      '--evaluation-periods',
      '1',
      '--threshold',
      '5',
      '--comparison-operator',
      'GreaterThanThreshold',
      '--alarm-actions',
      policy.PolicyARN,
    );
    // The queue stays deep: a datapoint every 2 s while waiting, as a live metric would (one datapoint
    // alone can reach the server after the evaluator closed its period on a loaded machine).
    let lastPut = 0;
    const deepQueue = async () => {
      if (Date.now() - lastPut < 2000) return;
      lastPut = Date.now();
      const datum = { MetricName: 'Depth', Value: 50, StorageResolution: 1, Timestamp: new Date().toISOString() };
      await cw.json('put-metric-data', '--namespace', 'Berth/Queue', '--metric-data', JSON.stringify([datum]));
    };
    // breach 50 - 5 = 45 ≥ 10 → +3: 2 → 5 (the policy's 60 s cooldown holds off a repeat meanwhile)
    const deepAndDesired = async () => (await deepQueue(), desiredCount());
    await waitFor('the desired count', deepAndDesired, (n) => n === 5, 90_000).catch(async (e) => {
      console.log(JSON.stringify(await cw.json('describe-alarm-history', '--alarm-name', 'queue-high'), null, 1));
      console.log(JSON.stringify(await activities(), null, 1));
      throw e;
    });
    const [activity] = await activities();
    assert.equal(activity!.Description, 'Setting desired count to 5.');
    assert.equal(activity!.Cause, 'monitor alarm queue-high in state ALARM triggered policy queue-out');
    const policies = await aas.json<{ ScalingPolicies: Json[] }>(
      'describe-scaling-policies',
      '--service-namespace',
      'ecs',
    );
    assert.deepEqual(
      policies.ScalingPolicies.map((p) => p.PolicyName),
      ['queue-out'],
    );
  });

  it('a target tracking policy creates its two alarms and deletes them with it', async () => {
    const put = await aas.json<{ Alarms: { AlarmName: string }[] }>(
      'put-scaling-policy',
      ...TARGET,
      '--policy-name',
      'cpu50',
      '--policy-type',
      'TargetTrackingScaling',
      '--target-tracking-scaling-policy-configuration',
      JSON.stringify({
        TargetValue: 50,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        ScaleInCooldown: 120,
      }),
    );
    assert.equal(put.Alarms.length, 2);
    const alarms = await cw.json<{ MetricAlarms: Json[] }>(
      'describe-alarms',
      '--alarm-name-prefix',
      `TargetTracking-${RESOURCE}-`,
    );
    const byKind = Object.fromEntries(
      alarms.MetricAlarms.map((a) => [String(a.AlarmName).includes('-AlarmHigh-') ? 'high' : 'low', a]),
    );
    assert.equal(byKind.high!.Threshold, 50);
    assert.equal(byKind.high!.EvaluationPeriods, 3);
    assert.equal(byKind.high!.ComparisonOperator, 'GreaterThanThreshold');
    assert.equal(byKind.low!.Threshold, 45); // 90% of the target
    assert.equal(byKind.low!.EvaluationPeriods, 15);
    assert.equal(byKind.high!.Namespace, 'AWS/ECS');
    assert.equal(byKind.high!.MetricName, 'CPUUtilization');
    assert.deepEqual(byKind.high!.Dimensions, [
      { Name: 'ClusterName', Value: 'scaling' },
      { Name: 'ServiceName', Value: 'web' },
    ]);
    await aas.json('delete-scaling-policy', ...TARGET, '--policy-name', 'cpu50');
    const left = await cw.json<{ MetricAlarms: Json[] }>('describe-alarms', '--alarm-name-prefix', 'TargetTracking-');
    assert.equal(left.MetricAlarms.length, 0);
  });

  it('a scheduled action changes min and max at its time, clamping the desired count', async () => {
    // Far enough ahead that a loaded machine's CLI call still lands before it (one past at put time never runs).
    const at = new Date(Date.now() + 20_000).toISOString().slice(0, 19);
    await aas.json(
      'put-scheduled-action',
      ...TARGET,
      '--scheduled-action-name',
      'night',
      '--schedule',
      `at(${at})`,
      '--scalable-target-action',
      'MinCapacity=1,MaxCapacity=3',
    );
    const listed = await aas.json<{ ScheduledActions: Json[] }>(
      'describe-scheduled-actions',
      '--service-namespace',
      'ecs',
    );
    assert.equal(listed.ScheduledActions[0]!.Schedule, `at(${at})`);
    await waitFor('the desired count', desiredCount, (n) => n === 3, 90_000); // 5 → max 3
    const targets = await aas.json<{ ScalableTargets: Json[] }>(
      'describe-scalable-targets',
      '--service-namespace',
      'ecs',
    );
    assert.equal(targets.ScalableTargets[0]!.MaxCapacity, 3);
    assert.equal(targets.ScalableTargets[0]!.MinCapacity, 1);
    const causes = (await activities()).map((a) => a.Cause);
    assert.ok(causes.includes('scheduled action name night was triggered'), JSON.stringify(causes));
  });

  it('deregistering removes the target with its policies and scheduled actions', async () => {
    await aas.json('deregister-scalable-target', ...TARGET);
    const targets = await aas.json<{ ScalableTargets: Json[] }>(
      'describe-scalable-targets',
      '--service-namespace',
      'ecs',
    );
    assert.equal(targets.ScalableTargets.length, 0);
    const policies = await aas.json<{ ScalingPolicies: Json[] }>(
      'describe-scaling-policies',
      '--service-namespace',
      'ecs',
    );
    assert.equal(policies.ScalingPolicies.length, 0);
    const missing = await aas.run(
      'put-scaling-policy',
      ...TARGET,
      '--policy-name',
      'x',
      '--policy-type',
      'StepScaling',
    );
    assert.match(missing.stderr, /ObjectNotFoundException.*No scalable target registered/);
  });
});
