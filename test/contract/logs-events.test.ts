import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  paginateFilterLogEvents,
  paginateGetLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('CloudWatch Logs events with the AWS SDK v3', () => {
  let server: TestServer;
  let logs: CloudWatchLogsClient;
  const now = Date.now();
  const put = (logStreamName: string, logEvents: { timestamp: number; message: string }[], logGroupName = 'events') =>
    logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }));

  before(async () => {
    server = await startTestServer();
    logs = new CloudWatchLogsClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'events' }));
    for (const logStreamName of ['app/web/1', 'app/web/2', 'app/worker/1', 'paged']) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'events', logStreamName }));
    }
  });
  after(async () => {
    logs.destroy();
    await server.stop();
  });

  describe('PutLogEvents', () => {
    it('stores a batch, ignoring sequence tokens, and counts its bytes in the group', async () => {
      const first = await put('app/web/1', [
        { timestamp: now - 3000, message: 'GET /index 200' },
        { timestamp: now - 2000, message: 'GET /missing 404' },
      ]);
      assert.match(first.nextSequenceToken ?? '', /^\d{56}$/);
      assert.equal(first.rejectedLogEventsInfo, undefined);
      const second = await logs.send(
        new PutLogEventsCommand({
          logGroupName: 'events',
          logStreamName: 'app/web/1',
          logEvents: [{ timestamp: now - 1000, message: 'ERROR upstream timed out' }],
          sequenceToken: 'not-a-token-we-ever-gave',
        }),
      );
      assert.notEqual(second.nextSequenceToken, first.nextSequenceToken);
      const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'events' }))).logGroups?.[0];
      assert.equal(group?.storedBytes, 14 + 16 + 24);
    });

    it('rejects events too old or too new, storing the rest', async () => {
      const out = await put('app/worker/1', [
        { timestamp: now - 15 * DAY, message: 'ancient' },
        { timestamp: now - 500, message: '{"level":"error","code":500,"user":{"id":7}}' },
        { timestamp: now - 400, message: '{"level":"info","code":200,"user":{"id":8}}' },
        { timestamp: now + 3 * HOUR, message: 'future' },
      ]);
      assert.deepEqual(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 3 });
      const stored = await logs.send(
        new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'app/worker/1', startFromHead: true }),
      );
      assert.equal(stored.events?.length, 2);
    });

    it('refuses batches out of order, too large or spanning more than a day, and unknown streams', async () => {
      await rejectsWith(
        put('app/web/2', [
          { timestamp: now, message: 'b' },
          { timestamp: now - 1, message: 'a' },
        ]),
        'InvalidParameterException',
        /chronological order/,
      );
      await rejectsWith(
        put('app/web/2', [
          { timestamp: now - 2 * DAY, message: 'a' },
          { timestamp: now, message: 'b' },
        ]),
        'InvalidParameterException',
        /24 hours/,
      );
      // 2 × (524,270 + 26) = 1,048,592 bytes > 1,048,576.
      const big = 'x'.repeat(524_270);
      await rejectsWith(
        put('app/web/2', [
          { timestamp: now, message: big },
          { timestamp: now, message: big },
        ]),
        'InvalidParameterException',
        /Upload too large/,
      );
      await rejectsWith(put('nope', [{ timestamp: now, message: 'a' }]), 'ResourceNotFoundException', /log stream/);
      await rejectsWith(put('x', [{ timestamp: now, message: 'a' }], 'nope'), 'ResourceNotFoundException', /log group/);
      await rejectsWith(put('app/web/2', [{ timestamp: now, message: '' }]), 'InvalidParameterException');
    });
  });

  describe('GetLogEvents', () => {
    const times = Array.from({ length: 25 }, (_, i) => now - 60_000 + i * 1000);
    before(async () => {
      await put(
        'paged',
        times.map((timestamp, i) => ({ timestamp, message: `line ${i}` })),
      );
    });

    it('reads the newest events by default and the oldest from the head', async () => {
      const tail = await logs.send(
        new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'paged', limit: 3 }),
      );
      assert.deepEqual(
        tail.events?.map((e) => e.message),
        ['line 22', 'line 23', 'line 24'],
      );
      assert.match(tail.nextForwardToken ?? '', /^f\/\d{56}\/s$/);
      assert.match(tail.nextBackwardToken ?? '', /^b\/\d{56}\/s$/);
      const head = await logs.send(
        new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'paged', limit: 2, startFromHead: true }),
      );
      assert.deepEqual(
        head.events?.map((e) => [e.timestamp, e.message]),
        [
          [times[0], 'line 0'],
          [times[1], 'line 1'],
        ],
      );
      assert.ok(head.events![0]!.ingestionTime! >= now - 1000);
    });

    it('pages forward until the same token comes back, as the SDK paginator expects', async () => {
      const messages: string[] = [];
      const tokens: string[] = [];
      for await (const page of paginateGetLogEvents(
        { client: logs, pageSize: 10, stopOnSameToken: true },
        { logGroupName: 'events', logStreamName: 'paged', startFromHead: true },
      )) {
        messages.push(...(page.events ?? []).map((e) => e.message!));
        tokens.push(page.nextForwardToken!);
      }
      assert.deepEqual(
        messages,
        times.map((_, i) => `line ${i}`),
      );
      // 10 + 10 + 5 events, then an empty page that answers the token it was given.
      assert.equal(tokens.length, 4);
      assert.equal(tokens[3], tokens[2]);
    });

    it('pages backward from the tail', async () => {
      const last = await logs.send(
        new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'paged', limit: 10 }),
      );
      const before = await logs.send(
        new GetLogEventsCommand({
          logGroupName: 'events',
          logStreamName: 'paged',
          limit: 10,
          nextToken: last.nextBackwardToken,
        }),
      );
      assert.deepEqual(
        before.events?.map((e) => e.message),
        times.slice(5, 15).map((_, i) => `line ${i + 5}`),
      );
      const oldest = await logs.send(
        new GetLogEventsCommand({
          logGroupName: 'events',
          logStreamName: 'paged',
          nextToken: before.nextBackwardToken,
        }),
      );
      assert.equal(oldest.events?.length, 5);
      const end = await logs.send(
        new GetLogEventsCommand({
          logGroupName: 'events',
          logStreamName: 'paged',
          nextToken: oldest.nextBackwardToken,
        }),
      );
      assert.deepEqual(end.events, []);
      assert.equal(end.nextBackwardToken, oldest.nextBackwardToken);
    });

    it('reads a time range [startTime, endTime), by group ARN too', async () => {
      const out = await logs.send(
        new GetLogEventsCommand({
          logGroupIdentifier: 'arn:aws:logs:us-east-1:000000000000:log-group:events',
          logStreamName: 'paged',
          startTime: times[3],
          endTime: times[6],
          startFromHead: true,
        }),
      );
      assert.deepEqual(
        out.events?.map((e) => e.message),
        ['line 3', 'line 4', 'line 5'],
      );
      await rejectsWith(
        logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'nope' })),
        'ResourceNotFoundException',
        /log stream/,
      );
      await rejectsWith(
        logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 'paged', nextToken: 'x' })),
        'InvalidParameterException',
      );
    });
  });

  describe('FilterLogEvents', () => {
    it('interleaves the streams of a group and matches terms and JSON patterns', async () => {
      const filter = async (filterPattern: string, more: { logStreamNamePrefix?: string } = {}) =>
        (await logs.send(new FilterLogEventsCommand({ logGroupName: 'events', filterPattern, ...more }))).events?.map(
          (e) => e.message,
        );
      assert.deepEqual(await filter('GET'), ['GET /index 200', 'GET /missing 404']);
      assert.deepEqual(await filter('GET -404'), ['GET /index 200']);
      assert.deepEqual(await filter('?ERROR ?404'), ['GET /missing 404', 'ERROR upstream timed out']);
      assert.deepEqual(await filter('"timed out"'), ['ERROR upstream timed out']);
      assert.deepEqual(await filter('{ $.level = "error" }'), ['{"level":"error","code":500,"user":{"id":7}}']);
      assert.deepEqual(await filter('{ $.code >= 200 && $.user.id != 7 }'), [
        '{"level":"info","code":200,"user":{"id":8}}',
      ]);
      // Interleaved by time: web/1's three events, then worker/1's two.
      const all = await logs.send(new FilterLogEventsCommand({ logGroupName: 'events', logStreamNamePrefix: 'app/' }));
      assert.deepEqual(
        all.events?.map((e) => e.logStreamName),
        ['app/web/1', 'app/web/1', 'app/web/1', 'app/worker/1', 'app/worker/1'],
      );
      assert.match(all.events?.[0]?.eventId ?? '', /^\d{56}$/);
      assert.deepEqual(all.searchedLogStreams, []);
      assert.equal(all.nextToken, undefined);
      assert.deepEqual(await filter('ERROR', { logStreamNamePrefix: 'app/worker' }), []);
    });

    it('limits by streams and time, and pages with nextToken', async () => {
      const names = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: 'events',
          logStreamNames: ['app/web/1', 'paged'],
          startTime: now - 3000,
          endTime: now - 2000,
        }),
      );
      // endTime is inclusive here.
      assert.deepEqual(
        names.events?.map((e) => e.message),
        ['GET /index 200', 'GET /missing 404'],
      );
      const messages: string[] = [];
      let pages = 0;
      for await (const page of paginateFilterLogEvents(
        { client: logs, pageSize: 10 },
        { logGroupName: 'events', logStreamNames: ['paged'], filterPattern: 'line' },
      )) {
        pages++;
        messages.push(...(page.events ?? []).map((e) => e.message!));
      }
      assert.equal(messages.length, 25);
      assert.equal(pages, 3);
      await rejectsWith(
        logs.send(
          new FilterLogEventsCommand({ logGroupName: 'events', logStreamNames: ['a'], logStreamNamePrefix: 'a' }),
        ),
        'InvalidParameterException',
      );
      await rejectsWith(
        logs.send(new FilterLogEventsCommand({ logGroupName: 'events', filterPattern: '{ $.a = }' })),
        'InvalidParameterException',
        /Invalid filter pattern/,
      );
      await rejectsWith(logs.send(new FilterLogEventsCommand({ logGroupName: 'nope' })), 'ResourceNotFoundException');
    });
  });
});
