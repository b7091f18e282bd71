import type { AccessRequest } from '../shared/authorization.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import type { ParameterCipher } from './cipher.ts';

export interface SsmDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly cipher: ParameterCipher;
  /** The one access control: kms:Decrypt on a customer managed key when a value is decrypted. */
  readonly authorize: (context: RequestContext, requests: readonly AccessRequest[]) => Promise<void>;
  /** The sessions live on this server (ECS Exec's relay): TerminateSession closes one's streams. */
  readonly liveSessions?: { terminate(sessionId: string): boolean } | undefined;
}

/** How often a write planned from a revision another write replaced is planned again. */
export const WRITE_ATTEMPTS = 5;
