import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteAttributesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  PutAttributesCommand,
} from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddTagsCommand,
  type Action,
  type RuleCondition,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejectsWith } from '../../testing/assertions.ts';
import { ELB_ARN as ARN, INSTANCE, startElbApiServer } from '../../testing/elb-api-server.ts';
import type { RecordingDataPlane } from '../../testing/elb-data-plane.ts';
import type { TestServer } from '../../testing/server.ts';

describe('ELBv2 with the AWS SDK v3', () => {
  let server: TestServer;
  let elb: ElasticLoadBalancingV2Client;
  let plane: RecordingDataPlane;
  before(async () => {
    ({ server, elb, plane } = await startElbApiServer());
  });
  after(() => server.stop());

  it('runs a load balancer from creation to deletion', async () => {
    const created = await elb.send(
      new CreateLoadBalancerCommand({
        Name: 'web',
        Subnets: ['subnet-a1', 'subnet-b2'],
        Tags: [{ Key: 'env', Value: 'dev' }],
      }),
    );
    const lb = created.LoadBalancers![0]!;
    const lbArn = lb.LoadBalancerArn!;
    assert.match(lbArn, /^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    assert.match(lb.DNSName!, /^web-\d{10}\.us-east-1\.elb\.localhost$/);
    assert.deepEqual(
      [lb.State, lb.Type, lb.Scheme, lb.IpAddressType],
      [{ Code: 'active' }, 'application', 'internet-facing', 'ipv4'],
    );
    assert.deepEqual(
      lb.AvailabilityZones!.map((z) => [z.ZoneName, z.SubnetId]),
      [
        ['us-east-1a', 'subnet-a1'],
        ['us-east-1b', 'subnet-b2'],
      ],
    );
    assert.ok(lb.CreatedTime instanceof Date);
    // The same name and settings again: the same load balancer. Other settings: a duplicate.
    const again = await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: ['subnet-b2', 'subnet-a1'] }));
    assert.equal(again.LoadBalancers![0]!.LoadBalancerArn, lbArn);
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand({ Name: 'web', Scheme: 'internal' })),
      'DuplicateLoadBalancerNameException',
    );

    const group = async (Name: string, TargetType: 'instance' | 'ip') =>
      (
        await elb.send(
          new CreateTargetGroupCommand({ Name, Protocol: 'HTTP', Port: 8080, VpcId: lb.VpcId, TargetType }),
        )
      ).TargetGroups![0]!;
    const api = await group('api', 'instance');
    const ips = await group('ips', 'ip');
    assert.deepEqual(
      [api.HealthCheckPath, api.HealthCheckIntervalSeconds, api.HealthCheckTimeoutSeconds, api.HealthyThresholdCount],
      ['/', 30, 5, 5],
    );
    assert.deepEqual(
      [api.UnhealthyThresholdCount, api.Matcher, api.HealthCheckPort],
      [2, { HttpCode: '200' }, 'traffic-port'],
    );

    const listener = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Protocol: 'HTTP',
          Port: 8000,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: api.TargetGroupArn }],
        }),
      )
    ).Listeners![0]!;
    assert.match(
      listener.ListenerArn!,
      new RegExp(`^${ARN}:listener/app/web/${lbArn.split('/').at(-1)}/[0-9a-f]{16}$`),
    );
    assert.deepEqual(listener.DefaultActions![0]!.ForwardConfig!.TargetGroups, [
      { TargetGroupArn: api.TargetGroupArn, Weight: 1 },
    ]);
    assert.deepEqual(
      plane.current.listeners.map((l) => [l.port, l.bindAddress]),
      [[8000, '127.0.0.1']],
    );
    await rejectsWith(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Port: 8000,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
        }),
      ),
      'DuplicateListenerException',
    );

    const rule = async (Priority: number, Conditions: RuleCondition[], Actions: Action[]) =>
      (await elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority, Conditions, Actions })))
        .Rules![0]!;
    const weighted = await rule(
      10,
      [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
      [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: api.TargetGroupArn, Weight: 3 },
              { TargetGroupArn: ips.TargetGroupArn, Weight: 1 },
            ],
          },
        },
      ],
    );
    assert.deepEqual(weighted.Conditions, [
      { Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } },
    ]);
    const hosts = await rule(
      20,
      [{ Field: 'host-header', Values: ['*.example.com'] }],
      [
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: '418', ContentType: 'text/plain', MessageBody: '<tea & "cups">' },
        },
      ],
    );
    await rejectsWith(
      rule(10, [{ Field: 'path-pattern', Values: ['/x'] }], [{ Type: 'forward', TargetGroupArn: api.TargetGroupArn }]),
      'PriorityInUseException',
    );
    const rules = async () => (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!;
    assert.deepEqual(
      (await rules()).map((r) => [r.Priority, r.IsDefault]),
      [
        ['10', false],
        ['20', false],
        ['default', true],
      ],
    );
    assert.equal((await rules())[1]!.Actions![0]!.FixedResponseConfig!.MessageBody, '<tea & "cups">');
    await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: weighted.RuleArn, Priority: 20 },
          { RuleArn: hosts.RuleArn, Priority: 10 },
        ],
      }),
    );
    assert.deepEqual(
      (await rules()).map((r) => r.RuleArn),
      [hosts.RuleArn, weighted.RuleArn, (await rules())[2]!.RuleArn],
    );
    assert.deepEqual(
      plane.current.listeners[0]!.rules.map((r) => r.priority),
      [10, 20, 'default'],
    );
    await elb.send(
      new ModifyRuleCommand({
        RuleArn: hosts.RuleArn,
        Conditions: [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } }],
      }),
    );
    assert.deepEqual(plane.current.listeners[0]!.rules[0]!.conditions, [
      { field: 'http-request-method', values: ['GET'] },
    ]);
    await rejectsWith(
      elb.send(new DeleteRuleCommand({ RuleArn: (await rules())[2]!.RuleArn })),
      'OperationNotPermittedException',
    );

    const byLb = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(
      byLb.TargetGroups!.map((g) => [g.TargetGroupName, g.LoadBalancerArns]),
      [
        ['api', [lbArn]],
        ['ips', [lbArn]],
      ],
    );

    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: api.TargetGroupArn, Targets: [{ Id: INSTANCE }] }));
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: ips.TargetGroupArn, Targets: [{ Id: '10.0.0.5', Port: 80 }] }),
    );
    await rejectsWith(
      elb.send(
        new RegisterTargetsCommand({ TargetGroupArn: api.TargetGroupArn, Targets: [{ Id: 'i-00000000000000bad' }] }),
      ),
      'InvalidTargetException',
      /i-00000000000000bad/,
    );
    await rejectsWith(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: ips.TargetGroupArn, Targets: [{ Id: 'not-an-ip' }] })),
      'InvalidTargetException',
    );
    const apiConfig = () => plane.current.targetGroups.find((g) => g.targetGroupArn === api.TargetGroupArn)!;
    assert.deepEqual(apiConfig().targets, [
      { id: INSTANCE, port: 8080, address: '127.0.0.1', availabilityZone: 'us-east-1a' },
    ]);
    plane.setState(api.TargetGroupArn!, INSTANCE, 8080, 'unhealthy', 'Target.ResponseCodeMismatch');
    const health = await elb.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: api.TargetGroupArn,
        Targets: [{ Id: INSTANCE }, { Id: INSTANCE, Port: 9 }],
      }),
    );
    assert.deepEqual(
      health.TargetHealthDescriptions!.map((d) => [
        d.Target!.Id,
        d.Target!.Port,
        d.HealthCheckPort,
        d.TargetHealth!.State,
        d.TargetHealth!.Reason,
      ]),
      [
        [INSTANCE, 8080, '8080', 'unhealthy', 'Target.ResponseCodeMismatch'],
        [INSTANCE, 9, '9', 'unused', 'Target.NotRegistered'],
      ],
    );
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: api.TargetGroupArn, Targets: [{ Id: INSTANCE }] }));
    assert.deepEqual(apiConfig().targets, []);
    await rejectsWith(
      elb.send(new DeregisterTargetsCommand({ TargetGroupArn: api.TargetGroupArn, Targets: [{ Id: INSTANCE }] })),
      'InvalidTargetException',
    );

    await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: lbArn,
        Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }],
      }),
    );
    const lbAttributes = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }));
    assert.equal(lbAttributes.Attributes!.find((a) => a.Key === 'idle_timeout.timeout_seconds')!.Value, '120');
    assert.equal(plane.current.listeners[0]!.idleTimeoutSeconds, 120);
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: api.TargetGroupArn,
        Attributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
          { Key: 'stickiness.enabled', Value: 'true' },
        ],
      }),
    );
    const tgAttributes = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: api.TargetGroupArn }),
    );
    assert.equal(tgAttributes.Attributes!.find((a) => a.Key === 'stickiness.enabled')!.Value, 'true');
    assert.equal(apiConfig().deregistrationDelaySeconds, 30);
    await rejectsWith(
      elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: api.TargetGroupArn,
          Attributes: [{ Key: 'slow_start.duration_seconds', Value: '5' }],
        }),
      ),
      'ValidationError',
    );

    const tagged = [lbArn, api.TargetGroupArn!, listener.ListenerArn!, hosts.RuleArn!];
    await elb.send(new AddTagsCommand({ ResourceArns: tagged, Tags: [{ Key: 'team', Value: 'edge' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [lbArn], TagKeys: ['env'] }));
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: tagged }));
    assert.deepEqual(
      tags.TagDescriptions!.map((d) => d.Tags),
      tagged.map(() => [{ Key: 'team', Value: 'edge' }]),
    );
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(elb.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: many })), 'TooManyTagsException');

    await rejectsWith(
      elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: api.TargetGroupArn })),
      'ResourceInUseException',
    );
    await elb.send(new DeleteRuleCommand({ RuleArn: weighted.RuleArn }));
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
    assert.deepEqual(plane.current.listeners, []);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })); // gone already: still fine
    for (const g of [api, ips]) await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: g.TargetGroupArn }));
    assert.deepEqual((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups, []);
  });

  it('pages with Marker and PageSize', async () => {
    for (const n of [3, 1, 5, 2, 4]) {
      await elb.send(
        new CreateTargetGroupCommand({
          Name: `page-${n}`,
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-1',
          TargetType: 'ip',
        }),
      );
    }
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 2, Marker: marker }));
      names.push(...page.TargetGroups!.map((g) => g.TargetGroupName!));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    assert.deepEqual(names, ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    assert.equal(pages, 3); // 2 + 2 + 1
    for (const g of (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!)
      await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: g.TargetGroupArn }));
  });

  it("follows an instance's berth.host-address as ECS PutAttributes and DeleteAttributes change it", async () => {
    const ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
    const group = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'hosts',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-1',
          TargetType: 'instance',
        }),
      )
    ).TargetGroups![0]!;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: INSTANCE }] }));
    const address = () =>
      plane.current.targetGroups.find((g) => g.targetGroupArn === group.TargetGroupArn)!.targets[0]!.address;
    assert.equal(address(), '127.0.0.1'); // no attribute: the server's own host
    const [targetId] = (await ecs.send(new ListContainerInstancesCommand({ cluster: 'hosts' }))).containerInstanceArns!;
    const attribute = { name: 'berth.host-address', targetId };
    await ecs.send(new PutAttributesCommand({ cluster: 'hosts', attributes: [{ ...attribute, value: '10.9.8.7' }] }));
    assert.equal(address(), '10.9.8.7');
    await ecs.send(new DeleteAttributesCommand({ cluster: 'hosts', attributes: [attribute] }));
    assert.equal(address(), '127.0.0.1');
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: INSTANCE }] }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn }));
    ecs.destroy();
  });
});
