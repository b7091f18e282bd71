import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { RecordingDataPlane } from '../../testing/elb-data-plane.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}
const first = (out: Json, key: string): Json => (out[key] as Json[])[0]!;

describe('AWS CLI v2: Elastic Load Balancing v2', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let run: ReturnType<typeof awsCliFor>['run'];
  let json: (...args: string[]) => Promise<Json>;
  const plane = new RecordingDataPlane();

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataPlane: plane });
    const cli = awsCliFor(server, 'elbv2');
    run = cli.run;
    json = (...args) => cli.json<Json>(...args);
  });
  after(() => server.stop());

  it('creates, wires, inspects and deletes a load balancer', async () => {
    const lb = first(
      await json('create-load-balancer', '--name', 'cli-web', '--tags', 'Key=env,Value=ci'),
      'LoadBalancers',
    );
    const lbArn = String(lb.LoadBalancerArn);
    assert.match(lbArn, /:loadbalancer\/app\/cli-web\/[0-9a-f]{16}$/);
    assert.match(String(lb.CreatedTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const tg = first(
      await json(
        'create-target-group',
        ...['--name', 'cli-api', '--protocol', 'HTTP', '--port', '8080', '--vpc-id', String(lb.VpcId)],
        ...['--target-type', 'ip', '--health-check-path', '/healthz', '--matcher', 'HttpCode=200-299'],
      ),
      'TargetGroups',
    );
    const tgArn = String(tg.TargetGroupArn);
    assert.deepEqual([tg.HealthCheckPath, tg.Matcher], ['/healthz', { HttpCode: '200-299' }]);
    const listener = first(
      await json(
        'create-listener',
        ...['--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', '8001'],
        ...['--default-actions', `Type=forward,TargetGroupArn=${tgArn}`],
      ),
      'Listeners',
    );
    const listenerArn = String(listener.ListenerArn);
    const conditions = JSON.stringify([
      { Field: 'path-pattern', Values: ['/v1/*'] },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'debug', Value: 'true' }] } },
    ]);
    const rule = first(
      await json(
        'create-rule',
        ...['--listener-arn', listenerArn, '--priority', '5', '--conditions', conditions],
        ...['--actions', `Type=forward,TargetGroupArn=${tgArn}`],
      ),
      'Rules',
    );
    assert.deepEqual((rule.Conditions as Json[])[1], {
      Field: 'query-string',
      QueryStringConfig: { Values: [{ Key: 'debug', Value: 'true' }] },
    });
    assert.deepEqual(
      plane.current.listeners[0]!.rules.map((r) => r.priority),
      [5, 'default'],
    );

    await json('register-targets', '--target-group-arn', tgArn, '--targets', 'Id=127.0.0.1,Port=3000', 'Id=127.0.0.2');
    const health = await json('describe-target-health', '--target-group-arn', tgArn);
    assert.deepEqual(
      (health.TargetHealthDescriptions as Json[]).map((d) => [
        (d.Target as Json).Id,
        (d.Target as Json).Port,
        (d.TargetHealth as Json).State,
      ]),
      [
        ['127.0.0.1', 3000, 'healthy'],
        ['127.0.0.2', 8080, 'healthy'],
      ],
    );
    await json('deregister-targets', '--target-group-arn', tgArn, '--targets', 'Id=127.0.0.2');

    await json(
      'modify-target-group-attributes',
      ...[
        '--target-group-arn',
        tgArn,
        '--attributes',
        'Key=load_balancing.algorithm.type,Value=least_outstanding_requests',
      ],
    );
    assert.equal(plane.current.targetGroups[0]!.algorithm, 'least_outstanding_requests');
    await json('add-tags', '--resource-arns', lbArn, tgArn, '--tags', 'Key=team,Value=edge');
    const tags = await json('describe-tags', '--resource-arns', lbArn, tgArn);
    assert.deepEqual(
      (tags.TagDescriptions as Json[]).map((d) => (d.Tags as Json[]).map((t) => t.Key)),
      [['env', 'team'], ['team']],
    );

    const missing = await run('describe-load-balancers', '--names', 'nope');
    assert.equal(missing.code, 254);
    assert.match(missing.stderr, /\(LoadBalancerNotFound\).*DescribeLoadBalancers/);
    const inUse = await run('delete-target-group', '--target-group-arn', tgArn);
    assert.match(inUse.stderr, /\(ResourceInUse\)/);
    const dup = await run(
      'create-rule',
      '--listener-arn',
      listenerArn,
      '--priority',
      '5',
      '--conditions',
      conditions,
      '--actions',
      `Type=forward,TargetGroupArn=${tgArn}`,
    );
    assert.match(dup.stderr, /\(PriorityInUse\)/);
    const invalid = await run(
      'create-target-group',
      '--name',
      'bad_name',
      '--protocol',
      'HTTP',
      '--port',
      '80',
      '--vpc-id',
      'vpc-1',
    );
    assert.match(invalid.stderr, /\(ValidationError\)/);

    await json('delete-rule', '--rule-arn', String(rule.RuleArn));
    await json('delete-listener', '--listener-arn', listenerArn);
    await json('delete-load-balancer', '--load-balancer-arn', lbArn);
    await json('delete-target-group', '--target-group-arn', tgArn);
    assert.deepEqual((await json('describe-load-balancers')).LoadBalancers, []);
  });

  it('pages with --page-size and --marker, and with its own --max-items', async () => {
    for (const name of ['cli-b', 'cli-a', 'cli-c']) await json('create-load-balancer', '--name', name);
    // PageSize and Marker are the API's own parameters: the CLI then hands over one page at a time.
    const names: unknown[] = [];
    let marker: string | undefined;
    do {
      const page = await json('describe-load-balancers', '--page-size', '2', ...(marker ? ['--marker', marker] : []));
      names.push(...(page.LoadBalancers as Json[]).map((lb) => lb.LoadBalancerName));
      marker = page.NextMarker as string | undefined;
    } while (marker);
    assert.deepEqual(names, ['cli-a', 'cli-b', 'cli-c']);
    const two = await json('describe-load-balancers', '--max-items', '2');
    assert.deepEqual(
      (two.LoadBalancers as Json[]).map((lb) => lb.LoadBalancerName),
      ['cli-a', 'cli-b'],
    );
    assert.ok(two.NextToken);
  });
});
