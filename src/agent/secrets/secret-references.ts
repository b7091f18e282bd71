// eslint.config.js's import boundaries are written for files one level below src/ (see agent/metadata's
// override); this one is two levels down and imports the same way the rest of agent/ does.
// eslint-disable-next-line no-restricted-imports
import { parseArn } from '../../shared/arn.ts';

/*
 * What a container's `valueFrom` names, read as the ECS agent reads it. ECS sends the agent each
 * secret with a provider: "asm" when valueFrom is a Secrets Manager ARN, "ssm" for anything else (a
 * parameter name, /a/path/name, or an SSM ARN). A Secrets Manager ARN's resource is either
 * `secret:NAME-6RANDOM` (the whole SecretString) or `secret:NAME-6RANDOM:json-key:version-stage:version-id`
 * (agent/taskresource/asmsecret/asmsecret.go getASMParametersFromInput); an empty part is unset.
 */

export type SecretReference =
  | {
      readonly kind: 'asm';
      readonly valueFrom: string;
      /** The secret's ARN without the json-key, stage and version parts. */
      readonly secretId: string;
      readonly jsonKey?: string;
      readonly versionStage?: string;
      readonly versionId?: string;
    }
  | { readonly kind: 'ssm'; readonly valueFrom: string }
  /** A Secrets Manager ARN with neither 2 nor 5 resource parts; `problem` is the agent's words. */
  | { readonly kind: 'malformed'; readonly valueFrom: string; readonly problem: string };

/** GetParameters takes at most 10 names (agent/taskresource/ssmsecret: MaxBatchNum). */
export const MAX_PARAMETERS_PER_CALL = 10;

export function isSecretsManagerArn(valueFrom: string): boolean {
  return parseArn(valueFrom)?.service === 'secretsmanager';
}

