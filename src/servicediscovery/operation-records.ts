import type { CloudMapOperationRecord, CloudMapOperationType, CloudMapWrite } from '../store/index.ts';
import type { ServiceDiscoveryDeps } from './deps.ts';
import { newOperationId } from './ids.ts';

/*
 * Cloud Map's asynchronous operations, as GetOperation reports them. Berth applies each at once, in
 * the transaction that records it, so an operation is written already finished: SUCCESS, or FAIL
 * with Cloud Map's ErrorCode and a message, its CreateDate when it was submitted and its UpdateDate
 * when it finished (the same instant). Operations are kept 30 days; each write that records one
 * deletes a few older ones.
 */

export const OPERATION_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface OperationScope {
  readonly targets: CloudMapOperationRecord['targets'];
  readonly namespaceId?: string;
  readonly serviceId?: string;
  readonly requestKey?: string;
}

export function succeeded(
  deps: Pick<ServiceDiscoveryDeps, 'clock'>,
  type: CloudMapOperationType,
  scope: OperationScope,
): CloudMapOperationRecord {
  const at = deps.clock.now();
  return { id: newOperationId(), type, status: 'SUCCESS', createdAt: at, updatedAt: at, ...scope };
}

export function failed(
  deps: Pick<ServiceDiscoveryDeps, 'clock'>,
  type: CloudMapOperationType,
  scope: OperationScope,
  error: { code: string; message: string },
): CloudMapOperationRecord {
  const at = deps.clock.now();
  return {
    id: newOperationId(),
    type,
    status: 'FAIL',
    createdAt: at,
    updatedAt: at,
    errorCode: error.code,
    errorMessage: error.message,
    ...scope,
  };
}

/** What a write that records operations also does: it prunes those past their retention. */
export function recording(
  deps: Pick<ServiceDiscoveryDeps, 'clock'>,
  operations: readonly CloudMapOperationRecord[],
): Pick<CloudMapWrite, 'operations' | 'pruneOperationsBefore'> {
  return { operations, pruneOperationsBefore: new Date(deps.clock.now().getTime() - OPERATION_RETENTION_MS) };
}
