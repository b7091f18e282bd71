import type { SsmSessionQuery, SsmSessionStatus } from '../store/index.ts';
import { InvalidFilterKey, ValidationException } from './errors.ts';
import type { SessionFilter } from './shapes.generated.ts';

type Filters = {
  -readonly [K in 'invokedAfter' | 'invokedBefore' | 'target' | 'owner' | 'status' | 'sessionId']?: SsmSessionQuery[K];
};

const STATUSES: readonly SsmSessionStatus[] = [
  'Connected',
  'Connecting',
  'Disconnected',
  'Terminated',
  'Terminating',
  'Failed',
];

/** Narrows `out` by one filter; false when no session can match any more. */
type Apply = (out: Filters, value: string) => boolean;

function exact(field: 'target' | 'owner' | 'sessionId'): Apply {
  return (out, value) => {
    if (out[field] !== undefined && out[field] !== value) return false;
    out[field] = value;
    return true;
  };
}

const APPLY: Record<string, Apply> = {
  InvokedAfter: (out, value) => {
    const at = timestamp('InvokedAfter', value);
    if (!out.invokedAfter || at > out.invokedAfter) out.invokedAfter = at;
    return true;
  },
  InvokedBefore: (out, value) => {
    const at = timestamp('InvokedBefore', value);
    if (!out.invokedBefore || at < out.invokedBefore) out.invokedBefore = at;
    return true;
  },
  Target: exact('target'),
  Owner: exact('owner'),
  SessionId: exact('sessionId'),
  Status: (out, value) => {
    const status = STATUSES.find((s) => s === value);
    if (!status) throw new ValidationException(`The filter value ${value} is not valid for the filter key Status.`);
    if (out.status !== undefined && out.status !== status) return false;
    out.status = status;
    return true;
  },
  // ECS Exec's sessions are Standard.
  AccessType: (_out, value) => {
    if (value !== 'Standard' && value !== 'JustInTime') {
      throw new ValidationException(`The filter value ${value} is not valid for the filter key AccessType.`);
    }
    return value === 'Standard';
  },
};

/**
 * DescribeSessions' filters, all of which a session must match: InvokedAfter (started at or
 * after) and InvokedBefore (started before) take a timestamp (2024-08-29T00:00:00Z); Target,
 * Owner and SessionId an exact value; Status one of SSM's statuses; AccessType Standard or
 * JustInTime. 'none': no session can match (the same key with two values, or JustInTime).
 */
export function compileSessionFilters(filters: readonly SessionFilter[] | undefined): Filters | 'none' {
  const out: Filters = {};
  for (const { key, value } of filters ?? []) {
    const apply = Object.hasOwn(APPLY, key) ? APPLY[key] : undefined;
    if (!apply) throw new InvalidFilterKey(`The filter key ${String(key)} is not valid.`);
    if (!apply(out, value)) return 'none';
  }
  return out;
}

function timestamp(key: string, value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw new ValidationException(`The filter value ${value} is not a valid timestamp for the filter key ${key}.`);
  }
  return at;
}
