import { formatArn, parseArn, type ArnScope } from '../shared/arn.ts';
import { HierarchyLevelLimitExceededException, ValidationException } from './errors.ts';

/*
 * Parameter names as AWS validates them: letters, digits and . - _ /, a name with a slash starts
 * with one (a hierarchy, at most 15 levels), no "aws" or "ssm" prefix in any case, at most 1011
 * characters. Names are case sensitive.
 */

const MAX_NAME_LENGTH = 1011;
const MAX_LEVELS = 15;
const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

/** Throws SSM's error for a name PutParameter may not create. */
export function checkParameterName(name: string): void {
  if (name.length > MAX_NAME_LENGTH) {
    throw new ValidationException(
      `Parameter name: ${name.slice(0, 40)}... is longer than ${MAX_NAME_LENGTH} characters.`,
    );
  }
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || /^\/?(aws|ssm)/i.test(name)) throw new ValidationException(NAME_RULES);
  if (name.includes('/') && !name.startsWith('/')) {
    throw new ValidationException('Parameter name must be a fully qualified name.');
  }
  if (name.includes('//') || name.endsWith('/')) throw new ValidationException(NAME_RULES);
  if (levelsOf(name) > MAX_LEVELS) throw new HierarchyLevelLimitExceededException();
}

/** "/a/b/c" is three levels; "name" one. */
export function levelsOf(name: string): number {
  return name.split('/').filter((part) => part !== '').length;
}

/** A path GetParametersByPath or a Path filter takes: "/" or "/a/b", a trailing slash dropped. */
export function normalizePath(path: string): string {
  if (!path.startsWith('/') || !/^[a-zA-Z0-9_.\-/]+$/.test(path) || path.includes('//')) {
    throw new ValidationException(
      `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`,
    );
  }
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (levelsOf(trimmed) > MAX_LEVELS) throw new HierarchyLevelLimitExceededException();
  return trimmed;
}

/** arn:aws:ssm:REGION:ACCOUNT:parameter/NAME, the name's leading slash not doubled. */
export function parameterArn(scope: ArnScope, name: string): string {
  return formatArn('ssm', scope, `parameter${name.startsWith('/') ? '' : '/'}${name}`);
}

/**
 * The parameter a request names: a name, or the ARN of one of this account's parameters (any other
 * ARN names nothing Berth holds, and is kept whole so that it is not found).
 */
export function nameOf(reference: string, scope: ArnScope): string {
  if (!reference.startsWith('arn:')) return reference;
  const arn = parseArn(reference);
  if (!arn || arn.service !== 'ssm' || arn.region !== scope.region || arn.accountId !== scope.accountId)
    return reference;
  if (!arn.resource.startsWith('parameter/')) return reference;
  const rest = arn.resource.slice('parameter'.length);
  // parameter/name for "name", parameter/a/b for "/a/b".
  return rest.indexOf('/', 1) === -1 ? rest.slice(1) : rest;
}

export type Selector =
  { readonly kind: 'version'; readonly version: number } | { readonly kind: 'label'; readonly label: string };

/** name, name:version or name:label (names have no colon, so the first one splits). */
export function parseSelector(reference: string): { name: string; selector?: Selector; raw?: string } {
  const at = reference.startsWith('arn:')
    ? reference.indexOf(':', reference.indexOf(':parameter/') + 1)
    : reference.indexOf(':');
  if (at === -1) return { name: reference };
  const raw = reference.slice(at + 1);
  const name = reference.slice(0, at);
  if (/^\d+$/.test(raw)) return { name, selector: { kind: 'version', version: Number(raw) }, raw };
  return { name, selector: { kind: 'label', label: raw }, raw };
}
