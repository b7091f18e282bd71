import type { Principal } from '../shared/principal.ts';
import type { SessionCredential, SessionDirectory } from './sessions.ts';

/** What the SigV4 verifier looks keys up in (aws-protocol's SecretLookup, structurally). */
export interface KeyLookup {
  secretFor(accessKeyId: string): string | undefined;
  principalOf(accessKeyId: string): Principal | undefined;
  sessionOf?(accessKeyId: string): SessionCredential | undefined;
  /** A live session's token, for presigning with its credentials. */
  sessionTokenFor?(accessKeyId: string): string | undefined;
}

/**
 * The one lookup the server hands every protocol: a key the session directory knows (an ASIA…
 * key it issued, live or expired) is answered by it, every other key by the long-term directory
 * (the root key pair and IAM users' keys).
 */
export function withSessions(longTerm: KeyLookup, sessions: SessionDirectory): Required<KeyLookup> {
  const owner = (id: string): KeyLookup => (sessions.sessionOf(id) === undefined ? longTerm : sessions);
  return {
    secretFor: (id) => owner(id).secretFor(id),
    principalOf: (id) => owner(id).principalOf(id),
    sessionOf: (id) => owner(id).sessionOf?.(id),
    sessionTokenFor: (id) => owner(id).sessionTokenFor?.(id),
  };
}
