import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBatch, MAX_AGE_MS, MAX_AHEAD_MS } from './put-log-events.ts';
import { DAY_MS } from './retention.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const at = (...offsets: number[]) => offsets.map((offset, i) => ({ timestamp: NOW + offset, message: `m${i}` }));

describe('PutLogEvents batch rules', () => {
  const cases: {
    name: string;
    offsets: number[];
    keepsFrom?: number;
    accepted: string[];
    rejected?: Record<string, number>;
  }[] = [
    { name: 'all valid', offsets: [-2000, -1000, -1000, 0], accepted: ['m0', 'm1', 'm2', 'm3'] },
    {
      name: 'too old: older than 14 days (exclusive end index)',
      offsets: [-MAX_AGE_MS - 1, -MAX_AGE_MS - 1, -1000],
      accepted: ['m2'],
      rejected: { tooOldLogEventEndIndex: 2 },
    },
    { name: 'exactly 14 days old is kept', offsets: [-MAX_AGE_MS], accepted: ['m0'] },
    {
      name: 'too new: more than 2 hours ahead (inclusive start index)',
      offsets: [0, MAX_AHEAD_MS, MAX_AHEAD_MS + 1],
      accepted: ['m0', 'm1'],
      rejected: { tooNewLogEventStartIndex: 2 },
    },
    {
      // A 3-day retention: 4 days old is expired, 15 days old is too old and expired.
      name: 'expired: before the group retention',
      offsets: [-15 * DAY_MS, -4 * DAY_MS, -1000],
      keepsFrom: NOW - 3 * DAY_MS,
      accepted: ['m2'],
      rejected: { tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 2 },
    },
    {
      name: 'everything rejected',
      offsets: [-MAX_AGE_MS - 5, 3 * MAX_AHEAD_MS],
      accepted: [],
      rejected: { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 1 },
    },
    {
      // Only the valid events count for the span: without the 20-day-old one, exactly 24 hours.
      name: 'span of the valid events only',
      offsets: [-20 * DAY_MS, -DAY_MS, 0],
      accepted: ['m1', 'm2'],
      rejected: { tooOldLogEventEndIndex: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { accepted, rejected } = checkBatch(at(...c.offsets), { now: NOW, keepsFrom: c.keepsFrom ?? 0 });
      assert.deepEqual(
        accepted.map((e) => e.message),
        c.accepted,
      );
      assert.deepEqual(rejected, c.rejected);
    });
  }

  const failures: [name: string, events: { timestamp: number; message: string }[], message: RegExp][] = [
    ['out of order', at(0, -1), /chronological order/],
    ['valid events spanning more than 24 hours', at(-DAY_MS - 1, 0), /cannot span more than 24 hours/],
    // 2 × (524,263 + 26) = 1,048,578 > 1,048,576 bytes
    [
      'more than 1,048,576 bytes with 26 per event',
      [
        { timestamp: NOW, message: 'x'.repeat(524_263) },
        { timestamp: NOW, message: 'x'.repeat(524_263) },
      ],
      /Upload too large: 1048578 bytes exceeds limit of 1048576/,
    ],
    ['more than 10,000 events', at(...Array.from({ length: 10_001 }, () => 0)), /at most 10000/],
  ];
  for (const [name, events, message] of failures) {
    it(`fails the whole batch: ${name}`, () => {
      assert.throws(() => checkBatch(events, { now: NOW, keepsFrom: 0 }), {
        code: 'InvalidParameterException',
        message,
      });
    });
  }

  it('accepts exactly 1,048,576 bytes', () => {
    // 2 × (524,262 + 26) = 1,048,576
    const events = [0, 1].map(() => ({ timestamp: NOW, message: 'x'.repeat(524_262) }));
    assert.equal(checkBatch(events, { now: NOW, keepsFrom: 0 }).accepted.length, 2);
  });
});
