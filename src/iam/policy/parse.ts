import { keysOf } from './conditions.ts';
import { malformed, MalformedPolicyDocumentError } from './errors.ts';
import { parseStatement, type PolicyKind, type Statement } from './statements.ts';

/** A policy document, validated and compiled once. */
export interface Policy {
  readonly text: string;
  readonly kind: PolicyKind;
  readonly statements: readonly Statement[];
  /** Lower-cased condition keys its conditions and variables read. */
  readonly conditionKeys: ReadonlySet<string>;
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const TOP_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const CACHE_SIZE = 1000;

/** Compiled policies by (kind, implied resource, text), least recently used first. */
const cache = new Map<string, Policy>();

/**
 * Validates a policy as IAM does (IAM User Guide, "IAM JSON policy grammar") and compiles it; throws
 * MalformedPolicyDocumentError with IAM's message. Policies without a Version are 2008-10-17 ones,
 * and under 2008-10-17 `${...}` is literal text. A resource policy's statement without a Resource
 * is about `impliedResource` (ECR repository policies), or about any resource when there is none.
 */
export function parsePolicy(text: string, kind: PolicyKind, options: { impliedResource?: string } = {}): Policy {
  const cacheKey = `${kind}\u0000${options.impliedResource ?? ''}\u0000${text}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) {
    cache.delete(cacheKey);
    cache.set(cacheKey, cached);
    return cached;
  }
  const policy = compile(text, kind, options.impliedResource);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, policy);
  return policy;
}

function compile(text: string, kind: PolicyKind, impliedResource: string | undefined): Policy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed();
  }
  const { document, list } = checkDocument(json);
  const variables = document.Version === '2012-10-17';
  let statements: Statement[];
  try {
    statements = list.map((s) => parseStatement(s, kind, { variables, impliedResource }));
  } catch (error) {
    if (error instanceof MalformedPolicyDocumentError) throw error;
    // A bug of ours must not escape as anything else: the document is refused, not the server.
    throw malformed();
  }
  const sids = statements.map((s) => s.sid).filter((sid) => sid !== undefined && sid !== '');
  if (new Set(sids).size !== sids.length) throw malformed('Statement IDs (SID) in a single policy must be unique.');
  const conditionKeys = new Set<string>();
  for (const statement of statements) {
    keysOf(statement.conditions, conditionKeys);
    for (const resource of statement.resources ?? []) for (const key of resource.variableKeys) conditionKeys.add(key);
  }
  return { text, kind, statements, conditionKeys };
}

function checkDocument(json: unknown): { document: Record<string, unknown>; list: readonly unknown[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw malformed();
  const document = json as Record<string, unknown>;
  for (const key of Object.keys(document)) if (!TOP_ELEMENTS.has(key)) throw malformed();
  if (document.Version !== undefined && (typeof document.Version !== 'string' || !VERSIONS.has(document.Version))) {
    throw malformed();
  }
  if (document.Id !== undefined && typeof document.Id !== 'string') throw malformed();
  const statement = document.Statement;
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  if (list.length === 0) throw malformed();
  return { document, list };
}

/** Lower-cased keys the policies' conditions and variables mention (fetch aws:ResourceTag/* only if asked). */
export function conditionKeysOf(policies: readonly Policy[]): ReadonlySet<string> {
  const keys = new Set<string>();
  for (const policy of policies) for (const key of policy.conditionKeys) keys.add(key);
  return keys;
}
