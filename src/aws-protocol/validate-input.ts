import { LinearRegExp } from '../shared/linear-regexp.ts';
import { SerializationException } from './errors.ts';
import type { ServiceModel, ShapeModel } from './service-model.ts';

/**
 * Request validation generated from the service model: for each operation's input shape we compile,
 * once, a tree of small check functions. A check returns the value converted to what the domain
 * expects (timestamps to Date, blobs to Buffer) and pushes one message per violation, worded the
 * way AWS words them ("Value null at 'cluster' failed to satisfy constraint: Member must not be null").
 */
type Check = (value: unknown, path: string, errors: string[]) => unknown;

export type InputValidator = (input: Record<string, unknown>) => { value: Record<string, unknown>; errors: string[] };

const MAX_REPORTED = 10;

export function compileInputValidator(model: ServiceModel, shapeName: string | undefined): InputValidator {
  if (shapeName === undefined) return (input) => ({ value: input, errors: [] });
  const compiled = new Map<string, Check>();
  const check = compileShape(model, shapeName, compiled);
  return (input) => {
    const errors: string[] = [];
    const value = check(input, '', errors) as Record<string, unknown>;
    return { value, errors };
  };
}

/** AWS's summary line: "2 validation errors detected: ...; ...". */
export function describeValidationErrors(errors: readonly string[]): string {
  const shown = errors.slice(0, MAX_REPORTED);
  const noun = errors.length === 1 ? 'error' : 'errors';
  return `${errors.length} validation ${noun} detected: ${shown.join('; ')}`;
}

function compileShape(model: ServiceModel, name: string, compiled: Map<string, Check>): Check {
  const existing = compiled.get(name);
  if (existing) return existing;
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the ${model.metadata.serviceId} model`);
  // Recursive shapes: register an indirection before compiling the members.
  let target: Check = () => undefined;
  compiled.set(name, (value, path, errors) => target(value, path, errors));
  target = buildCheck(model, shape, compiled);
  compiled.set(name, target);
  return target;
}

function buildCheck(model: ServiceModel, shape: ShapeModel, compiled: Map<string, Check>): Check {
  switch (shape.type) {
    case 'structure':
      return shape.document ? (value) => value : structureCheck(model, shape, compiled);
    case 'list': {
      const member = compileShape(model, shape.member!.shape, compiled);
      return (value, path, errors) => {
        if (!Array.isArray(value)) return typeError(value, path, 'a list', errors);
        checkLength(shape, value.length, value, path, errors);
        return value.map((item, i) => member(item, `${path}.${i + 1}.member`, errors));
      };
    }
    case 'map': {
      const key = compileShape(model, shape.key!.shape, compiled);
      const val = compileShape(model, shape.value!.shape, compiled);
      return (value, path, errors) => {
        if (!isPlainObject(value)) return typeError(value, path, 'a map', errors);
        const entries = Object.entries(value);
        checkLength(shape, entries.length, value, path, errors);
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
          key(k, `${path}.entry.key`, errors);
          out[k] = val(v, `${path}.${k}`, errors);
        }
        return out;
      };
    }
    case 'string':
      return stringCheck(shape);
    case 'integer':
    case 'long': {
      // What the service's own deserializer accepts: a Java int (32 bits) or long (here: what a
      // JavaScript number holds exactly). Past it AWS fails the request as a whole, before validation.
      const [low, high] = shape.type === 'integer' ? [-(2 ** 31), 2 ** 31 - 1] : [-(2 ** 53 - 1), 2 ** 53 - 1];
      return (value, path, errors) => {
        if (typeof value !== 'number' || !Number.isInteger(value)) return typeError(value, path, 'an integer', errors);
        if (value < low || value > high) {
          throw new SerializationException(
            `Numeric value (${value}) out of range of ${shape.type === 'integer' ? 'int' : 'long'} (${low} - ${high}) at '${path}'`,
          );
        }
        checkRange(shape, value, path, errors);
        return value;
      };
    }
    case 'float':
    case 'double':
      return (value, path, errors) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) return typeError(value, path, 'a number', errors);
        checkRange(shape, value, path, errors);
        return value;
      };
    case 'boolean':
      return (value, path, errors) =>
        typeof value === 'boolean' ? value : typeError(value, path, 'a boolean', errors);
    case 'timestamp':
      // JSON 1.1 sends timestamps as epoch seconds, possibly fractional.
      return (value, path, errors) =>
        typeof value === 'number' && Number.isFinite(value)
          ? new Date(Math.round(value * 1000))
          : typeError(value, path, 'a timestamp in epoch seconds', errors);
    case 'blob':
      return (value, path, errors) =>
        typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)
          ? Buffer.from(value, 'base64')
          : typeError(value, path, 'base64-encoded binary data', errors);
    default:
      return (value) => value;
  }
}

function structureCheck(model: ServiceModel, shape: ShapeModel, compiled: Map<string, Check>): Check {
  const members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({
    name,
    // Compiled lazily: a structure may refer to itself through its members.
    check: undefined as Check | undefined,
    shape: ref.shape,
  }));
  const required = shape.required ?? [];
  return (value, path, errors) => {
    if (!isPlainObject(value)) return typeError(value, path, 'a structure', errors);
    const out: Record<string, unknown> = {};
    for (const name of required) {
      if (value[name] === undefined || value[name] === null) {
        errors.push(`Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`);
      }
    }
    for (const member of members) {
      const v = value[member.name];
      if (v === undefined || v === null) continue; // AWS treats an explicit null like an absent member
      member.check ??= compileShape(model, member.shape, compiled);
      out[member.name] = member.check(v, join(path, member.name), errors);
    }
    return out;
  };
}

function stringCheck(shape: ShapeModel): Check {
  const allowed = shape.enum ? new Set(shape.enum) : undefined;
  const pattern = compilePattern(shape.pattern);
  return (value, path, errors) => {
    if (typeof value !== 'string') return typeError(value, path, 'a string', errors);
    if (allowed && !allowed.has(value)) {
      errors.push(
        `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum!.join(', ')}]`,
      );
      return value;
    }
    const lengthErrors = errors.length;
    checkLength(shape, [...value].length, value, path, errors);
    // A value already too long is not matched as well: the length bounds what a pattern costs.
    if (pattern && errors.length === lengthErrors && !pattern.test(value)) {
      errors.push(
        `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`,
      );
    }
    return value;
  };
}

/** Java's POSIX classes (US-ASCII only, as java.util.regex has them), which JavaScript lacks. */
const JAVA_POSIX_CLASSES: Readonly<Record<string, string>> = {
  Print: '[\\x20-\\x7E]',
  Graph: '[\\x21-\\x7E]',
  Alnum: '[A-Za-z0-9]',
  Alpha: '[A-Za-z]',
  Digit: '[0-9]',
  Upper: '[A-Z]',
  Lower: '[a-z]',
  Punct: '[!-\\/:-@\\[-`{-~]',
  Space: '[ \\t\\n\\x0B\\f\\r]',
};

