import { findSecret, type SecretsManagerDeps } from './deps.ts';
import { InvalidRequestException } from './errors.ts';
import { batchGetSecretValue, listSecrets } from './listing.ts';
import { getRandomPassword } from './random-password.ts';
import {
  deleteResourcePolicy,
  getResourcePolicy,
  putResourcePolicy,
  validateResourcePolicy,
} from './resource-policies.ts';
import {
  createSecret,
  deleteSecret,
  describeSecret,
  restoreSecret,
  tagResource,
  untagResource,
  updateSecret,
} from './secrets.ts';
import type { SecretsManagerApi } from './shapes.generated.ts';
import { getSecretValue, listSecretVersionIds, putSecretValue, updateSecretVersionStage } from './values.ts';

/** The Secrets Manager operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function secretsManagerOperations(deps: SecretsManagerDeps): Partial<SecretsManagerApi> {
  return {
    CreateSecret: (input, context) => createSecret(deps, input, context),
    GetSecretValue: (input, context) => getSecretValue(deps, input, context),
    BatchGetSecretValue: (input, context) => batchGetSecretValue(deps, input, context),
    PutSecretValue: (input, context) => putSecretValue(deps, input, context),
    UpdateSecret: (input, context) => updateSecret(deps, input, context),
    DescribeSecret: (input, context) => describeSecret(deps, input, context),
    ListSecrets: (input) => listSecrets(deps, input),
    DeleteSecret: (input, context) => deleteSecret(deps, input, context),
    RestoreSecret: (input, context) => restoreSecret(deps, input, context),
    UpdateSecretVersionStage: (input, context) => updateSecretVersionStage(deps, input, context),
    ListSecretVersionIds: (input, context) => listSecretVersionIds(deps, input, context),
    GetRandomPassword: async (input) => getRandomPassword(input),
    PutResourcePolicy: (input, context) => putResourcePolicy(deps, input, context),
    GetResourcePolicy: (input, context) => getResourcePolicy(deps, input, context),
    DeleteResourcePolicy: (input, context) => deleteResourcePolicy(deps, input, context),
    ValidateResourcePolicy: (input) => validateResourcePolicy(deps, input),
    TagResource: (input, context) => tagResource(deps, input, context),
    UntagResource: (input, context) => untagResource(deps, input, context),
    // TODO(#18): rotation on a schedule. Refused clearly until then, after the secret is found.
    RotateSecret: async (input, context) => {
      await findSecret(deps, input.SecretId, { action: 'secretsmanager:RotateSecret', context });
      throw new InvalidRequestException(
        'Berth does not rotate secrets yet (rotation functions and schedules are not built): put a new value with PutSecretValue.',
      );
    },
  };
}
