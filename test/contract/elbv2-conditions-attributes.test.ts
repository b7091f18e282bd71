import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { RecordingDataPlane } from '../../testing/elb-data-plane.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}
const first = (out: Json, key: string): Json => (out[key] as Json[])[0]!;

// What ELBv2 accepts and answers as AWS does: a rule condition's legacy Values holds one value (the
// API reference: "a single host name", "a single path pattern"), and an Application Load Balancer
// describes load_balancing.cross_zone.enabled as true, which "can't be changed".
describe('AWS CLI v2: ELBv2 rule condition values and cross-zone load balancing', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let run: ReturnType<typeof awsCliFor>['run'];
  let json: (...args: string[]) => Promise<Json>;
  let lbArn: string;
  let tgArn: string;
  let listenerArn: string;

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataPlane: new RecordingDataPlane() });
    const cli = awsCliFor(server, 'elbv2');
    run = cli.run;
    json = (...args) => cli.json<Json>(...args);
    const lb = first(await json('create-load-balancer', '--name', 'faithful'), 'LoadBalancers');
    lbArn = String(lb.LoadBalancerArn);
    const tg = first(
      await json(
        'create-target-group',
        ...['--name', 'faithful', '--protocol', 'HTTP', '--port', '80', '--vpc-id', String(lb.VpcId)],
      ),
      'TargetGroups',
    );
    tgArn = String(tg.TargetGroupArn);
    const listener = first(
      await json(
        'create-listener',
        ...['--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', '8002'],
        ...['--default-actions', `Type=forward,TargetGroupArn=${tgArn}`],
      ),
      'Listeners',
    );
    listenerArn = String(listener.ListenerArn);
  });
  after(() => server.stop());

  const createRule = (priority: number, conditions: unknown) =>
    run(
      'create-rule',
      ...['--listener-arn', listenerArn, '--priority', String(priority), '--conditions', JSON.stringify(conditions)],
      ...['--actions', `Type=forward,TargetGroupArn=${tgArn}`],
    );

  it('refuses several values in the legacy Values of path-pattern and host-header, with ELB words', async () => {
    for (const [field, values] of [
      ['path-pattern', ['/a/*', '/b/*']],
      ['host-header', ['a.example.com', 'b.example.com']],
    ] as const) {
      const refused = await createRule(10, [{ Field: field, Values: values }]);
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr,
        new RegExp(`\\(ValidationError\\).*The '${field}' field contains too many values; the limit is '1'`),
      );
    }
  });

  it('takes one legacy value, or several in the condition configuration', async () => {
    const one = await createRule(11, [{ Field: 'path-pattern', Values: ['/one/*'] }]);
    assert.equal(one.code, 0, one.stderr);
    const several = await createRule(12, [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a/*', '/b/*'] } }]);
    assert.equal(several.code, 0, several.stderr);
    const rule = (JSON.parse(several.stdout) as { Rules: Json[] }).Rules[0]!;
    assert.deepEqual((rule.Conditions as Json[])[0]!.PathPatternConfig, { Values: ['/a/*', '/b/*'] });
  });

  it('describes cross-zone load balancing as on, accepts true and refuses false', async () => {
    const attributes = async () =>
      Object.fromEntries(
        ((await json('describe-load-balancer-attributes', '--load-balancer-arn', lbArn)).Attributes as Json[]).map(
          (a) => [a.Key, a.Value],
        ),
      );
    assert.equal((await attributes())['load_balancing.cross_zone.enabled'], 'true');
    const on = await run(
      'modify-load-balancer-attributes',
      ...['--load-balancer-arn', lbArn, '--attributes', 'Key=load_balancing.cross_zone.enabled,Value=true'],
    );
    assert.equal(on.code, 0, on.stderr);
    const off = await run(
      'modify-load-balancer-attributes',
      ...['--load-balancer-arn', lbArn, '--attributes', 'Key=load_balancing.cross_zone.enabled,Value=false'],
    );
    assert.notEqual(off.code, 0);
    assert.match(off.stderr, /\(ValidationError\).*load_balancing\.cross_zone\.enabled/);
    assert.equal((await attributes())['load_balancing.cross_zone.enabled'], 'true');
    // A target group may still turn it off for its own targets.
    const tgOff = await run(
      'modify-target-group-attributes',
      ...['--target-group-arn', tgArn, '--attributes', 'Key=load_balancing.cross_zone.enabled,Value=false'],
    );
    assert.equal(tgOff.code, 0, tgOff.stderr);
  });
});
