/*
 * Scheduled actions' expressions, as Application Auto Scaling takes them: at(yyyy-mm-ddThh:mm:ss),
 * rate(value unit) and cron(minutes hours day-of-month month day-of-week year), read in the
 * action's time zone (IANA, UTC by default). Pure: the caller passes the instants. Parsing splits
 * and reads each field once (linear in the expression's length); nextRun walks days, not minutes.
 */

export class ScheduleError extends Error {}

interface LocalTime {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** Undefined when the field is `?` (the day of the week decides). */
  readonly daysOfMonth: ReadonlySet<number> | undefined;
  readonly months: ReadonlySet<number>;
  /** 1-7 = SUN-SAT; undefined when the field is `?`. */
  readonly daysOfWeek: ReadonlySet<number> | undefined;
  readonly years: ReadonlySet<number>;
}

export type Schedule =
  | { readonly kind: 'at'; readonly at: LocalTime }
  | { readonly kind: 'rate'; readonly everyMs: number }
  | { readonly kind: 'cron'; readonly fields: CronFields };

const MAX_LENGTH = 256;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseSchedule(text: string): Schedule {
  if (text.length > MAX_LENGTH) throw new ScheduleError(`the schedule is longer than ${MAX_LENGTH} characters`);
  const match = /^(at|rate|cron)\((.*)\)$/.exec(text.trim());
  if (!match) throw new ScheduleError('the schedule must be at(...), rate(...) or cron(...)');
  const [, kind, body] = match as unknown as [string, string, string];
  if (kind === 'at') return { kind: 'at', at: parseAt(body) };
  if (kind === 'rate') return { kind: 'rate', everyMs: parseRate(body) };
  return { kind: 'cron', fields: parseCron(body) };
}

function parseAt(body: string): LocalTime {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!m) throw new ScheduleError('at() takes yyyy-mm-ddThh:mm:ss');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const time = { year, month, day, hour, minute, second };
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
    throw new ScheduleError(`at(${body}) is not a valid date and time`);
  return time;
}

function parseRate(body: string): number {
  const m = /^(\d{1,9})\s+(minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!m) throw new ScheduleError('rate() takes a positive whole number and minute(s), hour(s) or day(s)');
  const value = Number(m[1]);
  const unit = m[2]!.replace(/s$/, '');
  if (value < 1) throw new ScheduleError('rate() takes a value of at least 1');
  if ((value === 1) !== (m[2] === unit))
    throw new ScheduleError(`rate(${body}): use ${value === 1 ? 'a singular' : 'a plural'} unit`);
  return value * UNITS[unit]!;
}

function parseCron(body: string): CronFields {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6)
    throw new ScheduleError('cron() takes six fields: minutes hours day-of-month month day-of-week year');
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?'))
    throw new ScheduleError('cron(): one of day-of-month and day-of-week must be ?, and only one');
  return {
    minutes: parseField(min, 'minutes', 0, 59),
    hours: parseField(hour, 'hours', 0, 23),
    daysOfMonth: dom === '?' ? undefined : parseField(dom, 'day-of-month', 1, 31),
    months: parseField(month, 'month', 1, 12, MONTHS),
    daysOfWeek: dow === '?' ? undefined : parseField(dow, 'day-of-week', 1, 7, DAYS),
    years: parseField(year, 'year', 1970, 2199),
  };
}

function parseField(text: string, name: string, low: number, high: number, names?: readonly string[]): Set<number> {
  if (/[LW#]/.test(text.replace(/[A-Z]{3}/g, '')))
    throw new ScheduleError(`cron(): the ${name} field uses L, W or #, which Berth does not evaluate yet`);
  const value = (token: string): number => {
    const index = names?.indexOf(token.toUpperCase()) ?? -1;
    const n = index >= 0 ? index + 1 : /^\d+$/.test(token) ? Number(token) : NaN;
    if (!(n >= low && n <= high)) throw new ScheduleError(`cron(): ${token} is not a valid ${name} value`);
    return n;
  };
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`cron(): ${item} has an invalid step`);
    let from: number, to: number;
    if (range === '*') [from, to] = [low, high];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [from, to] = [value(a), value(b)];
      if (from > to) throw new ScheduleError(`cron(): ${range} is not an ascending range`);
    } else [from, to] = [value(range), stepText === undefined ? value(range) : high];
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

/** Whether a time zone is one the runtime knows (IANA names, UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The schedule's first run strictly after `after` (epoch ms), or undefined when it has none (an
 * at() passed, a cron() whose years are over). rate() runs every period from `anchor`.
 */
export function nextRun(
  schedule: Schedule,
  options: { readonly after: number; readonly timeZone: string; readonly anchor: number },
): number | undefined {
  const { after, timeZone } = options;
  if (schedule.kind === 'at') {
    const at = zonedToUtc(schedule.at, timeZone);
    return at > after ? at : undefined;
  }
  if (schedule.kind === 'rate') {
    if (options.anchor > after) return options.anchor;
    return options.anchor + (Math.floor((after - options.anchor) / schedule.everyMs) + 1) * schedule.everyMs;
  }
  return nextCron(schedule.fields, after, timeZone);
}

const MAX_DAYS = 366 * 8;

function nextCron(fields: CronFields, after: number, timeZone: string): number | undefined {
  const start = localTime(after, timeZone);
  const day = new Date(Date.UTC(start.year, start.month - 1, start.day));
  for (let i = 0; i < MAX_DAYS; i++, day.setUTCDate(day.getUTCDate() + 1)) {
    const [year, month, date] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    if (year > 2199) return undefined;
    if (!fields.years.has(year) || !fields.months.has(month)) continue;
    const dayMatches = fields.daysOfMonth ? fields.daysOfMonth.has(date) : fields.daysOfWeek!.has(day.getUTCDay() + 1);
    if (!dayMatches) continue;
    for (const hour of [...fields.hours].sort((a, b) => a - b)) {
      for (const minute of [...fields.minutes].sort((a, b) => a - b)) {
        const at = zonedToUtc({ year, month, day: date, hour, minute, second: 0 }, timeZone);
        if (at > after) return at;
      }
    }
  }
  return undefined;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function localTime(utc: number, timeZone: string): LocalTime {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(utc)).map((p) => [p.type, Number(p.value)]));
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function offsetAt(utc: number, timeZone: string): number {
  const t = localTime(utc, timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(utc / 1000) * 1000;
}

/** The instant a wall-clock time in a zone names (a time skipped by a DST change moves forward). */
export function zonedToUtc(local: LocalTime, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}
