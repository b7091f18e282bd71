import type { SsmParameterRecord } from '../store/index.ts';
import { InvalidFilterKey, InvalidFilterOption, InvalidFilterValue, ValidationException } from './errors.ts';
import { normalizePath } from './names.ts';
import type { ParameterStringFilter, ParametersFilter } from './shapes.generated.ts';

/*
 * DescribeParameters' and GetParametersByPath's filters, compiled once into a predicate over a
 * parameter's newest version. Filters combine with AND, a filter's values with OR. Which keys and
 * options each operation takes is AWS's ParameterStringFilter reference: DescribeParameters every
 * key but Label (Name also Contains, Path Recursive or OneLevel), GetParametersByPath Type, KeyId and
 * Label (Label with Equals only).
 */

export type ParameterPredicate = (record: SsmParameterRecord) => boolean;

const DESCRIBE_KEYS = ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType'];
const BY_PATH_KEYS = ['Type', 'KeyId', 'Label'];

export interface CompiledFilters {
  readonly matches: ParameterPredicate;
  /** The narrowest name prefix every match has (a Path filter's), for the store's range scan. */
  readonly prefix: string | undefined;
  /** GetParametersByPath's Label filter: the labels one of whose versions is answered. */
  readonly labels: readonly string[] | undefined;
}

export function compileDescribeFilters(
  filters: readonly ParametersFilter[] | undefined,
  parameterFilters: readonly ParameterStringFilter[] | undefined,
): CompiledFilters {
  if (filters?.length && parameterFilters?.length) {
    throw new ValidationException('You can use either Filters or ParameterFilters in a single request.');
  }
  const legacy: ParameterStringFilter[] = (filters ?? []).map((filter) => ({
    Key: filter.Key,
    Option: filter.Key === 'Name' ? 'BeginsWith' : 'Equals',
    Values: filter.Values,
  }));
  const all = [...legacy, ...(parameterFilters ?? [])];
  const predicates = all.map((filter) => compileFilter(filter, DESCRIBE_KEYS, true));
  const paths = all.filter((filter) => filter.Key === 'Path').flatMap((filter) => filter.Values ?? []);
  const prefix = paths.length === 1 ? prefixOfPath(normalizePath(paths[0]!)) : undefined;
  return { matches: (record) => predicates.every((match) => match(record)), prefix, labels: undefined };
}

export function compileByPathFilters(parameterFilters: readonly ParameterStringFilter[] | undefined): CompiledFilters {
  const filters = parameterFilters ?? [];
  const predicates = filters.filter((f) => f.Key !== 'Label').map((f) => compileFilter(f, BY_PATH_KEYS, false));
  const labelFilters = filters.filter((filter) => filter.Key === 'Label');
  for (const filter of labelFilters) {
    if ((filter.Option ?? 'Equals') !== 'Equals') throw invalidOption(filter.Option!, ['Equals']);
    if (!filter.Values?.length) throw missingValues(filter.Key);
  }
  const labels = labelFilters.length === 0 ? undefined : labelFilters.flatMap((filter) => filter.Values ?? []);
  return { matches: (record) => predicates.every((match) => match(record)), prefix: undefined, labels };
}

/** Names under "/a" start with "/a/"; under "/" with "/". */
export function prefixOfPath(path: string): string {
  return path === '/' ? '/' : `${path}/`;
}

/** Whether `name` is under `path`: directly (one level) or at any depth. */
export function isUnderPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = prefixOfPath(path);
  if (!name.startsWith(prefix) || name.length === prefix.length) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

function compileFilter(
  filter: ParameterStringFilter,
  keys: readonly string[],
  tagsAllowed: boolean,
): ParameterPredicate {
  const isTag = filter.Key.startsWith('tag:');
  if (!(isTag ? tagsAllowed : keys.includes(filter.Key))) {
    throw new InvalidFilterKey(
      `The following filter key is not valid: ${filter.Key}. Valid filter keys include: [${[...keys, ...(tagsAllowed ? ['tag:'] : [])].join(', ')}].`,
    );
  }
  const values = filter.Values ?? [];
  if (filter.Key === 'Path') return pathFilter(filter, values);
  const options =
    filter.Key === 'Name' && tagsAllowed ? ['Equals', 'BeginsWith', 'Contains'] : ['Equals', 'BeginsWith'];
  const option = filter.Option ?? 'Equals';
  if (!options.includes(option)) throw invalidOption(option, options);
  if (isTag) {
    const key = filter.Key.slice('tag:'.length);
    return (record) => {
      const tag = record.tags.find((t) => t.Key === key);
      return tag !== undefined && (values.length === 0 || values.some((v) => compare(option, tag.Value, v)));
    };
  }
  if (values.length === 0) throw missingValues(filter.Key);
  checkEnumValues(filter.Key, values);
  const field = fieldOf(filter.Key);
  return (record) => {
    const actual = field(record);
    return actual !== undefined && values.some((value) => compare(option, actual, value));
  };
}

function pathFilter(filter: ParameterStringFilter, values: readonly string[]): ParameterPredicate {
  const option = filter.Option ?? 'OneLevel';
  if (option !== 'OneLevel' && option !== 'Recursive') throw invalidOption(option, ['Recursive', 'OneLevel']);
  if (values.length === 0) throw missingValues('Path');
  const paths = values.map(normalizePath);
  return (record) => paths.some((path) => isUnderPath(record.name, path, option === 'Recursive'));
}

function fieldOf(key: string): (record: SsmParameterRecord) => string | undefined {
  switch (key) {
    case 'Name':
      return (record) => record.name;
    case 'Type':
      return (record) => record.current.details.type;
    case 'KeyId':
      return (record) => record.current.details.keyId;
    case 'Tier':
      return (record) => record.current.details.tier;
    default:
      return (record) => record.current.details.dataType;
  }
}

function compare(option: string, actual: string, value: string): boolean {
  if (option === 'BeginsWith') return actual.startsWith(value);
  if (option === 'Contains') return actual.includes(value);
  return actual === value;
}

function checkEnumValues(key: string, values: readonly string[]): void {
  const allowed =
    key === 'Type' ? ['String', 'StringList', 'SecureString'] : key === 'Tier' ? ['Standard', 'Advanced'] : undefined;
  const wrong = allowed && values.find((value) => !allowed.includes(value));
  if (wrong !== undefined) {
    throw new InvalidFilterValue(
      `The following filter value is not valid: ${wrong}. Valid values include: [${allowed!.join(', ')}].`,
    );
  }
}

function invalidOption(option: string, options: readonly string[]): InvalidFilterOption {
  return new InvalidFilterOption(
    `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`,
  );
}

function missingValues(key: string): InvalidFilterValue {
  return new InvalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
}
