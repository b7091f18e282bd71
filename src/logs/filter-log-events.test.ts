import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogEventPosition, LogEventRecord } from '../store/index.ts';
import { decodeFilterToken, encodeFilterToken } from './event-tokens.ts';
import { scanEvents } from './filter-log-events.ts';

// 2,500 events, one per millisecond; every tenth says "hit".
const events: LogEventRecord[] = Array.from({ length: 2500 }, (_, i) => ({
  streamName: 's',
  timestamp: i,
  seq: i + 1,
  ingestionTime: i,
  message: i % 10 === 0 ? `hit ${i}` : `miss ${i}`,
}));
const read = async (from: LogEventPosition, limit: number) =>
  events
    .filter((e) => e.timestamp > from.timestamp || (e.timestamp === from.timestamp && e.seq >= from.seq))
    .slice(0, limit);
const hits = (message: string) => message.startsWith('hit');
const start = { timestamp: 0, seq: 0 };

describe('FilterLogEvents scanning', () => {
  const cases: [name: string, limit: number, scanBudget: number, matched: number, resumesAfter: number | undefined][] =
    [
      // 250 hits in all.
      ['everything in one page: no token', 10_000, 100_000, 250, undefined],
      ['a full page resumes after its last match', 7, 100_000, 7, 60],
      ['the scan budget ends a page early, even empty', 10_000, 1000, 100, 999],
    ];
  for (const [name, limit, scanBudget, matched, resumesAfter] of cases) {
    it(name, async () => {
      const scan = await scanEvents(read, { from: start, matches: hits, limit, scanBudget });
      assert.equal(scan.matched.length, matched);
      assert.deepEqual(
        scan.resumeAt,
        resumesAfter === undefined ? undefined : { timestamp: resumesAfter, seq: resumesAfter + 2 },
      );
    });
  }

  it('needs no token when a page fills on the very last event', async () => {
    const scan = await scanEvents(read, { from: start, matches: () => true, limit: 2500 });
    assert.equal(scan.matched.length, 2500);
    assert.equal(scan.resumeAt, undefined);
  });

  it('pages through every match with tokens, each once, in order', async () => {
    const seen: string[] = [];
    let from: LogEventPosition | undefined = start;
    while (from) {
      const scan = await scanEvents(read, { from, matches: hits, limit: 33, scanBudget: 1000 });
      seen.push(...scan.matched.map((e) => e.message));
      from = scan.resumeAt && decodeFilterToken(encodeFilterToken(scan.resumeAt));
    }
    assert.deepEqual(
      seen,
      events.filter((e) => hits(e.message)).map((e) => e.message),
    );
  });

  it('refuses a token it did not make', () => {
    assert.throws(() => decodeFilterToken('bm90IGEgdG9rZW4'), { code: 'InvalidParameterException' });
  });
});