/**
 * Model patterns are Java regular expressions matched against the whole value. They come from the
 * model, not the request, but some backtrack exponentially on what a request can send (ECR's
 * ScanningRepositoryFilterValue, `^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`, took 49 s on 26
 * characters): a pattern with a quantified group, or more than one unbounded quantifier, runs on
 * RE2 (linear time); the simple rest on RegExp, which is several times faster per call.
 */
function compilePattern(javaPattern: string | undefined): { test(value: string): boolean } | undefined {
  if (javaPattern === undefined) return undefined;
  const pattern = javaPattern.replace(/\\p\{(\w+)\}/g, (whole, name: string) => JAVA_POSIX_CLASSES[name] ?? whole);
  if (mayBacktrack(pattern)) {
    try {
      return new LinearRegExp(pattern, { whole: true });
    } catch {
      // A construct RE2 lacks (a test checks that no shipped pattern needs this).
    }
  }
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    try {
      // Without the u flag, \p{...} would be read as the letters p{...}: leave it to the service.
      return /\\p\{/.test(pattern) ? undefined : new RegExp(`^(?:${pattern})$`);
    } catch {
      return undefined; // a Java-only construct: leave the check to the service
    }
  }
}

/** A quantified group, or two unbounded quantifiers: what can make a backtracking engine super-linear. */
export function mayBacktrack(pattern: string): boolean {
  const quantifiedGroup = /\)(?:[*+]|\{\d+,\d*\})/.test(pattern);
  const unbounded = pattern.match(/(?<!\\)(?:[*+]|\{\d+,\})/g)?.length ?? 0;
  return quantifiedGroup || unbounded > 1;
}

function checkLength(shape: ShapeModel, length: number, value: unknown, path: string, errors: string[]): void {
  if (shape.min !== undefined && length < shape.min) {
    errors.push(
      `Value ${show(value)} at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
    );
  }
  if (shape.max !== undefined && length > shape.max) {
    errors.push(
      `Value ${show(value)} at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
    );
  }
}

function checkRange(shape: ShapeModel, value: number, path: string, errors: string[]): void {
  if (shape.min !== undefined && value < shape.min) {
    errors.push(
      `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`,
    );
  }
  if (shape.max !== undefined && value > shape.max) {
    errors.push(
      `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`,
    );
  }
}

function typeError(value: unknown, path: string, expected: string, errors: string[]): undefined {
  errors.push(`Value ${show(value)} at '${path || 'input'}' failed to satisfy constraint: Member must be ${expected}`);
  return undefined;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.length > 100 ? `${text.slice(0, 100)}...` : text}'`;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
