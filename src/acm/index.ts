export { acmOperations } from './operations.ts';
export { acmAccess } from './access.ts';
export { acmMembers } from './members.ts';
export type { AcmDeps } from './deps.ts';
export { InvalidParameterException } from './errors.ts';
export * as acmErrors from './errors.ts';
export type * from './shapes.generated.ts';
