import { randomBytes, randomUUID } from 'node:crypto';
import { formatArn, parseArn, type ArnScope } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { KmsKeyRecord, KmsRepository } from '../store/index.ts';
import { blobKeyId, openBlob, sealBlob, type EncryptionContext } from './ciphertext.ts';
import {
  DisabledException,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSInvalidStateException,
  NotFoundException,
} from './errors.ts';
import { awsManagedKeyPolicy, defaultKeyPolicy } from './key-policies.ts';

/** The AWS managed keys Berth's services use, by alias (without `alias/`), made on first use. */
export const AWS_MANAGED_KEYS = {
  'aws/secretsmanager': {
    service: 'secretsmanager',
    description: 'Default key that protects my Secrets Manager data when no other key is defined',
  },
  'aws/ssm': {
    service: 'ssm',
    description: 'Default key that protects my SSM parameters when no other key is defined',
  },
} as const;
export type AwsManagedAlias = keyof typeof AWS_MANAGED_KEYS;

const KEY_MATERIAL_BYTES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface KeyRingOptions {
  readonly store: KmsRepository;
  readonly clock: Clock;
  readonly scope: ArnScope;
}

export interface NewKey {
  readonly description?: string;
  readonly policy?: string;
  readonly tags?: readonly { readonly TagKey: string; readonly TagValue: string }[];
}

/**
 * KMS's symmetric keys, for the KMS API and in process for the services that encrypt under them
 * (Secrets Manager, Parameter Store): 256-bit AES-GCM keys, their material sealed at rest with the
 * data folder's master key (by the store). Key identifiers are taken in KMS's four forms (key id,
 * key ARN, alias name, alias ARN). Authorization is the caller's business: the KMS API asks the
 * access control before it gets here, and a service asks for kms:Decrypt with kms:ViaService.
 */
export class KeyRing {
  readonly store: KmsRepository;
  readonly #clock: Clock;
  readonly scope: ArnScope;
  readonly #writes = new KeyedMutex();

  constructor(options: KeyRingOptions) {
    this.store = options.store;
    this.#clock = options.clock;
    this.scope = options.scope;
  }

  keyArn(keyId: string): string {
    return formatArn('kms', this.scope, `key/${keyId}`);
  }

  aliasArn(aliasName: string): string {
    return formatArn('kms', this.scope, aliasName);
  }

  /** The key `identifier` names, in any state; an AWS managed key's alias makes it on first use. */
  async find(identifier: string): Promise<KmsKeyRecord> {
    const target = this.#parse(identifier);
    if ('keyId' in target) {
      const key = await this.#live(target.keyId);
      if (!key) throw NotFoundException.key(this.keyArn(target.keyId));
      return key;
    }
    const alias = await this.store.getAlias(target.aliasName);
    const key = alias && (await this.#live(alias.targetKeyId));
    if (key) return key;
    const managed = target.aliasName.slice('alias/'.length);
    if (managed in AWS_MANAGED_KEYS) return this.awsManagedKey(managed as AwsManagedAlias);
    throw NotFoundException.alias(this.aliasArn(target.aliasName));
  }

  /** The key `identifier` names, refused unless it is Enabled (DisabledException, KMSInvalidStateException). */
  async usable(identifier: string): Promise<KmsKeyRecord> {
    return assertUsable(await this.find(identifier));
  }

  /** The AWS managed key of `alias` ('aws/ssm', 'aws/secretsmanager'), made with its alias on first use. */
  async awsManagedKey(alias: AwsManagedAlias): Promise<KmsKeyRecord> {
    const aliasName = `alias/${alias}`;
    return this.#writes.run(aliasName, async () => {
      const existing = await this.store.getAlias(aliasName);
      const key = existing && (await this.#live(existing.targetKeyId));
      if (key) return key;
      const { service, description } = AWS_MANAGED_KEYS[alias];
      const made = this.#newKey({ description, policy: awsManagedKeyPolicy(this.scope, service) }, 'AWS');
      const now = this.#clock.now();
      if (!(await this.store.insertKey(made, { aliasName, targetKeyId: made.keyId, createdAt: now, updatedAt: now })))
        throw new Error(`the alias ${aliasName} exists but names no key`);
      return made;
    });
  }

  async createKey(request: NewKey): Promise<KmsKeyRecord> {
    const key = this.#newKey(request, 'CUSTOMER');
    await this.store.insertKey(key);
    return key;
  }

