import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { RecordingDataPlane } from '../../testing/elb-data-plane.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

const env = { BERTH_MANAGED_CAPACITY: 'off' };

describe('ELBv2 across a server restart', () => {
  it('keeps every resource, and hands the new data plane the stored configuration at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-elb-restart-'));
    const client = (server: TestServer) =>
      new ElasticLoadBalancingV2Client({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: server.credentials,
        maxAttempts: 1,
      });
    try {
      const first = await startTestServer(env, { dataDir, dataPlane: new RecordingDataPlane() });
      const elb = client(first);
      const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'durable', Tags: [{ Key: 'k', Value: 'v' }] })))
        .LoadBalancers![0]!;
      const tg = (
        await elb.send(
          new CreateTargetGroupCommand({
            Name: 'durable',
            Protocol: 'HTTP',
            Port: 80,
            VpcId: lb.VpcId,
            TargetType: 'ip',
          }),
        )
      ).TargetGroups![0]!;
      const forward = [{ Type: 'forward' as const, TargetGroupArn: tg.TargetGroupArn }];
      const listener = (
        await elb.send(
          new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Port: 8500, DefaultActions: forward }),
        )
      ).Listeners![0]!;
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 7,
          Conditions: [{ Field: 'path-pattern', Values: ['/a'] }],
          Actions: forward,
        }),
      );
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '10.0.0.1' }] }));
      await elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg.TargetGroupArn,
          Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }],
        }),
      );
      const before = {
        lbs: (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers,
        tgs: (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups,
        rules: (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules,
      };
      await first.close();

      const plane = new RecordingDataPlane();
      const second = await startTestServer(env, { dataDir, dataPlane: plane });
      try {
        const again = client(second);
        assert.deepEqual((await again.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, before.lbs);
        assert.deepEqual((await again.send(new DescribeTargetGroupsCommand({}))).TargetGroups, before.tgs);
        assert.deepEqual(
          (await again.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules,
          before.rules,
        );
        const listeners = await again.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
        assert.deepEqual(listeners.Listeners, [listener]);
        const tags = await again.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!] }));
        assert.deepEqual(tags.TagDescriptions![0]!.Tags, [{ Key: 'k', Value: 'v' }]);
        const attributes = await again.send(
          new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }),
        );
        assert.equal(attributes.Attributes!.find((a) => a.Key === 'deregistration_delay.timeout_seconds')!.Value, '5');
        // The data plane was configured at start, before any call.
        assert.equal(plane.applied.length, 1);
        assert.deepEqual(
          plane.current.listeners.map((l) => [l.port, l.rules.map((r) => r.priority)]),
          [[8500, [7, 'default']]],
        );
        const health = await again.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
        assert.deepEqual(
          health.TargetHealthDescriptions!.map((d) => [d.Target!.Id, d.Target!.Port]),
          [['10.0.0.1', 80]],
        );
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
