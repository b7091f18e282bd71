import type { RequestContext } from '../shared/request-context.ts';
import type { SsmParameterRecord, SsmParameterVersionRecord, SsmVersionDetails } from '../store/index.ts';
import { checkAllowedPattern, compileAllowedPattern } from './allowed-pattern.ts';
import { DEFAULT_KEY_ID, encryptionContextOf } from './cipher.ts';
import { WRITE_ATTEMPTS, type SsmDeps } from './deps.ts';
import {
  ParameterAlreadyExists,
  ParameterMaxVersionLimitExceeded,
  TooManyUpdates,
  ValidationException,
} from './errors.ts';
import { checkParameterName, parameterArn } from './names.ts';
import type { PutParameterRequest, PutParameterResult } from './shapes.generated.ts';
import { checkTags } from './tags.ts';

/** AWS keeps the last 100 versions of a parameter. */
export const MAX_VERSIONS = 100;
const STANDARD_MAX_BYTES = 4096;
const ADVANCED_MAX_BYTES = 8192;

export async function putParameter(
  deps: SsmDeps,
  input: PutParameterRequest,
  context: RequestContext,
): Promise<PutParameterResult> {
  checkParameterName(input.Name);
  if (input.Overwrite === true && input.Tags !== undefined) {
    throw new ValidationException(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  if (input.Tags) checkTags(input.Tags);
  const dataType = input.DataType ?? 'text';
  if (dataType !== 'text') {
    throw new ValidationException(
      `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`,
    );
  }
  if (input.AllowedPattern) compileAllowedPattern(input.AllowedPattern);
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const existing = await deps.store.ssm.get(input.Name);
    if (existing && input.Overwrite !== true) throw new ParameterAlreadyExists();
    const planned = await planPut(deps, input, existing, context);
    const written = await deps.store.ssm.write([
      {
        name: input.Name,
        expectRevision: existing?.revision,
        next: { version: planned.version.version, tags: existing?.tags ?? input.Tags ?? [] },
        putVersions: [planned.version],
        dropVersions: planned.drop,
      },
    ]);
    if (written) return { Version: planned.version.version, Tier: planned.version.details.tier };
  }
  throw new TooManyUpdates();
}

async function planPut(
  deps: SsmDeps,
  input: PutParameterRequest,
  existing: SsmParameterRecord | undefined,
  context: RequestContext,
): Promise<{ version: SsmParameterVersionRecord; drop: number[] }> {
  const before = existing?.current.details;
  const type = input.Type ?? before?.type;
  if (type === undefined) throw new ValidationException('A parameter type is required when you create a parameter.');
  if (input.KeyId !== undefined && type !== 'SecureString') {
    throw new ValidationException(
      `Parameter type ${type} does not support KeyId. KeyId is for SecureString parameters only.`,
    );
  }
  // An overwrite that leaves them out keeps the description and the allowed pattern.
  const description = input.Description ?? before?.description;
  const allowedPattern = input.AllowedPattern ?? before?.allowedPattern;
  checkAllowedPattern(allowedPattern, input.Value);
  const tier = tierOf(input, before?.tier);
  const arn = parameterArn(context, input.Name);
  const { value, key } = await storedValue(deps, type, input, arn);
  const drop = existing ? await versionsToDrop(deps, input.Name) : [];
  return {
    version: {
      version: (existing?.current.version ?? 0) + 1,
      value,
      labels: [],
      modifiedAt: deps.clock.now(),
      details: {
        type,
        tier,
        dataType: input.DataType ?? 'text',
        lastModifiedUser: context.principal.arn,
        ...(description !== undefined && description !== '' ? { description } : {}),
        ...(allowedPattern !== undefined && allowedPattern !== '' ? { allowedPattern } : {}),
        ...key,
      },
    },
    drop,
  };
}

/** What is stored of the value: a SecureString's ciphertext (base64) and its key, else the value. */
async function storedValue(
  deps: SsmDeps,
  type: SsmVersionDetails['type'],
  input: PutParameterRequest,
  arn: string,
): Promise<{ value: string; key: Pick<SsmVersionDetails, 'keyId' | 'keyArn' | 'keyAwsManaged'> }> {
  if (type !== 'SecureString') return { value: input.Value, key: {} };
  const keyId = input.KeyId ?? DEFAULT_KEY_ID;
  const encrypted = await deps.cipher.encrypt(keyId, input.Value, encryptionContextOf(arn));
  return {
    value: Buffer.from(encrypted.blob).toString('base64'),
    key: { keyId, keyArn: encrypted.keyArn, keyAwsManaged: encrypted.awsManaged },
  };
}

/** At 100 versions the oldest goes, unless a label holds it. */
async function versionsToDrop(deps: SsmDeps, name: string): Promise<number[]> {
  const history = await deps.store.ssm.history(name);
  if (history.length < MAX_VERSIONS) return [];
  const oldest = history[0]!;
  if (oldest.labels.length > 0) throw ParameterMaxVersionLimitExceeded.labelled(name, oldest.version);
  return history.slice(0, history.length - MAX_VERSIONS + 1).map((v) => v.version);
}

/**
 * Standard holds 4 KB, Advanced 8 KB; Intelligent-Tiering picks Standard when the value fits. An
 * Advanced parameter never goes back to Standard, and an overwrite without a tier keeps its tier.
 */
export function tierOf(
  input: Pick<PutParameterRequest, 'Tier' | 'Value'>,
  before: 'Standard' | 'Advanced' | undefined,
): 'Standard' | 'Advanced' {
  const bytes = Buffer.byteLength(input.Value, 'utf8');
  if (bytes > ADVANCED_MAX_BYTES) {
    throw new ValidationException(
      `Parameter value exceeds the maximum size of ${ADVANCED_MAX_BYTES} bytes for the advanced-parameter tier.`,
    );
  }
  const requested = input.Tier ?? before ?? 'Standard';
  if (requested === 'Advanced') return 'Advanced';
  if (requested === 'Intelligent-Tiering')
    return bytes > STANDARD_MAX_BYTES || before === 'Advanced' ? 'Advanced' : 'Standard';
  if (before === 'Advanced') {
    throw new ValidationException(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (bytes > STANDARD_MAX_BYTES) {
    throw new ValidationException(
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
    );
  }
  return 'Standard';
}