  /** Read, change and write one key, one change at a time per key. */
  async update(identifier: string, change: (key: KmsKeyRecord) => KmsKeyRecord): Promise<KmsKeyRecord> {
    const { keyId } = await this.find(identifier);
    return this.#writes.run(keyId, async () => {
      const current = await this.find(keyId);
      const next = change(current);
      if (next !== current) await this.store.updateKey(next);
      return next;
    });
  }

  async encrypt(
    keyId: string,
    plaintext: Uint8Array,
    encryptionContext: EncryptionContext = {},
  ): Promise<{ ciphertextBlob: Buffer; keyArn: string }> {
    const key = await this.usable(keyId);
    return { ciphertextBlob: sealBlob(key.keyId, key.material, plaintext, encryptionContext), keyArn: key.arn };
  }

  /**
   * Decrypts a blob Encrypt or GenerateDataKey made; the key is the one the blob names. With
   * `keyId`, that key must be the one (IncorrectKeyException otherwise), as KMS checks.
   */
  async decrypt(
    ciphertextBlob: Uint8Array,
    encryptionContext: EncryptionContext = {},
    options: { readonly keyId?: string } = {},
  ): Promise<{ plaintext: Buffer; keyArn: string }> {
    const named = blobKeyId(ciphertextBlob);
    if (named === undefined) throw new InvalidCiphertextException('The ciphertext is not a KMS ciphertext blob.');
    if (options.keyId !== undefined) {
      const expected = await this.find(options.keyId);
      if (expected.keyId !== named) throw new IncorrectKeyException();
    }
    const key = await this.#live(named);
    if (!key) throw new InvalidCiphertextException('The ciphertext refers to a KMS key that does not exist.');
    assertUsable(key);
    const plaintext = openBlob(key.keyId, key.material, ciphertextBlob, encryptionContext);
    if (!plaintext) throw new InvalidCiphertextException('');
    return { plaintext, keyArn: key.arn };
  }

  /** A new data key: its plaintext, and the same bytes encrypted under `keyId`. */
  async generateDataKey(
    keyId: string,
    numberOfBytes: number,
    encryptionContext: EncryptionContext = {},
  ): Promise<{ plaintext: Buffer; ciphertextBlob: Buffer; keyArn: string }> {
    const plaintext = randomBytes(numberOfBytes);
    const { ciphertextBlob, keyArn } = await this.encrypt(keyId, plaintext, encryptionContext);
    return { plaintext, ciphertextBlob, keyArn };
  }

  /** Keys in key id order after `after`, without those whose deletion date has passed. */
  async list(page: { readonly after?: string | undefined; readonly limit: number }): Promise<KmsKeyRecord[]> {
    const now = this.#clock.now().getTime();
    const keys = await this.store.listKeys(page);
    return keys.filter((key) => !(key.deletionDate && key.deletionDate.getTime() <= now));
  }

  /** The key, unless it is unknown or its deletion date has passed (then it is deleted now). */
  async #live(keyId: string): Promise<KmsKeyRecord | undefined> {
    const key = await this.store.getKey(keyId);
    if (key?.state === 'PendingDeletion' && key.deletionDate && key.deletionDate <= this.#clock.now()) {
      await this.store.deleteKey(keyId);
      return undefined;
    }
    return key;
  }

  #parse(identifier: string): { keyId: string } | { aliasName: string } {
    if (identifier.startsWith('alias/')) return { aliasName: identifier };
    if (identifier.startsWith('arn:')) {
      const arn = parseArn(identifier);
      const ours = arn?.service === 'kms' && arn.region === this.scope.region && arn.accountId === this.scope.accountId;
      if (ours && arn.resource.startsWith('alias/')) return { aliasName: arn.resource };
      if (ours && arn.resource.startsWith('key/') && UUID.test(arn.resource.slice(4)))
        return { keyId: arn.resource.slice(4) };
      throw arn?.resource.startsWith('alias/')
        ? NotFoundException.alias(identifier)
        : NotFoundException.key(identifier);
    }
    if (!UUID.test(identifier)) throw NotFoundException.invalidKeyId(identifier);
    return { keyId: identifier };
  }

  #newKey(request: NewKey, keyManager: 'AWS' | 'CUSTOMER'): KmsKeyRecord {
    const keyId = randomUUID();
    return {
      keyId,
      arn: this.keyArn(keyId),
      createdAt: this.#clock.now(),
      state: 'Enabled',
      material: randomBytes(KEY_MATERIAL_BYTES),
      description: request.description ?? '',
      keyManager,
      policy: request.policy ?? defaultKeyPolicy(this.scope),
      tags: request.tags ?? [],
    };
  }
}

function assertUsable(key: KmsKeyRecord): KmsKeyRecord {
  if (key.state === 'Disabled') throw new DisabledException(key.arn);
  if (key.state === 'PendingDeletion') throw KMSInvalidStateException.pendingDeletion(key.arn);
  return key;
}
