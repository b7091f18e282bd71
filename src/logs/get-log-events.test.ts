import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { createLogAppender } from './append-log-events.ts';
import { formatEventId, formatStreamToken, parseEventId, parseStreamToken } from './event-tokens.ts';
import { getLogEvents } from './get-log-events.ts';
import type { LogsDeps } from './log-groups.ts';
import type { GetLogEventsRequest } from './shapes.generated.ts';
import { rootPrincipal } from '../shared/principal.ts';

const context: RequestContext = {
  requestId: 'r',
  accountId: '000000000000',
  region: 'us-east-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('000000000000'),
};
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('event ids and stream tokens', () => {
  it('round-trips positions through 56-digit ids and f/…/s, b/…/s tokens', () => {
    const position = { timestamp: T0, seq: 42 };
    assert.equal(formatEventId(position), `0000000${T0}${'0'.repeat(34)}42`);
    assert.equal(formatEventId(position).length, 56);
    assert.deepEqual(parseEventId(formatEventId(position)), position);
    assert.deepEqual(parseStreamToken(formatStreamToken('forward', position)), { direction: 'forward', position });
    assert.deepEqual(parseStreamToken(formatStreamToken('backward', position)), { direction: 'backward', position });
  });

  for (const token of ['', 'f/123/s', 'x/00000000000000000000000000000000000000000000000000000000/s', 'f//s']) {
    it(`refuses the token ${JSON.stringify(token)}`, () => {
      assert.throws(() => parseStreamToken(token), { code: 'InvalidParameterException' });
    });
  }
});

describe('GetLogEvents paging', () => {
  let deps: LogsDeps;
  // Ten events, two per timestamp: e0 e1 at T0, e2 e3 at T0+1000, ...
  const messages = Array.from({ length: 10 }, (_, i) => `e${i}`);
  const read = (input: Partial<GetLogEventsRequest>) =>
    getLogEvents(deps, { logGroupName: 'g', logStreamName: 's', ...input }, context);

  before(async () => {
    const clock = new FakeClock(new Date(T0 + 60_000));
    deps = { store: await SqliteStore.open(':memory:'), clock };
    const events = messages.map((message, i) => ({ timestamp: T0 + Math.floor(i / 2) * 1000, message }));
    await createLogAppender(deps).appendLogEvents('g', 's', events, { createGroup: true });
    await createLogAppender(deps).appendLogEvents('g', 'empty', [], { createGroup: false });
  });

  for (const limit of [1, 2, 3, 4, 9, 10, 11]) {
    it(`forward from the head, ${limit} at a time, until the token comes back`, async () => {
      const seen: string[] = [];
      let page = await read({ startFromHead: true, limit });
      for (let calls = 1; ; calls++) {
        seen.push(...page.events!.map((e) => e.message!));
        const next = await read({ nextToken: page.nextForwardToken, limit });
        if (next.nextForwardToken === page.nextForwardToken) {
          assert.deepEqual(next.events, []);
          // ceil(10 / limit) pages with events, then the empty one.
          assert.equal(calls, Math.ceil(10 / limit));
          break;
        }
        page = next;
      }
      assert.deepEqual(seen, messages);
    });

    it(`backward from the tail, ${limit} at a time, each page oldest first`, async () => {
      const pages: string[][] = [];
      let page = await read({ limit });
      for (;;) {
        pages.push(page.events!.map((e) => e.message!));
        const next = await read({ nextToken: page.nextBackwardToken, limit });
        if (next.nextBackwardToken === page.nextBackwardToken) break;
        page = next;
      }
      assert.deepEqual(pages.reverse().flat(), messages);
    });
  }

  it('turns around: forward from a backward page continues after it', async () => {
    const tail = await read({ limit: 4 }); // e6..e9
    const back = await read({ nextToken: tail.nextBackwardToken, limit: 3 }); // e3..e5
    const forward = await read({ nextToken: back.nextForwardToken, limit: 2 }); // e6, e7
    assert.deepEqual(
      [tail, back, forward].map((p) => p.events!.map((e) => e.message)),
      [
        ['e6', 'e7', 'e8', 'e9'],
        ['e3', 'e4', 'e5'],
        ['e6', 'e7'],
      ],
    );
  });

  it('keeps to [startTime, endTime) in both directions', async () => {
    const window = { startTime: T0 + 1000, endTime: T0 + 3000 };
    const head = await read({ ...window, startFromHead: true });
    assert.deepEqual(
      head.events!.map((e) => e.message),
      ['e2', 'e3', 'e4', 'e5'],
    );
    const tail = await read({ ...window, limit: 1 });
    assert.deepEqual(
      tail.events!.map((e) => e.message),
      ['e5'],
    );
    const empty = await read({ startTime: T0 + 9000, endTime: T0 + 9500 });
    assert.deepEqual(empty.events, []);
    assert.match(empty.nextForwardToken!, /^f\//);
    assert.match(empty.nextBackwardToken!, /^b\//);
  });

  it('answers an empty stream with tokens that lead nowhere new', async () => {
    const first = await read({ logStreamName: 'empty', startFromHead: true });
    assert.deepEqual(first.events, []);
    const again = await read({ logStreamName: 'empty', nextToken: first.nextForwardToken });
    assert.equal(again.nextForwardToken, first.nextForwardToken);
  });

  it('hides events past the group retention before they are pruned', async () => {
    await deps.store.logs.setRetention('g', 1);
    (deps.clock as FakeClock).set(new Date(T0 + 24 * 60 * 60 * 1000 + 2500)); // one day after e4/e5 were written
    const page = await read({ startFromHead: true });
    assert.deepEqual(
      page.events!.map((e) => e.message),
      ['e6', 'e7', 'e8', 'e9'],
    );
    await deps.store.logs.setRetention('g', undefined);
  });
});
