export { KeyRing, AWS_MANAGED_KEYS, type AwsManagedAlias, type KeyRingOptions, type NewKey } from './key-ring.ts';
export type { EncryptionContext } from './ciphertext.ts';
export * as kmsErrors from './errors.ts';
export type * from './shapes.generated.ts';
