/**
 * Evaluates a parsed cluster query against one container instance. Called once per instance per
 * placement decision, so it only compares: the parser has already compiled and parsed the arguments.
 */
import {
  NUMBER,
  parseVersion,
  VERSION,
  type Condition,
  type Expression,
  type Literal,
  type Operator,
} from './parse-expression.ts';

/** What a query can see of a container instance. */
export interface EvaluationTarget {
  /** An attribute mapped to undefined exists but has no value (`ecs.capability.task-eni`). */
  readonly attributes: ReadonlyMap<string, string | undefined>;
  readonly agentConnected: boolean;
  readonly agentVersion?: string;
  readonly ec2InstanceId?: string;
  readonly registeredAt?: Date;
  readonly runningTasksCount: number;
  /** The groups of the tasks on the instance (`service:web`, `family:nginx`). */
  readonly taskGroups: readonly string[];
}

type Value = string | number | Date;

export function evaluateExpression(expression: Expression, target: EvaluationTarget): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluateExpression(expression.left, target) && evaluateExpression(expression.right, target);
    case 'or':
      return evaluateExpression(expression.left, target) || evaluateExpression(expression.right, target);
    case 'not':
      return !evaluateExpression(expression.operand, target);
    case 'condition':
      return evaluateCondition(expression, target);
  }
}

function evaluateCondition(condition: Condition, target: EvaluationTarget): boolean {
  const { subject, operator } = condition;
  switch (subject.kind) {
    case 'attribute':
      return evaluateAttribute(condition, subject.name, target.attributes);
    case 'task:group':
      // True when any task's group satisfies the condition; no tasks is a missing subject.
      if (target.taskGroups.length === 0) return whenMissing(operator);
      for (const group of target.taskGroups) if (test(condition, group)) return true;
      return false;
    case 'agentConnected':
      return test(condition, target.agentConnected ? 'true' : 'false');
    case 'runningTasksCount':
      return test(condition, target.runningTasksCount);
    case 'agentVersion':
      return target.agentVersion === undefined ? whenMissing(operator) : test(condition, target.agentVersion);
    case 'ec2InstanceId':
      return target.ec2InstanceId === undefined ? whenMissing(operator) : test(condition, target.ec2InstanceId);
    case 'registeredAt': {
      const date = target.registeredAt;
      return date === undefined || Number.isNaN(date.getTime()) ? whenMissing(operator) : test(condition, date);
    }
  }
}

function evaluateAttribute(
  condition: Condition,
  name: string,
  attributes: ReadonlyMap<string, string | undefined>,
): boolean {
  const value = attributes.get(name);
  if (value !== undefined) return test(condition, value);
  // Present without a value: it exists, and every comparison sees a missing value.
  if (attributes.has(name) && (condition.operator === 'exists' || condition.operator === 'not_exists')) {
    return condition.operator === 'exists';
  }
  return whenMissing(condition.operator);
}

/** A missing subject satisfies only the negative operators. */
function whenMissing(operator: Operator): boolean {
  return operator === 'not_exists' || operator === 'not_equals' || operator === 'not_in' || operator === 'not_matches';
}

function test(condition: Condition, value: Value): boolean {
  switch (condition.operator) {
    case 'exists':
      return true;
    case 'not_exists':
      return false;
    case 'equals':
      return isEqual(value, condition.argument);
    case 'not_equals':
      return !isEqual(value, condition.argument);
    case 'in':
      return isEqualToAny(value, condition.arguments);
    case 'not_in':
      return !isEqualToAny(value, condition.arguments);
    case 'matches':
      return condition.regex.test(asText(value));
    case 'not_matches':
      return !condition.regex.test(asText(value));
    case 'greater_than':
      return compare(value, condition.argument) > 0;
    case 'greater_than_equal':
      return compare(value, condition.argument) >= 0;
    case 'less_than':
      return compare(value, condition.argument) < 0;
    case 'less_than_equal':
      return compare(value, condition.argument) <= 0;
  }
}

function isEqual(value: Value, argument: Literal): boolean {
  if (value instanceof Date) return value.getTime() === argument.time;
  if (typeof value === 'number' && argument.number !== undefined) return value === argument.number;
  const text = asText(value);
  return argument.wildcard ? argument.wildcard.test(text) : text === argument.text;
}

function isEqualToAny(value: Value, list: readonly Literal[]): boolean {
  for (const argument of list) if (isEqual(value, argument)) return true;
  return false;
}

/** Numbers compare numerically, dates as instants, agent versions part by part, the rest by code unit. */
function compare(value: Value, argument: Literal): number {
  if (value instanceof Date) return value.getTime() - argument.time!;
  if (typeof value === 'number') {
    return argument.number === undefined ? compareText(String(value), argument.text) : value - argument.number;
  }
  if (argument.version && VERSION.test(value)) return compareVersions(parseVersion(value), argument.version);
  if (argument.number !== undefined && NUMBER.test(value)) return Number(value) - argument.number;
  return compareText(value, argument.text);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function asText(value: Value): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
