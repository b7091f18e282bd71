import { AwsError } from './aws-error.ts';

/**
 * The data volume has no space (or quota) left. Thrown at the store and blob-store edges in place
 * of ENOSPC, EDQUOT and SQLITE_FULL, so each protocol answers it in one place: the AWS APIs with
 * ServiceUnavailableException (HTTP 503), the registry with UNAVAILABLE (503). Nothing is half
 * written: the edge that throws it has removed what the failed write left, and later writes work
 * again once space is freed.
 */
export class DataVolumeFullError extends AwsError {
  readonly code = 'ServiceUnavailableException';
  override readonly senderFault = false;
  override readonly httpStatus = 503;
  constructor(options?: { cause?: unknown }) {
    super('The data volume is full: Berth cannot store anything until space is freed on it.', options);
  }
}

/** SQLite's primary result code for "database or disk is full". */
const SQLITE_FULL = 13;

/** Whether `error` says the disk (or the user's quota) is full: ENOSPC, EDQUOT, SQLITE_FULL. */
export function isStorageFull(error: unknown): boolean {
  if (error instanceof DataVolumeFullError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  // node:sqlite: code ERR_SQLITE_ERROR, errcode the (possibly extended) SQLite result code.
  return code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number' && (errcode & 0xff) === SQLITE_FULL;
}

/** `error` as a DataVolumeFullError when it says the disk is full; otherwise `error` itself. */
export function asDataVolumeFull(error: unknown): unknown {
  return isStorageFull(error) && !(error instanceof DataVolumeFullError)
    ? new DataVolumeFullError({ cause: error })
    : error;
}
