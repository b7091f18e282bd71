/**
 * The IAM policy evaluator: a pure module. Policies are parsed and compiled once (parsePolicy,
 * cached), requests are evaluated against the compiled statements (evaluate), and a denial is
 * worded as AWS words it (denialMessage).
 */
export { MalformedPolicyDocumentError } from './errors.ts';
export type { PolicyKind, Statement } from './statements.ts';
export { parsePolicy, conditionKeysOf, type Policy } from './parse.ts';
export {
  evaluate,
  denialMessage,
  denialReason,
  type EvaluationRequest,
  type PolicySet,
  type Decision,
  type DenyingPolicy,
  type MissingPolicy,
} from './evaluate.ts';
export { requestContext, type RequestFacts } from './request-context.ts';
export type { ContextValues } from './request-keys.ts';
export { principalMatch, type Caller, type PrincipalMatch } from './principals.ts';
