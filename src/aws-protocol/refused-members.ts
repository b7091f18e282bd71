import type { AwsError } from '../shared/aws-error.ts';
import {
  isRefused,
  type MemberScope,
  type MemberTable,
  type OperationMembers,
  type RefusedMember,
} from '../shared/member-classification.ts';

/**
 * The refused members of an operation (shared/member-classification.ts), compiled once into a tree
 * of the paths that lead to one: a call walks only the parts of its input under those paths, so the
 * check costs nothing for an operation without refusals and stays linear in the input otherwise.
 */
export type RefusalCheck = (input: Readonly<Record<string, unknown>>, scope: Omit<MemberScope, 'input'>) => void;

interface Node {
  refusal?: { readonly rule: RefusedMember; readonly name: string };
  members?: Map<string, Node>;
  /** `[]`: each element of a list. */
  element?: Node;
  /** `{}`: each value of a map. */
  entry?: Node;
}

/** Splits `a.b[].c{}.d` into `a`, `b`, `[]`, `c`, `{}`, `d`. */
export function pathSteps(path: string): string[] {
  return path.split('.').flatMap((part) => {
    const steps: string[] = [];
    const match = /^([^[{]*)((?:\[\]|\{\})*)$/.exec(part);
    if (!match || match[1] === '') throw new Error(`malformed member path '${path}'`);
    steps.push(match[1]!);
    for (const suffix of match[2]!.match(/\[\]|\{\}/g) ?? []) steps.push(suffix);
    return steps;
  });
}

/** The member as a message names it: `containerDefinitions.secrets` for `containerDefinitions[].secrets`. */
export function displayName(path: string): string {
  return path.replace(/\[\]|\{\}/g, '');
}

/** Undefined when the operation refuses nothing. */
export function compileRefusals(
  members: OperationMembers,
  invalidParameter: (message: string) => AwsError,
): RefusalCheck | undefined {
  const root: Node = {};
  let any = false;
  for (const [path, rule] of Object.entries(members.rules ?? {})) {
    if (!isRefused(rule)) continue;
    let node = root;
    for (const step of pathSteps(path)) {
      if (step === '[]') node = node.element ??= {};
      else if (step === '{}') node = node.entry ??= {};
      else {
        node.members ??= new Map();
        let next = node.members.get(step);
        if (!next) node.members.set(step, (next = {}));
        node = next;
      }
    }
    node.refusal = { rule, name: displayName(path) };
    any = true;
  }
  if (!any) return undefined;
  return (input, context) => {
    const scope: MemberScope = { ...context, input };
    const found = walk(root, input, undefined, scope);
    if (found) throw invalidParameter(refusalMessage(found.refusal, found.value));
  };
}

/** Compiles a service's table: operation name → its check (absent when it refuses nothing). */
export function compileMemberTable(
  table: MemberTable,
  invalidParameter: (message: string) => AwsError,
): Map<string, RefusalCheck | undefined> {
  const checks = new Map<string, RefusalCheck | undefined>();
  for (const [operation, members] of Object.entries(table)) {
    checks.set(operation, compileRefusals(members, invalidParameter));
  }
  return checks;
}

interface Found {
  readonly refusal: NonNullable<Node['refusal']>;
  readonly value: unknown;
}

function walk(node: Node, value: unknown, parent: unknown, scope: MemberScope): Found | undefined {
  if (node.refusal && applies(node.refusal.rule, value, parent, scope)) return { refusal: node.refusal, value };
  if (node.members && isPlainObject(value)) {
    for (const [name, child] of node.members) {
      const member = value[name];
      if (member === undefined || member === null) continue;
      const found = walk(child, member, value, scope);
      if (found) return found;
    }
  }
  if (node.element && Array.isArray(value)) {
    for (const item of value) {
      const found = walk(node.element, item, value, scope);
      if (found) return found;
    }
  }
  if (node.entry && isPlainObject(value)) {
    for (const item of Object.values(value)) {
      const found = walk(node.entry, item, value, scope);
      if (found) return found;
    }
  }
  return undefined;
}

function applies(rule: RefusedMember, value: unknown, parent: unknown, scope: MemberScope): boolean {
  return rule.when ? rule.when(value, scope, parent) : says(value);
}

/** Present and saying something: `false`, '', [] and {} ask for nothing. */
function says(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * "Berth does not support containerDefinitions.secrets yet (issue #18): the container would run
 * without its secrets." A conditional refusal of a string names the value too (a log driver, a type).
 */
export function refusalMessage(
  refusal: { readonly rule: RefusedMember; readonly name: string },
  value: unknown,
): string {
  const { rule, name } = refusal;
  const shown =
    rule.when && typeof value === 'string' ? ` '${value.length > 100 ? `${value.slice(0, 100)}...` : value}'` : '';
  const plan = rule.issue !== undefined ? ` yet (issue #${rule.issue})` : rule.byDesign ? '' : ' (not planned yet)';
  return `Berth does not support ${name}${shown}${plan}: ${rule.refused}.`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
