import type { Principal } from './principal.ts';

/** What every API operation knows about the call it serves, besides its input. */
export interface RequestContext {
  readonly requestId: string;
  readonly accountId: string;
  readonly region: string;
  /** The access key that signed the request. */
  readonly accessKeyId: string;
  /** Who owns that key. */
  readonly principal: Principal;
  /** The caller's address (aws:SourceIp), when the request came over the network. */
  readonly sourceIp?: string;
  /** Whether the request came over TLS (aws:SecureTransport). */
  readonly secureTransport?: boolean;
  /** The Host the caller addressed, for URLs an answer names (ECS Exec's stream URL). */
  readonly host?: string | undefined;
}
