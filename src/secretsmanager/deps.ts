import type { KeyRing } from '../kms/index.ts';
import type { AccessRequest } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { SecretRecord, SecretsRepository } from '../store/index.ts';
import { InvalidRequestException, ResourceNotFoundException } from './errors.ts';

export interface SecretsManagerDeps {
  readonly secrets: SecretsRepository;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly authorize: (context: RequestContext, requests: readonly AccessRequest[]) => Promise<void>;
  /** Throws the policy grammar's error for a resource policy that does not parse. */
  readonly checkPolicy: (text: string) => void;
}

/** What a secret's body holds (store/secrets-repository.ts keeps it as JSON). */
export interface SecretBody {
  readonly description?: string;
  /** As the caller gave it; none: the AWS managed key aws/secretsmanager. */
  readonly kmsKeyId?: string;
  readonly tags?: readonly { readonly Key: string; readonly Value: string }[];
  readonly policy?: string;
  /** Epoch ms: when a secret marked for deletion is deleted. */
  readonly deletedDate?: number;
  readonly lastChangedDate?: number;
  readonly lastAccessedDate?: number;
}

export function bodyOf(secret: SecretRecord): SecretBody {
  return secret.body as SecretBody;
}

/** Whether a SecretId is an ARN (else a name). */
export function isArn(secretId: string): boolean {
  return secretId.startsWith('arn:');
}

/**
 * The secret a SecretId names (name, ARN, or ARN without its random suffix), deleting it first if
 * its recovery window has passed. A name-named secret is authorized for `action` here, once its ARN
 * is known (access.ts can only declare an ARN it is given).
 */
export async function findSecret(
  deps: SecretsManagerDeps,
  secretId: string,
  options: { readonly action?: string; readonly context?: RequestContext; readonly deleted?: 'allow' | 'refuse' } = {},
): Promise<SecretRecord> {
  let secret = isArn(secretId) ? await deps.secrets.getByArn(secretId) : await deps.secrets.getByName(secretId);
  if (!secret && isArn(secretId)) {
    // A partial ARN: arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, without -XXXXXX.
    const name = secretId.split(':secret:')[1];
    const byName = name === undefined ? undefined : await deps.secrets.getByName(name);
    if (byName && byName.arn.startsWith(`${secretId}-`)) secret = byName;
  }
  if (secret) {
    const deletedDate = bodyOf(secret).deletedDate;
    if (deletedDate !== undefined && deletedDate <= deps.clock.now().getTime()) {
      await deps.secrets.delete(secret.arn);
      secret = undefined;
    }
  }
  if (options.action && options.context && !isArn(secretId)) {
    // Not found, the caller is still asked about the ARN the name would have (NAME-??????, which
    // the policies AWS documents match), so that a denied caller learns nothing of what exists.
    const resource = secret?.arn ?? formatArn('secretsmanager', options.context, `secret:${secretId}-??????`);
    await deps.authorize(options.context, [{ action: options.action, resource }]);
  }
  if (!secret) throw ResourceNotFoundException.secret();
  if ((options.deleted ?? 'refuse') === 'refuse' && bodyOf(secret).deletedDate !== undefined)
    throw InvalidRequestException.deleted();
  return secret;
}
