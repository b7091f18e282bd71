import type { RequestContext } from './request-context.ts';

/**
 * What an API call asks permission for, in the terms of AWS's Service Authorization Reference: an
 * action (`ecs:RunTask`), the resource it acts on (an ARN, or `*` for actions that take none), and
 * the condition keys the service supplies (`ecs:cluster`).
 */
export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  readonly conditions?: Readonly<Record<string, string | readonly string[]>>;
  /** What AWS lets every authenticated caller do (sts:GetCallerIdentity): allowed without a policy. */
  readonly everyCaller?: true;
}

/**
 * How an operation declares what it needs, from its validated input and without touching the store
 * (so that a declaration can neither fail nor disclose whether a resource exists). Every operation
 * a service implements has one; the protocol layer refuses to dispatch an operation that has none.
 */
export type DeclareAccess = (input: never, context: RequestContext) => readonly AccessRequest[];

/**
 * One policy decision point for every service: resolves when every request is allowed, else throws
 * AccessDeniedException. An empty list is refused: a call always asks for something.
 */
export interface AccessControl {
  authorize(
    context: Pick<RequestContext, 'principal' | 'sourceIp' | 'secureTransport'>,
    requests: readonly AccessRequest[],
  ): Promise<void>;
}
