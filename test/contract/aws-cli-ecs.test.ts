import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

describe('AWS CLI v2: ECS clusters and task definitions', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let ecs: ReturnType<typeof awsCliFor>['run'];
  let json: (...args: string[]) => Promise<Record<string, Record<string, unknown>>>;
  before(async () => {
    server = await startTestServer();
    const cli = awsCliFor(server, 'ecs');
    ecs = cli.run;
    json = (...args) => cli.json<Record<string, Record<string, unknown>>>(...args);
  });
  after(() => server.stop());

  it('registers, describes, lists and deregisters a task definition', async () => {
    const containers = JSON.stringify([{ name: 'web', image: 'busybox', memory: 64, essential: true }]);
    const registered = await json(
      'register-task-definition',
      '--family',
      'cli-web',
      '--container-definitions',
      containers,
    );
    assert.equal(registered.taskDefinition!['revision'], 1);
    const described = await json('describe-task-definition', '--task-definition', 'cli-web');
    assert.equal(
      described.taskDefinition!['taskDefinitionArn'],
      'arn:aws:ecs:us-east-1:000000000000:task-definition/cli-web:1',
    );
    const listed = await json('list-task-definitions', '--family-prefix', 'cli-web');
    assert.deepEqual(listed.taskDefinitionArns, ['arn:aws:ecs:us-east-1:000000000000:task-definition/cli-web:1']);
    const deregistered = await json('deregister-task-definition', '--task-definition', 'cli-web:1');
    assert.equal(deregistered.taskDefinition!['status'], 'INACTIVE');
    const invalid = await ecs(
      'register-task-definition',
      '--family',
      'cli-bad',
      '--container-definitions',
      JSON.stringify([{ name: 'web', image: 'x' }]),
    );
    assert.match(
      invalid.stderr,
      /\(ClientException\).*At least one of 'memory' or 'memoryReservation' must be specified/,
    );
  });

  it('creates, updates and deletes a cluster', async () => {
    await json('create-cluster', '--cluster-name', 'cli-cluster');
    const updated = await json(
      'update-cluster-settings',
      '--cluster',
      'cli-cluster',
      '--settings',
      'name=containerInsights,value=enabled',
    );
    assert.deepEqual(updated.cluster!['settings'], [{ name: 'containerInsights', value: 'enabled' }]);
    const deleted = await json('delete-cluster', '--cluster', 'cli-cluster');
    assert.equal(deleted.cluster!['status'], 'INACTIVE');
  });
});
