/**
 * ECR's registry-wide settings: the registry policy, the scanning and replication configurations
 * and ECR's account settings, one JSON value under each name. A registry has a handful of them,
 * read on every registry request (the registry policy), written rarely.
 */
export interface RegistrySettingRepository {
  /** The value stored under `name`, or undefined. */
  get(name: string): Promise<unknown>;
  put(name: string, value: unknown): Promise<void>;
  /** Removes the setting; resolves with the value it had, undefined when there was none. */
  delete(name: string): Promise<unknown>;
}
