import type { ServerResponse } from 'node:http';
import { RegistryError, type RegistryErrorCode } from '../ecr/index.ts';
import { DataVolumeFullError } from '../shared/storage-full.ts';
import { BlobsUnavailableError } from '../blobs/index.ts';

/**
 * The one table from registry error codes to HTTP (distribution's errcode registrations): every
 * registry failure is written here, as {"errors":[{"code","message","detail"}]}.
 */
const STATUS: Record<RegistryErrorCode, { status: number; code: string }> = {
  BLOB_UNKNOWN: { status: 404, code: 'BLOB_UNKNOWN' },
  BLOB_UPLOAD_INVALID: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
  DIGEST_INVALID: { status: 400, code: 'DIGEST_INVALID' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, code: 'MANIFEST_BLOB_UNKNOWN' },
  MANIFEST_INVALID: { status: 400, code: 'MANIFEST_INVALID' },
  MANIFEST_UNKNOWN: { status: 404, code: 'MANIFEST_UNKNOWN' },
  NAME_INVALID: { status: 400, code: 'NAME_INVALID' },
  NAME_UNKNOWN: { status: 404, code: 'NAME_UNKNOWN' },
  SIZE_INVALID: { status: 400, code: 'SIZE_INVALID' },
  TAG_INVALID: { status: 400, code: 'TAG_INVALID' },
  UNAUTHORIZED: { status: 401, code: 'UNAUTHORIZED' },
  DENIED: { status: 403, code: 'DENIED' },
  UNSUPPORTED: { status: 405, code: 'UNSUPPORTED' },
  RANGE_INVALID: { status: 416, code: 'RANGE_INVALID' },
  PAGINATION_NUMBER_INVALID: { status: 400, code: 'PAGINATION_NUMBER_INVALID' },
  // OCI: a registry that limits manifest size answers 413. The spec names no code; SIZE_INVALID fits.
  MANIFEST_TOO_LARGE: { status: 413, code: 'SIZE_INVALID' },
  // A layer past ECR's 52,000 MiB quota: the same answer.
  BLOB_TOO_LARGE: { status: 413, code: 'SIZE_INVALID' },
  // distribution's errcode.ErrorCodeUnavailable: "service unavailable", 503.
  UNAVAILABLE: { status: 503, code: 'UNAVAILABLE' },
};

/** The registry's error for a failure, or undefined when it is not one the registry answers itself. */
export function toRegistryError(error: unknown): RegistryError | undefined {
  if (error instanceof RegistryError) return error;
  if (error instanceof DataVolumeFullError) return new RegistryError('UNAVAILABLE', error.message);
  if (error instanceof BlobsUnavailableError) return new RegistryError('UNAVAILABLE', error.message);
  return undefined;
}

export function sendRegistryError(
  response: ServerResponse,
  error: RegistryError,
  headers: Record<string, string> = {},
): void {
  const { status, code } = STATUS[error.code];
  const body = JSON.stringify({ errors: [{ code, message: error.message, detail: error.detail ?? null }] });
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
