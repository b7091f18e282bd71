import { AccessDeniedException } from './access-denied.ts';
import type { RequestContext } from './request-context.ts';

type Operation = (input: never, context: RequestContext) => Promise<unknown>;

/**
 * Wraps every operation of a table so that only the account root may call it: what services do
 * until identity policies exist (TODO(roadmap: IAM)).
 */
export function rootOnly<T extends object>(service: string, table: T): T {
  return Object.fromEntries(
    Object.entries(table).map(([name, operation]) => [
      name,
      (input: never, context: RequestContext) => {
        if (!context.principal.root) {
          throw AccessDeniedException.because(
            context.principal.arn,
            `${service}:${name}`,
            `arn:aws:${service}:${context.region}:${context.accountId}:*`,
            `no identity-based policy allows the ${service}:${name} action`,
          );
        }
        return (operation as Operation)(input, context);
      },
    ]),
  ) as T;
}
