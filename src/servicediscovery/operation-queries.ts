import type { RequestContext } from '../shared/request-context.ts';
import type { CloudMapOperationRecord } from '../store/index.ts';
import type { ServiceDiscoveryDeps } from './deps.ts';
import { OperationNotFound } from './errors.ts';
import { operationFilter } from './filters.ts';
import { DEFAULT_PAGE, decodeToken, encodeToken } from './page-tokens.ts';
import type {
  GetOperationRequest,
  GetOperationResponse,
  ListOperationsRequest,
  ListOperationsResponse,
} from './shapes.generated.ts';
import { operationView } from './views.ts';

/* GetOperation and ListOperations: the operations recorded by operation-records.ts, oldest first. */

const SCAN_CHUNK = 500;

export async function getOperation(
  deps: ServiceDiscoveryDeps,
  input: GetOperationRequest,
  context: RequestContext,
): Promise<GetOperationResponse> {
  const mine = input.OwnerAccount === undefined || input.OwnerAccount === context.accountId;
  const operation = mine ? await deps.store.serviceDiscovery.operation(input.OperationId) : undefined;
  if (!operation) throw new OperationNotFound();
  return { Operation: operationView(operation, context.accountId) };
}

export async function listOperations(
  deps: ServiceDiscoveryDeps,
  input: ListOperationsRequest,
  context: RequestContext,
): Promise<ListOperationsResponse> {
  const matches = operationFilter(input.Filters, context);
  const limit = input.MaxResults ?? DEFAULT_PAGE;
  const token = decodeToken(input.NextToken);
  let after =
    typeof token?.at === 'number' && typeof token.id === 'string'
      ? { createdAt: new Date(token.at), id: token.id }
      : undefined;
  const found: CloudMapOperationRecord[] = [];
  while (found.length <= limit) {
    const chunk = await deps.store.serviceDiscovery.operations({ ...(after ? { after } : {}), limit: SCAN_CHUNK });
    for (const operation of chunk) if (matches(operation) && found.push(operation) > limit) break;
    if (chunk.length < SCAN_CHUNK) break;
    const last = chunk[chunk.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return {
    Operations: page.map((operation) => ({ Id: operation.id, Status: operation.status })),
    ...(found.length > limit && last ? { NextToken: encodeToken({ at: last.createdAt.getTime(), id: last.id }) } : {}),
  };
}
