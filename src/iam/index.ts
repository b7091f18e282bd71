export { IamDirectory, type IamChanges, type IdentityPolicies, type RoleForSts } from './directory.ts';
export { iamOperations } from './operations.ts';
export { createIamAccess, iamAccess } from './access.ts';
export { iamMembers } from './members.ts';
export { AWS_MANAGED_POLICIES } from './aws-managed-policies.ts';
export type { IamDeps } from './api/common.ts';
export * as iamErrors from './errors.ts';
export { ValidationError } from './errors.ts';
export { recordingKeyUse } from './key-use.ts';
export {
  evaluate,
  MalformedPolicyDocumentError,
  parsePolicy,
  type Decision,
  type Policy,
  type PolicySet,
} from './policy/index.ts';
