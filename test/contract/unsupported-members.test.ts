import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import {
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejectsWith } from '../../testing/assertions.ts';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// Issue #16 item 2: a parameter Berth does not act on is refused with an error naming it, unless it
// is inert by design (src/<service>/members.ts). Through the AWS SDK v3 and the AWS CLI v2.
describe('members Berth does not support are refused, naming them; inert ones are accepted', () => {
  let server: TestServer;
  let ecs: ECSClient;
  const cluster = 'members';
  const app: ContainerDefinition = { name: 'app', image: 'busybox', memory: 32 };

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'bridge', containerDefinitions: [app] }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'vpc', networkMode: 'awsvpc', containerDefinitions: [app] }),
    );
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  const firelens: ContainerDefinition = { ...app, firelensConfiguration: { type: 'fluentbit' } };

  it('refuses a container definition with firelensConfiguration, naming containerDefinitions.firelensConfiguration', async () => {
    await rejectsWith(
      ecs.send(new RegisterTaskDefinitionCommand({ family: 'firelens', containerDefinitions: [firelens] })),
      'InvalidParameterException',
      /^Berth does not support containerDefinitions\.firelensConfiguration \(not planned yet\): the logs would not be routed through FireLens\.$/,
    );
  });

  it('refuses firelensConfiguration through the AWS CLI v2 as well', { skip: awsCliSkipReason() }, async () => {
    const result = await awsCliFor(server, 'ecs').run(
      'register-task-definition',
      '--family',
      'firelens-cli',
      '--container-definitions',
      JSON.stringify([firelens]),
    );
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /\(InvalidParameterException\) when calling the RegisterTaskDefinition operation: Berth does not support containerDefinitions\.firelensConfiguration \(not planned yet\)/,
    );
  });

  it('refuses a log driver Berth does not ship, naming it, and keeps awslogs and json-file', async () => {
    const withDriver = (family: string, logDriver: 'splunk' | 'json-file') =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [{ ...app, logConfiguration: { logDriver, options: {} } }],
        }),
      );
    await rejectsWith(
      withDriver('splunk', 'splunk'),
      'InvalidParameterException',
      /^Berth does not support containerDefinitions\.logConfiguration\.logDriver 'splunk' \(not planned yet\)/,
    );
    await withDriver('json', 'json-file');
  });

  it('refuses an EFS volume a container mounts, and accepts one no container mounts', async () => {
    const efs = { name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0' } };
    await rejectsWith(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'efs-mounted',
          volumes: [efs],
          containerDefinitions: [{ ...app, mountPoints: [{ sourceVolume: 'shared', containerPath: '/data' }] }],
        }),
      ),
      'InvalidParameterException',
      /^Berth does not support volumes\.efsVolumeConfiguration \(not planned yet\): the containers would mount an empty local Docker volume/,
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'efs-unmounted', volumes: [efs], containerDefinitions: [app] }),
    );
  });

  const service = (name: string, extra: Partial<ConstructorParameters<typeof CreateServiceCommand>[0]>) =>
    ecs.send(
      new CreateServiceCommand({ cluster, serviceName: name, taskDefinition: 'bridge', desiredCount: 0, ...extra }),
    );

  const refusedOnCreate: [string, Partial<ConstructorParameters<typeof CreateServiceCommand>[0]>, RegExp][] = [
    [
      'serviceRegistries naming no Cloud Map service',
      { serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-none' }] },
      /^The service registry arn:aws:servicediscovery:us-east-1:000000000000:service\/srv-none does not exist\.$/,
    ],
    [
      'role',
      { role: 'arn:aws:iam::000000000000:role/ecsServiceRole' },
      /^Berth does not support role yet \(issue #17\): the role would not be assumed/,
    ],
    [
      'serviceConnectConfiguration',
      { serviceConnectConfiguration: { enabled: true, namespace: 'local' } },
      /^Berth does not support serviceConnectConfiguration \(not planned yet\)/,
    ],
  ];
  for (const [what, extra, message] of refusedOnCreate) {
    it(`refuses CreateService with ${what}, naming it, and creates nothing`, async () => {
      await rejectsWith(service('refused', extra), 'InvalidParameterException', message);
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: ['refused'] }));
      assert.deepEqual(services, []);
    });
  }

  it('accepts what asks for nothing: enableExecuteCommand false, an empty serviceRegistries', async () => {
    const { service: created } = await service('plain', { enableExecuteCommand: false, serviceRegistries: [] });
    assert.equal(created?.enableExecuteCommand, false);
    // ECS Exec is built (issue #23), and as on ECS it needs a task role, which 'bridge' has not.
    await rejectsWith(
      ecs.send(new UpdateServiceCommand({ cluster, service: 'plain', enableExecuteCommand: true })),
      'InvalidParameterException',
      /^The service couldn't be updated because a valid taskRoleArn is not being used\. Specify a valid task role in your task definition and try again\.$/,
    );
    await rejectsWith(
      ecs.send(
        new CreateClusterCommand({
          clusterName: 'exec-to-s3',
          configuration: {
            executeCommandConfiguration: { logging: 'OVERRIDE', logConfiguration: { s3BucketName: 'sessions' } },
          },
        }),
      ),
      'InvalidParameterException',
      /^Berth does not support configuration\.executeCommandConfiguration\.logConfiguration\.s3BucketName \(not planned yet\): the sessions' output would not be written to the S3 bucket/,
    );
    await rejectsWith(
      ecs.send(
        new UpdateServiceCommand({
          cluster,
          service: 'plain',
          serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-x' }],
        }),
      ),
      'InvalidParameterException',
      /^The service registry arn:aws:servicediscovery:us-east-1:000000000000:service\/srv-x does not exist\.$/,
    );
  });

  it('accepts inert members (subnets, security groups, public IP, platform version) and echoes them', async () => {
    const awsvpcConfiguration = {
      subnets: ['subnet-1'],
      securityGroups: ['sg-1'],
      assignPublicIp: 'ENABLED' as const,
    };
    const { service: created } = await service('vpc', {
      taskDefinition: 'vpc',
      launchType: 'EC2',
      networkConfiguration: { awsvpcConfiguration },
      platformVersion: 'LATEST',
    });
    assert.deepEqual(created?.networkConfiguration?.awsvpcConfiguration, awsvpcConfiguration);
  });

  it("refuses an ECR call naming another account's registry, and answers its own", async () => {
    const ecr = new ECRClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    try {
      await rejectsWith(
        ecr.send(new DescribeRepositoriesCommand({ registryId: '111122223333' })),
        'InvalidParameterException',
        /^Berth does not support registryId '111122223333': a Berth server is its own account's registry only/,
      );
      await ecr.send(new DescribeRepositoriesCommand({ registryId: '000000000000' }));
    } finally {
      ecr.destroy();
    }
  });

  it('refuses DescribeLogGroups across accounts, by design', async () => {
    const logs = new CloudWatchLogsClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    try {
      await rejectsWith(
        logs.send(new DescribeLogGroupsCommand({ accountIdentifiers: ['111122223333'], includeLinkedAccounts: true })),
        'InvalidParameterException',
        /^Berth does not support accountIdentifiers: a Berth server is one account/,
      );
      await logs.send(new DescribeLogGroupsCommand({ includeLinkedAccounts: true }));
    } finally {
      logs.destroy();
    }
  });

  it("refuses an ELB rule regular expression it would drop, with ELB's ValidationError; subnets are inert", async () => {
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    try {
      const { LoadBalancers } = await elb.send(
        new CreateLoadBalancerCommand({ Name: 'members', Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: ['sg-1'] }),
      );
      assert.deepEqual(
        LoadBalancers?.[0]?.AvailabilityZones?.map((zone) => zone.SubnetId),
        ['subnet-1', 'subnet-2'],
      );
      const { TargetGroups } = await elb.send(
        new CreateTargetGroupCommand({ Name: 'members', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }),
      );
      await rejectsWith(
        elb.send(
          new CreateRuleCommand({
            ListenerArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/members/0/0',
            Priority: 1,
            Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a'], RegexValues: ['^/b$'] } }],
            Actions: [{ Type: 'forward', TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }],
          }),
        ),
        'ValidationError',
        /^Berth does not support Conditions\.PathPatternConfig\.RegexValues \(not planned yet\): the rule would match without its regular expressions\.$/,
      );
    } finally {
      elb.destroy();
    }
  });
});
