import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutLogGroupDeletionProtectionCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';

describe('CloudWatch Logs groups and streams with the AWS SDK v3', () => {
  let server: TestServer;
  let logs: CloudWatchLogsClient;
  const arnOf = (group: string) => `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;

  before(async () => {
    server = await startTestServer();
    logs = new CloudWatchLogsClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    logs.destroy();
    await server.stop();
  });

  describe('log groups', () => {
    it('creates a group once and describes it as AWS does', async () => {
      const before = Date.now();
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/web', tags: { team: 'a' } }));
      await rejectsWith(
        logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/web' })),
        'ResourceAlreadyExistsException',
        /The specified log group already exists/,
      );
      const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/web' }));
      assert.equal(logGroups?.length, 1);
      const [group] = logGroups!;
      assert.equal(group?.logGroupName, '/ecs/web');
      assert.equal(group?.arn, `${arnOf('/ecs/web')}:*`);
      assert.equal(group?.logGroupArn, arnOf('/ecs/web'));
      assert.equal(group?.storedBytes, 0);
      assert.equal(group?.logGroupClass, 'STANDARD');
      assert.equal(group?.retentionInDays, undefined);
      assert.ok(group!.creationTime! >= before && group!.creationTime! <= Date.now());
    });

    it('refuses names outside the grammar and unknown classes', async () => {
      for (const logGroupName of ['has space', 'star*', 'x'.repeat(513)]) {
        await rejectsWith(logs.send(new CreateLogGroupCommand({ logGroupName })), 'InvalidParameterException');
      }
      await rejectsWith(
        logs.send(new CreateLogGroupCommand({ logGroupName: 'aws/mine' })),
        'InvalidParameterException',
        /aws\//,
      );
      await rejectsWith(
        logs.send(new CreateLogGroupCommand({ logGroupName: 'c', logGroupClass: 'COLD' as never })),
        'InvalidParameterException',
        /enum value set/,
      );
    });

    it('lists groups in name order, page by page, by prefix, pattern and class', async () => {
      for (const name of ['page/c', 'page/a', 'page/b']) {
        await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
      }
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'page/ia', logGroupClass: 'INFREQUENT_ACCESS' }));
      const names: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeLogGroups(
        { client: logs, pageSize: 2 },
        { logGroupNamePrefix: 'page/' },
      )) {
        pages++;
        names.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
      }
      assert.deepEqual(names, ['page/a', 'page/b', 'page/c', 'page/ia']);
      assert.equal(pages, 2);
      const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'ge/b' }));
      // With a pattern AWS returns only the name, ARN and creation time.
      assert.deepEqual(Object.keys(byPattern.logGroups?.[0] ?? {}).sort(), ['arn', 'creationTime', 'logGroupName']);
      const byClass = await logs.send(new DescribeLogGroupsCommand({ logGroupClass: 'INFREQUENT_ACCESS' }));
      assert.deepEqual(
        byClass.logGroups?.map((g) => g.logGroupName),
        ['page/ia'],
      );
      await rejectsWith(
        logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'a', logGroupNamePattern: 'b' })),
        'InvalidParameterException',
      );
      await rejectsWith(logs.send(new DescribeLogGroupsCommand({ nextToken: 'garbage' })), 'InvalidParameterException');
    });

    it('sets and deletes a retention policy, of the allowed values only', async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'retained' }));
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'retained', retentionInDays: 14 }));
      const described = async () =>
        (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'retained' }))).logGroups?.[0];
      assert.equal((await described())?.retentionInDays, 14);
      await rejectsWith(
        logs.send(new PutRetentionPolicyCommand({ logGroupName: 'retained', retentionInDays: 2 })),
        'InvalidParameterException',
        /Member must satisfy enum value set: \[1, 3, 5, 7, 14, 30/,
      );
      await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'retained' }));
      assert.equal((await described())?.retentionInDays, undefined);
      await rejectsWith(
        logs.send(new PutRetentionPolicyCommand({ logGroupName: 'nope', retentionInDays: 1 })),
        'ResourceNotFoundException',
        /The specified log group does not exist/,
      );
    });

    it('deletes a group with its streams and events; deletion protection refuses', async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'doomed' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'doomed', logStreamName: 's' }));
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: 'doomed',
          logStreamName: 's',
          logEvents: [{ timestamp: Date.now(), message: 'bye' }],
        }),
      );
      await logs.send(new DeleteLogGroupCommand({ logGroupName: 'doomed' }));
      await rejectsWith(logs.send(new DeleteLogGroupCommand({ logGroupName: 'doomed' })), 'ResourceNotFoundException');
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'doomed' }));
      const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'doomed' }));
      assert.deepEqual(streams.logStreams, []);

      await logs.send(new CreateLogGroupCommand({ logGroupName: 'kept', deletionProtectionEnabled: true }));
      await rejectsWith(logs.send(new DeleteLogGroupCommand({ logGroupName: 'kept' })), 'ValidationException');
      await logs.send(
        new PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: 'kept', deletionProtectionEnabled: false }),
      );
      await logs.send(new DeleteLogGroupCommand({ logGroupName: 'kept' }));
    });

    it('tags a group by ARN, and by name with the older calls', async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'tagged', tags: { a: '1' } }));
      await logs.send(new TagResourceCommand({ resourceArn: arnOf('tagged'), tags: { b: '2', a: 'one' } }));
      const listed = await logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf('tagged') }));
      assert.deepEqual(listed.tags, { a: 'one', b: '2' });
      await logs.send(new UntagResourceCommand({ resourceArn: arnOf('tagged'), tagKeys: ['a'] }));
      await logs.send(new TagLogGroupCommand({ logGroupName: 'tagged', tags: { c: '3' } }));
      assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: 'tagged' }))).tags, {
        b: '2',
        c: '3',
      });
      await rejectsWith(
        logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf('untagged-missing') })),
        'ResourceNotFoundException',
      );
      const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
      await rejectsWith(
        logs.send(new TagResourceCommand({ resourceArn: arnOf('tagged'), tags: many })),
        'TooManyTagsException',
      );
    });
  });

  describe('log streams', () => {
    before(async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/streams' }));
    });

    it('creates a stream once, in an existing group', async () => {
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: 'web/app/1' }));
      await rejectsWith(
        logs.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: 'web/app/1' })),
        'ResourceAlreadyExistsException',
        /The specified log stream already exists/,
      );
      await rejectsWith(
        logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 'x' })),
        'ResourceNotFoundException',
        /The specified log group does not exist/,
      );
      await rejectsWith(
        logs.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: 'a:b' })),
        'InvalidParameterException',
      );
    });

    it('describes streams with their event times, by name prefix or last event time', async () => {
      const now = Date.now();
      for (const [name, offset] of [
        ['order/b', 3000],
        ['order/a', 1000],
        ['order/c', 2000],
      ] as const) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: name }));
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: '/streams',
            logStreamName: name,
            logEvents: [
              { timestamp: now - offset, message: 'first' },
              { timestamp: now - offset + 10, message: 'second' },
            ],
          }),
        );
      }
      const byName = await logs.send(
        new DescribeLogStreamsCommand({ logGroupName: '/streams', logStreamNamePrefix: 'order/', limit: 2 }),
      );
      assert.deepEqual(
        byName.logStreams?.map((s) => s.logStreamName),
        ['order/a', 'order/b'],
      );
      const rest = await logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: '/streams',
          logStreamNamePrefix: 'order/',
          nextToken: byName.nextToken,
        }),
      );
      assert.deepEqual(
        rest.logStreams?.map((s) => s.logStreamName),
        ['order/c'],
      );
      assert.equal(rest.nextToken, undefined);
      const [a] = byName.logStreams!;
      assert.equal(a?.firstEventTimestamp, now - 1000);
      assert.equal(a?.lastEventTimestamp, now - 990);
      assert.ok(a!.lastIngestionTime! >= now - 5000);
      assert.equal(a?.arn, `${arnOf('/streams')}:log-stream:order/a`);
      assert.equal(a?.storedBytes, 0);
      assert.match(a?.uploadSequenceToken ?? '', /^\d{56}$/);
      const latestFirst = await logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: '/streams',
          orderBy: 'LastEventTime',
          descending: true,
          limit: 3,
        }),
      );
      assert.deepEqual(
        latestFirst.logStreams?.map((s) => s.logStreamName),
        ['order/a', 'order/c', 'order/b'],
      );
      await rejectsWith(
        logs.send(
          new DescribeLogStreamsCommand({
            logGroupName: '/streams',
            orderBy: 'LastEventTime',
            logStreamNamePrefix: 'o',
          }),
        ),
        'InvalidParameterException',
      );
      const byArn = await logs.send(
        new DescribeLogStreamsCommand({ logGroupIdentifier: arnOf('/streams'), logStreamNamePrefix: 'order/c' }),
      );
      assert.equal(byArn.logStreams?.length, 1);
      await rejectsWith(
        logs.send(new DescribeLogStreamsCommand({ logGroupName: '/nope' })),
        'ResourceNotFoundException',
      );
    });

    it('deletes a stream, once', async () => {
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: 'gone' }));
      await logs.send(new DeleteLogStreamCommand({ logGroupName: '/streams', logStreamName: 'gone' }));
      await rejectsWith(
        logs.send(new DeleteLogStreamCommand({ logGroupName: '/streams', logStreamName: 'gone' })),
        'ResourceNotFoundException',
        /The specified log stream does not exist/,
      );
    });
  });
});
