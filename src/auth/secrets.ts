import type { SecretLookup } from '../aws-protocol/index.ts';

/** Secrets known to this server: the root key pair now, IAM users' keys later. */
export class StaticSecrets implements SecretLookup {
  readonly #secrets: ReadonlyMap<string, string>;
  constructor(keys: readonly { accessKeyId: string; secretAccessKey: string }[]) {
    this.#secrets = new Map(keys.map((k) => [k.accessKeyId, k.secretAccessKey]));
  }
  secretFor(accessKeyId: string): string | undefined {
    return this.#secrets.get(accessKeyId);
  }
}
