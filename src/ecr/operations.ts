import type { EcrApi } from './shapes.generated.ts';

/**
 * The ECR operations Berth implements, by their AWS names. None yet: the registry and the ECR
 * management API come in their own issues (#3, #4); until then every call answers NotImplemented.
 */
export function ecrOperations(): Partial<EcrApi> {
  return {};
}
