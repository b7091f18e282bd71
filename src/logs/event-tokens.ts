import type { LogEventPosition } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';

/*
 * Positions in a log stream or group, as the API shows them:
 * - an event id, 56 digits like AWS's: the timestamp (20 digits) then the seq (36 digits);
 * - GetLogEvents tokens "f/<56 digits>/s" and "b/<56 digits>/s", the position a page ends at in
 *   that direction (forward: events at or after it; backward: events before it). At the end of
 *   the stream a call returns the token it was given, which is how clients know to stop;
 * - FilterLogEvents tokens: the position after the last event searched, opaque (base64url).
 */

const ID = /^(\d{20})(\d{36})$/;
const STREAM_TOKEN = /^([fb])\/(\d{56})\/s$/;

export type Direction = 'forward' | 'backward';

export function formatEventId(position: LogEventPosition): string {
  return `${String(position.timestamp).padStart(20, '0')}${String(position.seq).padStart(36, '0')}`;
}

export function parseEventId(id: string): LogEventPosition | undefined {
  const match = ID.exec(id);
  if (!match) return undefined;
  const timestamp = Number(match[1]);
  const seq = Number(match[2]);
  return Number.isSafeInteger(timestamp) && Number.isSafeInteger(seq) ? { timestamp, seq } : undefined;
}

/** The position just after an event. */
export function after(event: LogEventPosition): LogEventPosition {
  return { timestamp: event.timestamp, seq: event.seq + 1 };
}

export function formatStreamToken(direction: Direction, position: LogEventPosition): string {
  return `${direction === 'forward' ? 'f' : 'b'}/${formatEventId(position)}/s`;
}

export function parseStreamToken(token: string): { direction: Direction; position: LogEventPosition } {
  const match = STREAM_TOKEN.exec(token);
  const position = match ? parseEventId(match[2]!) : undefined;
  if (!match || !position) throw invalidToken();
  return { direction: match[1] === 'f' ? 'forward' : 'backward', position };
}

export function encodeFilterToken(position: LogEventPosition): string {
  return Buffer.from(JSON.stringify({ t: position.timestamp, s: position.seq }), 'utf8').toString('base64url');
}

export function decodeFilterToken(token: string): LogEventPosition {
  try {
    const { t, s } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { t?: unknown; s?: unknown };
    if (Number.isSafeInteger(t) && Number.isSafeInteger(s)) return { timestamp: t as number, seq: s as number };
  } catch {
    // fall through
  }
  throw invalidToken();
}

/** Opaque tokens of list calls: the sort key of the last item returned, base64url JSON. */
export function encodeListToken(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeListToken(token: string | undefined): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw invalidToken();
}

function invalidToken(): InvalidParameterException {
  return new InvalidParameterException('The specified nextToken is invalid.');
}
