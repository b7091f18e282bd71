import { ACTIVE_SESSION_STATUSES, type SsmSessionQuery, type SsmSessionRecord } from '../store/index.ts';
import type { SsmDeps } from './deps.ts';
import { InvalidNextToken } from './errors.ts';
import { decodeToken, encodeToken } from './page-tokens.ts';
import { compileSessionFilters } from './session-filters.ts';
import type {
  DescribeSessionsRequest,
  DescribeSessionsResponse,
  Session,
  TerminateSessionRequest,
  TerminateSessionResponse,
} from './shapes.generated.ts';

/** SSM answers up to this many sessions when MaxResults is absent. */
const DEFAULT_MAX_RESULTS = 20;

/**
 * DescribeSessions: one state's sessions (Active: Connected, Connecting, Disconnected,
 * Terminating; History: Terminated, Failed, for the 30 days SSM keeps them), newest first,
 * filtered as SSM filters them, a page at a time.
 */
export async function describeSessions(
  deps: SsmDeps,
  input: DescribeSessionsRequest,
): Promise<DescribeSessionsResponse> {
  const filters = compileSessionFilters(input.Filters);
  const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
  if (filters === 'none') return { Sessions: [] };
  const query: SsmSessionQuery = {
    state: input.State,
    ...filters,
    after: positionOf(input.NextToken, input.State),
    limit: limit + 1,
  };
  const records = await deps.store.ssmSessions.list(query);
  const page = records.slice(0, limit);
  const last = page.at(-1);
  return {
    Sessions: page.map(sessionOf),
    ...(records.length > limit && last
      ? { NextToken: encodeToken({ s: input.State, t: last.startDate.getTime(), i: last.sessionId }) }
      : {}),
  };
}

/**
 * TerminateSession: a live session becomes Terminated and its streams are closed (the plugin is
 * told channel_closed and exits). SSM answers the session id whatever the session's state, an
 * unknown or ended one included: terminating is idempotent, and the API's only error is a fault.
 */
export async function terminateSession(
  deps: SsmDeps,
  input: TerminateSessionRequest,
): Promise<TerminateSessionResponse> {
  const sessionId = input.SessionId;
  const moved = await deps.store.ssmSessions.transition(sessionId, {
    from: ACTIVE_SESSION_STATUSES,
    status: 'Terminated',
    endDate: deps.clock.now(),
  });
  if (moved) deps.liveSessions?.terminate(sessionId);
  return { SessionId: sessionId };
}

function positionOf(token: string | undefined, state: string): SsmSessionQuery['after'] {
  const position = decodeToken(token);
  if (!position) return undefined;
  const { s, t, i } = position;
  if (s !== state || typeof t !== 'number' || typeof i !== 'string') throw new InvalidNextToken();
  return { startDate: new Date(t), sessionId: i };
}

function sessionOf(record: SsmSessionRecord): Session {
  return {
    SessionId: record.sessionId,
    Target: record.target,
    Status: record.status,
    StartDate: record.startDate,
    ...(record.endDate ? { EndDate: record.endDate } : {}),
    DocumentName: record.documentName,
    Owner: record.owner,
    AccessType: 'Standard',
  };
}
