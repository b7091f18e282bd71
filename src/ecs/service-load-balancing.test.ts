import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../store/index.ts';
import {
  countTarget,
  loadBalancersProblem,
  noTargetChanges,
  targetEvents,
  targetsOfTask,
  targetsVerdict,
  type TargetGroupInfo,
} from './service-load-balancing.ts';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';

function task(body: Record<string, unknown>): TaskRecord {
  return {
    id: 't1',
    cluster: 'c',
    arn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1',
    family: 'web',
    launchType: 'EC2',
    group: 'service:web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date(0),
    reservation: { cpu: 0, memory: 0, gpus: 0, ports: [] } as never,
    body,
  };
}

describe('service load balancing', () => {
  const lb = { targetGroupArn: TG, containerName: 'web', containerPort: 8080 };

  it('targets a bridge task at its instance and the host port bound to the container port', () => {
    const bridge = task({
      containers: [
        { name: 'side', networkBindings: [{ containerPort: 8080, hostPort: 1 }] },
        { name: 'web', networkBindings: [{ containerPort: 8080, hostPort: 49153 }] },
      ],
    });
    assert.deepEqual(targetsOfTask(bridge, [lb], { networkMode: 'bridge', ec2InstanceId: 'i-0abc' }), [
      { targetGroupArn: TG, id: 'i-0abc', port: 49153 },
    ]);
    // Not known yet: no binding reported, or no instance.
    assert.equal(
      targetsOfTask(task({ containers: [] }), [lb], { networkMode: 'bridge', ec2InstanceId: 'i-0' }),
      undefined,
    );
    assert.equal(targetsOfTask(bridge, [lb], { networkMode: 'bridge', ec2InstanceId: undefined }), undefined);
  });

  it('targets an awsvpc task at its own address and the container port', () => {
    const awsvpc = task({
      attachments: [
        { type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '172.30.0.7' }] },
      ],
    });
    assert.deepEqual(targetsOfTask(awsvpc, [lb], { networkMode: 'awsvpc', ec2InstanceId: undefined }), [
      { targetGroupArn: TG, id: '172.30.0.7', port: 8080 },
    ]);
    assert.equal(targetsOfTask(task({}), [lb], { networkMode: 'awsvpc', ec2InstanceId: undefined }), undefined);
  });

  it('counts a task healthy only when every target is', () => {
    assert.equal(targetsVerdict(['healthy', 'healthy']), 'healthy');
    assert.equal(targetsVerdict(['healthy', 'initial']), 'pending');
    assert.equal(targetsVerdict([undefined]), 'pending');
    assert.equal(targetsVerdict(['healthy', 'unhealthy']), 'unhealthy');
    assert.equal(targetsVerdict(['unavailable', 'unused']), 'healthy');
  });

  it('checks CreateService load balancers the way ECS words it', () => {
    const definition = {
      networkMode: 'awsvpc',
      containers: [{ name: 'web', portMappings: [{ containerPort: 8080 }] }],
    };
    const ip: TargetGroupInfo = { targetType: 'ip', loadBalancerArns: ['arn:lb'] };
    const groups = new Map([[TG, ip]]);
    assert.equal(loadBalancersProblem([lb], definition, groups), undefined);
    assert.match(
      loadBalancersProblem([{ ...lb, containerPort: 80 }], definition, groups)!,
      /did not have a container port 80 defined/,
    );
    assert.match(
      loadBalancersProblem([{ ...lb, containerName: 'db' }], definition, groups)!,
      /container db does not exist/,
    );
    assert.match(loadBalancersProblem([lb], definition, new Map())!, /does not exist/);
    assert.match(
      loadBalancersProblem([lb], definition, new Map([[TG, { ...ip, loadBalancerArns: [] }]]))!,
      /does not have an associated load balancer/,
    );
    assert.match(
      loadBalancersProblem([lb], definition, new Map([[TG, { ...ip, targetType: 'instance' }]]))!,
      /has target type instance, which is incompatible with the awsvpc network mode/,
    );
    assert.match(loadBalancersProblem(Array(6).fill(lb), definition, groups)!, /at most 5/);
  });
});

describe("a pass's target events", () => {
  const blue = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/blue/1';
  const green = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/green/2';
  it('says nothing when no target changed', () => {
    assert.deepEqual(targetEvents('web', noTargetChanges()), []);
  });
  it('groups targets per target group and draining per task, oldest first, in ECS words', () => {
    const changes = noTargetChanges();
    // Two tasks leave blue (one target each); two tasks join green.
    changes.draining.add('arn:task/a').add('arn:task/b');
    countTarget(changes.deregistered, { targetGroupArn: blue, id: '10.0.0.1', port: 80 });
    countTarget(changes.deregistered, { targetGroupArn: blue, id: '10.0.0.2', port: 80 });
    countTarget(changes.registered, { targetGroupArn: green, id: '10.0.0.3', port: 80 });
    countTarget(changes.registered, { targetGroupArn: green, id: '10.0.0.4', port: 80 });
    assert.deepEqual(targetEvents('web', changes), [
      '(service web) has begun draining connections on 2 tasks.',
      `(service web) deregistered 2 targets in (target-group ${blue})`,
      `(service web) registered 2 targets in (target-group ${green})`,
    ]);
  });
});
