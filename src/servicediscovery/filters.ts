import type { ArnScope } from '../shared/arn.ts';
import type { CloudMapOperationRecord, StoredNamespace, StoredService } from '../store/index.ts';
import { InvalidInput } from './errors.ts';
import { idOf } from './ids.ts';
import { dnsKey } from './names.ts';
import type { NamespaceFilter, OperationFilter, ServiceFilter } from './shapes.generated.ts';

/*
 * The Filters of ListNamespaces, ListServices and ListOperations, as their API reference describes
 * them: a resource is listed when it matches every filter. Each filter name takes the conditions
 * its reference names (EQ with one value, the default even for UPDATE_DATE, which takes only
 * BETWEEN with a start and an end; IN with several; BEGINS_WITH with a prefix); anything else is
 * InvalidInput. RESOURCE_OWNER is SELF or OTHER_ACCOUNTS: nothing is shared with a Berth server,
 * so OTHER_ACCOUNTS lists nothing.
 */

type Condition = 'EQ' | 'IN' | 'BETWEEN' | 'BEGINS_WITH';
type Filter = { Name: string; Values: string[]; Condition?: Condition };

const CONDITIONS: Record<string, readonly Condition[]> = {
  'namespace TYPE': ['EQ', 'IN'],
  'namespace NAME': ['EQ', 'BEGINS_WITH'],
  'namespace HTTP_NAME': ['EQ', 'BEGINS_WITH'],
  'namespace RESOURCE_OWNER': ['EQ'],
  'service NAMESPACE_ID': ['EQ', 'IN'],
  'service RESOURCE_OWNER': ['EQ'],
  'operation NAMESPACE_ID': ['EQ'],
  'operation SERVICE_ID': ['EQ'],
  'operation STATUS': ['EQ', 'IN'],
  'operation TYPE': ['EQ', 'IN'],
  'operation UPDATE_DATE': ['BETWEEN'],
};

/** The filter's condition, checked against what its name takes, and its values' count. */
function conditionOf(kind: string, filter: Filter): Condition {
  const allowed = CONDITIONS[`${kind} ${filter.Name}`] ?? [];
  const condition = filter.Condition ?? 'EQ';
  if (!allowed.includes(condition)) {
    throw new InvalidInput(`The ${filter.Name} filter takes the condition ${allowed.join(' or ')}, not ${condition}.`);
  }
  const count = filter.Values.length;
  if (count === 0) throw new InvalidInput(`The ${filter.Name} filter needs at least one value.`);
  if ((condition === 'EQ' || condition === 'BEGINS_WITH') && count !== 1) {
    throw new InvalidInput(`The ${filter.Name} filter with the condition ${condition} takes exactly one value.`);
  }
  if (condition === 'BETWEEN' && count !== 2) {
    throw new InvalidInput(`The ${filter.Name} filter with the condition BETWEEN takes a start and an end.`);
  }
  return condition;
}

function ownerTest(filter: Filter): () => boolean {
  const value = filter.Values[0];
  if (value !== 'SELF' && value !== 'OTHER_ACCOUNTS') {
    throw new InvalidInput(`The RESOURCE_OWNER filter takes SELF or OTHER_ACCOUNTS, not ${value}.`);
  }
  return () => value === 'SELF';
}

function textTest(condition: Condition, values: readonly string[], key: (value: string) => string) {
  const wanted = values.map(key);
  return (actual: string) => (condition === 'BEGINS_WITH' ? actual.startsWith(wanted[0]!) : wanted.includes(actual));
}

export function namespaceFilter(filters: readonly NamespaceFilter[] = []): (namespace: StoredNamespace) => boolean {
  const tests = filters.map((filter): ((namespace: StoredNamespace) => boolean) => {
    const condition = conditionOf('namespace', filter);
    if (filter.Name === 'RESOURCE_OWNER') return ownerTest(filter);
    if (filter.Name === 'TYPE') return (namespace) => filter.Values.includes(namespace.type);
    // NAME and HTTP_NAME: a namespace's HttpName is its name; names compare as DNS names do.
    const test = textTest(condition, filter.Values, dnsKey);
    return (namespace) => test(namespace.nameKey);
  });
  return (namespace) => tests.every((test) => test(namespace));
}

export function serviceFilter(
  filters: readonly ServiceFilter[] = [],
  scope: ArnScope,
): (service: StoredService) => boolean {
  const tests = filters.map((filter): ((service: StoredService) => boolean) => {
    conditionOf('service', filter);
    if (filter.Name === 'RESOURCE_OWNER') return ownerTest(filter);
    const ids = filter.Values.map((value) => idOf(value, 'namespace', scope));
    return (service) => ids.includes(service.namespaceId);
  });
  return (service) => tests.every((test) => test(service));
}

const OPERATION_STATUSES = new Set(['SUBMITTED', 'PENDING', 'SUCCESS', 'FAIL']);

export function operationFilter(
  filters: readonly OperationFilter[] = [],
  scope: ArnScope,
): (operation: CloudMapOperationRecord) => boolean {
  const tests = filters.map((filter): ((operation: CloudMapOperationRecord) => boolean) => {
    conditionOf('operation', filter);
    switch (filter.Name) {
      case 'NAMESPACE_ID': {
        const id = idOf(filter.Values[0]!, 'namespace', scope);
        return (operation) => operation.namespaceId === id;
      }
      case 'SERVICE_ID': {
        const id = idOf(filter.Values[0]!, 'service', scope);
        return (operation) => operation.serviceId === id;
      }
      case 'STATUS': {
        // The reference spells the status SUCCEED in its filter's description; both are taken.
        const statuses = filter.Values.map((value) => (value === 'SUCCEED' ? 'SUCCESS' : value));
        const wrong = statuses.find((status) => !OPERATION_STATUSES.has(status));
        if (wrong !== undefined) throw new InvalidInput(`${wrong} is not an operation status.`);
        return (operation) => statuses.includes(operation.status);
      }
      case 'TYPE':
        return (operation) => filter.Values.includes(operation.type);
      default: {
        const [start, end] = filter.Values.map(epochMillis) as [number, number];
        return (operation) => operation.updatedAt.getTime() >= start && operation.updatedAt.getTime() <= end;
      }
    }
  });
  return (operation) => tests.every((test) => test(operation));
}

/** UPDATE_DATE's values: Unix time in seconds, perhaps with a fraction. */
function epochMillis(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds)) {
    throw new InvalidInput(`UPDATE_DATE values are Unix times in seconds: ${value} is not one.`);
  }
  return Math.round(seconds * 1000);
}
