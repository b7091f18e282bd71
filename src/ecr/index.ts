export { ecrOperations, type EcrDeps } from './operations.ts';
export { InvalidParameterException } from './errors.ts';
export * as ecrErrors from './errors.ts';
export { Registry, type RegistryDeps } from './registry.ts';
export { RegistryError, type RegistryErrorCode } from './registry-errors.ts';
export { checkPassword, type TokenCheck, type TokenKey } from './authorization-tokens.ts';
export {
  collectGarbage,
  DEFAULT_GC_OPTIONS,
  type GarbageCollectionOptions,
  type GarbageCollectionReport,
} from './garbage-collection.ts';
export { parseDigest, formatDigest } from './digests.ts';
export { MAX_MANIFEST_BYTES, type Descriptor } from './manifests.ts';
export { MEDIA_TYPES } from './media-types.ts';
export type { ContentRange } from './layer-uploads.ts';
export type * from './shapes.generated.ts';
export { applyLifecyclePolicies } from './lifecycle.ts';
export { repositoryPolicies } from './repository-policies.ts';
export { registryPolicies } from './registry-policies.ts';
export { ecrInvalidParameter, ecrValidationMessage } from './validation-messages.ts';
export { ecrAccess, repositoryArn } from './access.ts';
export { ecrMembers } from './members.ts';
export { issuePassword } from './authorization-tokens.ts';
export { ecrResourceTags } from './resource-tags.ts';
