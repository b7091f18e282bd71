export { secretsManagerOperations } from './operations.ts';
export { secretsManagerAccess } from './access.ts';
export { secretsManagerMembers } from './members.ts';
export { secretPolicies } from './resource-policies.ts';
export type { SecretsManagerDeps } from './deps.ts';
export { InvalidParameterException } from './errors.ts';
export * as secretsManagerErrors from './errors.ts';
export type * from './shapes.generated.ts';
