import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRun, parseSchedule, ScheduleError } from './schedule.ts';

const ms = (iso: string) => Date.parse(iso);
const next = (text: string, after: string, timeZone = 'UTC', anchor = after) => {
  const run = nextRun(parseSchedule(text), { after: ms(after), timeZone, anchor: ms(anchor) });
  return run === undefined ? undefined : new Date(run).toISOString();
};

describe('parseSchedule refuses', () => {
  const bad = [
    'every(5 minutes)',
    'at(2026-02-30T10:00:00)', // no 30 February
    'at(2026-12-01 10:00:00)',
    'rate(0 minutes)',
    'rate(5 minute)', // plural needed
    'rate(1 hours)',
    'rate(5 weeks)',
    'cron(0 10 * * ? *)'.replace('?', '*'), // both days given
    'cron(0 10 ? * ? *)', // neither
    'cron(0 10 * * ?)', // five fields
    'cron(60 10 * * ? *)',
    'cron(0 10 L * ? *)',
    'cron(0 10 ? * 2#1 *)',
    'cron(0 10 5-1 * ? *)',
    'x'.repeat(300),
  ];
  for (const text of bad) {
    it(text.slice(0, 40), () => assert.throws(() => parseSchedule(text), ScheduleError));
  }
});

describe('nextRun', () => {
  const cases: [string, string, string, string | undefined][] = [
    // [schedule, after, zone, expected]
    ['at(2026-12-04T10:00:00)', '2026-12-04T09:00:00Z', 'UTC', '2026-12-04T10:00:00.000Z'],
    ['at(2026-12-04T10:00:00)', '2026-12-04T10:00:00Z', 'UTC', undefined], // strictly after
    // 10:00 in New York in December is UTC-5
    ['at(2026-12-04T10:00:00)', '2026-12-04T09:00:00Z', 'America/New_York', '2026-12-04T15:00:00.000Z'],
    // every weekday at 09:30
    ['cron(30 9 ? * MON-FRI *)', '2026-12-04T10:00:00Z', 'UTC', '2026-12-07T09:30:00.000Z'], // Fri → Mon
    ['cron(*/15 * * * ? *)', '2026-12-04T10:07:00Z', 'UTC', '2026-12-04T10:15:00.000Z'],
    ['cron(0 0 1 JAN ? 2027)', '2026-12-04T10:07:00Z', 'UTC', '2027-01-01T00:00:00.000Z'],
    ['cron(0 0 1 JAN ? 2025)', '2026-12-04T10:07:00Z', 'UTC', undefined],
    ['cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z', 'UTC', '2028-02-29T00:00:00.000Z'],
    // 08:00 in Paris in summer (UTC+2) and winter (UTC+1)
    ['cron(0 8 * * ? *)', '2026-07-01T07:00:00Z', 'Europe/Paris', '2026-07-02T06:00:00.000Z'],
    ['cron(0 8 * * ? *)', '2026-12-01T06:00:00Z', 'Europe/Paris', '2026-12-01T07:00:00.000Z'],
    // day-of-week 1 is Sunday
    ['cron(0 12 ? * 1 *)', '2026-12-04T00:00:00Z', 'UTC', '2026-12-06T12:00:00.000Z'],
  ];
  for (const [text, after, zone, expected] of cases) {
    it(`${text} after ${after} in ${zone}`, () => assert.equal(next(text, after, zone), expected));
  }
  it('rate() runs every period from its anchor', () => {
    // anchor 10:00, every 5 minutes: after 10:12 → 10:15
    assert.equal(
      next('rate(5 minutes)', '2026-12-04T10:12:00Z', 'UTC', '2026-12-04T10:00:00Z'),
      '2026-12-04T10:15:00.000Z',
    );
    // a future anchor (StartTime) is the first run
    assert.equal(
      next('rate(1 day)', '2026-12-04T10:12:00Z', 'UTC', '2026-12-05T00:00:00Z'),
      '2026-12-05T00:00:00.000Z',
    );
  });
});
