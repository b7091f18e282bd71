export { ecrOperations } from './operations.ts';
export { InvalidParameterException } from './errors.ts';
export * as ecrErrors from './errors.ts';
export type * from './shapes.generated.ts';
