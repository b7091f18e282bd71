export { ecsOperations, type EcsDeps } from './operations.ts';
export { InvalidParameterException } from './errors.ts';
export * as ecsErrors from './errors.ts';
export type * from './shapes.generated.ts';
