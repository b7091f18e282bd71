export { ssmOperations } from './operations.ts';
export { ssmAccess } from './access.ts';
export { ssmMembers } from './members.ts';
export type { SsmDeps } from './deps.ts';
export type { ParameterCipher, EncryptedValue } from './cipher.ts';
export { keyRingCipher } from './key-ring-cipher.ts';
export { ValidationException } from './errors.ts';
export * as ssmErrors from './errors.ts';
export type * from './shapes.generated.ts';
