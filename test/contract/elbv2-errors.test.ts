import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { rejectsWith } from '../../testing/assertions.ts';
import { ELB_ARN as ARN, startElbApiServer } from '../../testing/elb-api-server.ts';
import type { RecordingDataPlane } from '../../testing/elb-data-plane.ts';
import type { TestServer } from '../../testing/server.ts';

describe('ELBv2 with the AWS SDK v3: errors, busy ports, the scheduler API', () => {
  let server: TestServer;
  let elb: ElasticLoadBalancingV2Client;
  let plane: RecordingDataPlane;
  before(async () => {
    ({ server, elb, plane } = await startElbApiServer());
  });
  after(() => server.stop());

  it("answers bad input with ELBv2's error codes", async () => {
    const missingTg = `${ARN}:targetgroup/nope/0123456789abcdef`;
    await rejectsWith(
      elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [missingTg] })),
      'TargetGroupNotFoundException',
    );
    await rejectsWith(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })), 'LoadBalancerNotFoundException');
    await rejectsWith(elb.send(new CreateLoadBalancerCommand({ Name: 'bad_name' })), 'ValidationError', /alphanumeric/);
    await rejectsWith(elb.send(new CreateLoadBalancerCommand({ Name: 'internal-x' })), 'ValidationError');
    await rejectsWith(
      elb.send(new CreateLoadBalancerCommand({ Name: 'nlb', Type: 'network' })),
      'OperationNotPermittedException',
    );
    await rejectsWith(
      elb.send(new CreateTargetGroupCommand({ Name: 'tg', Protocol: 'HTTP', Port: 70000, VpcId: 'vpc-1' })),
      'ValidationError',
      /less than or equal to 65535/,
    );
    await rejectsWith(
      elb.send(new CreateTargetGroupCommand({ Name: 'fn', TargetType: 'lambda' })),
      'InvalidConfigurationRequestException',
    );
    await rejectsWith(
      elb.send(
        new CreateTargetGroupCommand({
          Name: 'tg',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-1',
          HealthCheckIntervalSeconds: 10,
          HealthCheckTimeoutSeconds: 10,
        }),
      ),
      'ValidationError',
      /smaller than the interval/,
    );
    await elb.send(new CreateTargetGroupCommand({ Name: 'dup', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1' }));
    await rejectsWith(
      elb.send(new CreateTargetGroupCommand({ Name: 'dup', Protocol: 'HTTP', Port: 81, VpcId: 'vpc-1' })),
      'DuplicateTargetGroupNameException',
    );
    await rejectsWith(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: `${ARN}:loadbalancer/app/x/0123456789abcdef`,
          Port: 1,
          DefaultActions: [],
        }),
      ),
      'LoadBalancerNotFoundException',
    );
  });

  it('refuses a listener port the data plane cannot bind, and writes nothing', async () => {
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'busy' }))).LoadBalancers![0]!;
    plane.busyPorts.add(9999);
    await rejectsWith(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 9999,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
        }),
      ),
      'InvalidConfigurationRequestException',
      /Port 9999/,
    );
    assert.deepEqual(
      (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners,
      [],
    );
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  });

  it('gives the service scheduler targets and health without the HTTP API', async () => {
    const group = (
      await elb.send(
        new CreateTargetGroupCommand({ Name: 'svc', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }),
      )
    ).TargetGroups![0]!;
    await server.elb.registerServiceTarget(group.TargetGroupArn!, { id: '127.0.0.1', port: 32768 });
    assert.equal(server.elb.targetHealthOf(group.TargetGroupArn!, '127.0.0.1', 32768)?.state, 'healthy');
    assert.equal((await server.elb.describeTargetGroup(group.TargetGroupArn!))?.TargetGroupName, 'svc');
    assert.equal(await server.elb.describeTargetGroup(`${ARN}:targetgroup/none/0123456789abcdef`), undefined);
    await server.elb.deregisterServiceTarget(group.TargetGroupArn!, { id: '127.0.0.1', port: 32768 });
    await server.elb.deregisterServiceTarget(group.TargetGroupArn!, { id: '127.0.0.1', port: 32768 });
    assert.equal(server.elb.targetHealthOf(group.TargetGroupArn!, '127.0.0.1', 32768), undefined);
  });

  it('refuses a target at the server’s own API port with InvalidTarget', async () => {
    const group = (
      await elb.send(
        new CreateTargetGroupCommand({ Name: 'self', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1', TargetType: 'ip' }),
      )
    ).TargetGroups![0]!;
    const target = { Id: '127.0.0.1', Port: server.port };
    await rejectsWith(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [target] })),
      'InvalidTargetException',
      new RegExp(`'127\\.0\\.0\\.1:${server.port}' \\(the API and registry\\)`),
    );
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn }));
  });

  /** Signs and sends a query call as GET /?Action=... (or POST with a form body). */
  async function raw(method: 'GET' | 'POST', params: Record<string, string>): Promise<Response> {
    const { host } = new URL(server.url);
    const form = new URLSearchParams(params).toString();
    const signer = new SignatureV4({
      credentials: server.credentials,
      region: 'us-east-1',
      service: 'elasticloadbalancing',
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: host,
      path: '/',
      query: method === 'GET' ? params : {},
      headers: { host, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(method === 'POST' ? { body: form } : {}),
    });
    const headers = { ...(signed.headers as Record<string, string>) };
    delete headers.host;
    const url = method === 'GET' ? `${server.url}/?${form}` : `${server.url}/`;
    return fetch(url, { method, headers, ...(method === 'POST' ? { body: form } : {}) });
  }

  it('takes GET /?Action=... and answers XML, errors in an ErrorResponse with the model status', async () => {
    const ok = await raw('GET', { Action: 'DescribeLoadBalancers', Version: '2015-12-01', PageSize: '1' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'text/xml');
    assert.match(
      await ok.text(),
      /^<DescribeLoadBalancersResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><DescribeLoadBalancersResult>/,
    );
    const unknown = await raw('POST', { Action: 'Explode', Version: '2015-12-01' });
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /<Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);
    const later = await raw('POST', {
      Action: 'CreateTrustStore',
      Version: '2015-12-01',
      Name: 'ts',
      CaCertificatesBundleS3Bucket: 'b',
      CaCertificatesBundleS3Key: 'k',
    });
    assert.equal(later.status, 501);
    assert.match(await later.text(), /<Type>Receiver<\/Type><Code>NotImplementedException<\/Code>/);
  });
});
