export { stsOperations, type StsDeps } from './operations.ts';
export { stsAccess } from './access.ts';
export { stsMembers } from './members.ts';
export { ValidationError } from './errors.ts';
export * as stsErrors from './errors.ts';
export {
  SessionDirectory,
  EXPIRED_SESSION_RETENTION_MS,
  type SessionCredential,
  type SessionKind,
  type TemporaryCredentials,
} from './sessions.ts';
export { withSessions, type KeyLookup } from './credentials.ts';
export {
  trustPolicies,
  withTrustPolicies,
  TRUST_ACTIONS,
  type AssumableRole,
  type RoleLookup,
  type TrustDecision,
  type TrustPolicySource,
} from './roles.ts';
export { assumedRolePrincipal } from './session-principal.ts';
export type * from './shapes.generated.ts';
export {
  ServiceRoleSessions,
  ServiceRoleUnassumable,
  SERVICE_SESSION_SECONDS,
  type ServiceRoleCredentials,
  type ServiceTrust,
} from './service-sessions.ts';
