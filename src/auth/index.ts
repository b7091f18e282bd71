export { credentialInstructions, loadRootCredentials, type RootCredentials } from './root-credentials.ts';
export {
  PolicyAccessControl,
  type IdentityPolicies,
  type PolicyAccessControlOptions,
  type ResourcePolicySource,
} from './access-control.ts';
export { loadTokenKey } from './token-key.ts';
export { loadSecretBox, MASTER_KEY_FILE } from './master-key.ts';
export { resourceTagKeys, resourceTagLookup, type ResourceTagLookup } from './resource-tags.ts';