export function parseSecretReference(valueFrom: string): SecretReference {
  const arn = parseArn(valueFrom);
  if (arn?.service !== 'secretsmanager') return { kind: 'ssm', valueFrom };
  const parts = arn.resource.split(':');
  if (parts.length === 2) return { kind: 'asm', valueFrom, secretId: valueFrom };
  if (parts.length !== 5) {
    return {
      kind: 'malformed',
      valueFrom,
      problem:
        'an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.',
    };
  }
  const [type, name, jsonKey, versionStage, versionId] = parts as [string, string, string, string, string];
  return {
    kind: 'asm',
    valueFrom,
    secretId: `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.accountId}:${type}:${name}`,
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

/** One GetSecretValue call serves every reference with the same secret, stage and version. */
export function secretVersionKey(reference: Extract<SecretReference, { kind: 'asm' }>): string {
  return JSON.stringify([reference.secretId, reference.versionStage ?? '', reference.versionId ?? '']);
}

/** Distinct names in first-seen order, in GetParameters calls of at most `size` names. */
export function batchParameterNames(names: readonly string[], size = MAX_PARAMETERS_PER_CALL): string[][] {
  const distinct = [...new Set(names)];
  const batches: string[][] = [];
  for (let at = 0; at < distinct.length; at += size) batches.push(distinct.slice(at, at + size));
  return batches;
}

export interface ParameterAnswer {
  readonly Name?: string;
  readonly ARN?: string;
  readonly Value?: string;
  /** ":3" or ":label" when the request named a version or label. */
  readonly Selector?: string;
}

/**
 * The answer GetParameters gave for a name the agent asked for. SSM answers an ARN or a
 * `name:version` / `name:label` with the bare name (and the Selector), so matching the exact
 * string (as the ECS agent does) alone would miss those.
 */
export function findParameter(requested: string, answers: readonly ParameterAnswer[]): ParameterAnswer | undefined {
  const exact = answers.find((answer) => answer.Name === requested || answer.ARN === requested);
  if (exact) return exact;
  const { base, selector } = splitSelector(requested);
  const name = parameterNameOf(base);
  const sameName = (answer: ParameterAnswer) => answer.Name === name || answer.Name === base || answer.ARN === base;
  return (
    answers.find((answer) => sameName(answer) && (answer.Selector ?? '') === selector) ??
    answers.find((answer) => sameName(answer) && answer.Selector === undefined)
  );
}

function splitSelector(reference: string): { base: string; selector: string } {
  const from = reference.startsWith('arn:') ? reference.indexOf(':parameter/') + 1 : 0;
  const at = reference.indexOf(':', from);
  return at === -1
    ? { base: reference, selector: '' }
    : { base: reference.slice(0, at), selector: reference.slice(at) };
}

/** arn:…:parameter/a/b → /a/b; arn:…:parameter/name → name; a name stays as it is. */
function parameterNameOf(reference: string): string {
  const arn = parseArn(reference);
  if (arn?.service !== 'ssm' || !arn.resource.startsWith('parameter/')) return reference;
  const rest = arn.resource.slice('parameter'.length);
  return rest.indexOf('/', 1) === -1 ? rest.slice(1) : rest;
}

export type Extracted = { readonly value: string } | { readonly error: string };

/**
 * The value of one top-level key of a SecretString, as the agent gets it: json.Unmarshal into a
 * map[string]interface{}, then fmt.Sprintf("%v", value). Errors are Go's, except that a syntax
 * error leaves out the offending character (it is part of the secret).
 */
export function extractJsonKey(secretString: string, jsonKey: string): Extracted {
  const parsed = parseLikeGo(secretString);
  if ('error' in parsed) return parsed;
  const { json } = parsed;
  if (json !== null && (typeof json !== 'object' || Array.isArray(json))) {
    return { error: `json: cannot unmarshal ${goKindOf(json)} into Go value of type map[string]interface {}` };
  }
  if (json === null || !Object.hasOwn(json, jsonKey)) {
    return { error: `retrieved secret from Secrets Manager did not contain json key ${jsonKey}` };
  }
  const value = (json as Record<string, unknown>)[jsonKey];
  const bad = firstUnrepresentableNumber(value);
  if (bad) return { error: bad };
  return { value: formatGoValue(value) };
}

function parseLikeGo(text: string): { json: unknown } | { error: string } {
  try {
    const json: unknown = JSON.parse(text);
    const bad = firstUnrepresentableNumber(json);
    return bad ? { error: bad } : { json };
  } catch (error) {
    return { error: goSyntaxError(text, (error as Error).message) };
  }
}

/** Go's json refuses a number beyond float64 (1e400); JSON.parse makes it Infinity. */
function firstUnrepresentableNumber(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : 'json: cannot unmarshal number into Go value of type float64';
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const item of Object.values(value)) {
    const bad = firstUnrepresentableNumber(item);
    if (bad) return bad;
  }
  return undefined;
}

/** V8's message quotes the text; this words the failure as Go's scanner does, without the text. */
function goSyntaxError(text: string, v8Message: string): string {
  const position = /at position (\d+)/.exec(v8Message);
  const atEnd =
    /Unexpected end of JSON input|Unterminated string/.test(v8Message) ||
    (position !== null && text.slice(Number(position[1])).trim() === '') ||
    text.trim() === '';
  if (atEnd) return 'unexpected end of JSON input';
  const first = text.trimStart()[0] ?? '';
  if (!'{["-0123456789tfn'.includes(first)) return 'invalid character looking for beginning of value';
  return 'invalid character in JSON input';
}

function goKindOf(json: unknown): string {
  if (Array.isArray(json)) return 'array';
  if (typeof json === 'boolean') return 'bool';
  return typeof json; // 'string' | 'number'
}

/** fmt's %v of what encoding/json decodes into an interface{}. */
export function formatGoValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatGoFloat(value);
  if (Array.isArray(value)) return `[${value.map(formatGoValue).join(' ')}]`;
  // fmt prints a map's keys sorted (byte order of their UTF-8).
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  return `map[${entries.map(([key, item]) => `${key}:${formatGoValue(item)}`).join(' ')}]`;
}

/**
 * strconv.FormatFloat(f, 'g', -1, 64): the shortest digits, in exponent form when the exponent is
 * below -4 or at least 6 (so 1000000 is "1e+06"), with a signed exponent of at least two digits.
 */
export function formatGoFloat(value: number): string {
  if (Object.is(value, -0)) return '-0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

export type RegistryAuth = { readonly username: string; readonly password: string };

/**
 * A repositoryCredentials secret's SecretString read as the agent reads it (agent/asm/asm.go
 * extractASMValue): JSON with string fields username and password (encoding/json matches field
 * names case-insensitively, the last matching key wins), both non-empty.
 */
export function parseRegistryCredentials(secretString: string | undefined): RegistryAuth | { error: string } {
  if (!secretString) return { error: 'asm fetching authorization data: empty secrets value' };
  const invalid = { error: 'asm fetching authorization data: unable to unmarshal secret value, invalid schema' };
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    return invalid;
  }
  if (json !== null && (typeof json !== 'object' || Array.isArray(json))) return invalid;
  const fields: { username?: unknown; password?: unknown } = {};
  for (const [key, value] of Object.entries(json ?? {})) {
    const folded = key.toLowerCase().replaceAll('\u017f', 's');
    if (folded !== 'username' && folded !== 'password') continue;
    // Go keeps decoding after a type mismatch, but Unmarshal still fails.
    if (value !== null && typeof value !== 'string') return invalid;
    fields[folded] = value;
  }
  if (!fields.username) return { error: 'asm fetching username: AuthorizationData is malformed, empty field' };
  if (!fields.password) return { error: 'asm fetching password: AuthorizationData is malformed, empty field' };
  return { username: fields.username as string, password: fields.password as string };
}
