import type { RequestContext } from '../shared/request-context.ts';
import type { SsmParameterRecord, SsmParameterVersionRecord } from '../store/index.ts';
import { encryptionContextOf } from './cipher.ts';
import type { SsmDeps } from './deps.ts';
import { ParameterNotFound, ParameterVersionNotFound } from './errors.ts';
import { versionOf } from './labels.ts';
import { nameOf, parameterArn, parseSelector } from './names.ts';
import type {
  GetParameterRequest,
  GetParameterResult,
  GetParametersRequest,
  GetParametersResult,
  Parameter,
} from './shapes.generated.ts';

export async function getParameter(
  deps: SsmDeps,
  input: GetParameterRequest,
  context: RequestContext,
): Promise<GetParameterResult> {
  const found = await selectParameter(deps, input.Name, context);
  if (found.missing !== undefined) {
    throw found.missing === 'parameter'
      ? ParameterNotFound.named(input.Name)
      : ParameterVersionNotFound.of(found.name, found.raw ?? '');
  }
  return { Parameter: await parameterOf(deps, found, input.WithDecryption === true, context) };
}

export async function getParameters(
  deps: SsmDeps,
  input: GetParametersRequest,
  context: RequestContext,
): Promise<GetParametersResult> {
  const parameters: Parameter[] = [];
  const invalid: string[] = [];
  for (const reference of new Set(input.Names)) {
    const found = await selectParameter(deps, reference, context);
    if (found.missing) invalid.push(reference);
    else parameters.push(await parameterOf(deps, found, input.WithDecryption === true, context));
  }
  return { Parameters: parameters, InvalidParameters: invalid };
}

type Selected =
  | { missing: 'parameter' | 'version'; name: string; raw?: string }
  | {
      missing?: undefined;
      name: string;
      raw?: string;
      record: SsmParameterRecord;
      version: SsmParameterVersionRecord;
    };

/** The version a reference (name, ARN, name:version, name:label) selects. */
async function selectParameter(deps: SsmDeps, reference: string, context: RequestContext): Promise<Selected> {
  const { name: named, selector, raw } = parseSelector(reference);
  const name = nameOf(named, context);
  const record = await deps.store.ssm.get(name);
  if (!record) return { missing: 'parameter', name };
  if (!selector) return { name, record, version: record.current };
  const version = versionOf(await deps.store.ssm.history(name), selector);
  if (!version) return { missing: 'version', name, ...(raw === undefined ? {} : { raw }) };
  return { name, record, version, ...(raw === undefined ? {} : { raw }) };
}

async function parameterOf(
  deps: SsmDeps,
  found: Extract<Selected, { record: SsmParameterRecord }>,
  withDecryption: boolean,
  context: RequestContext,
): Promise<Parameter> {
  const arn = parameterArn(context, found.name);
  return {
    Name: found.name,
    Type: found.version.details.type,
    Value: await valueOf(deps, found.name, found.version, withDecryption, context),
    Version: found.version.version,
    ...(found.raw === undefined ? {} : { Selector: `:${found.raw}` }),
    LastModifiedDate: found.version.modifiedAt,
    ARN: arn,
    DataType: found.version.details.dataType,
  };
}

/**
 * A version's value as the caller may see it: a SecureString's ciphertext (base64) unless it asks
 * WithDecryption, and then, under a customer managed key, only with kms:Decrypt on that key, asked
 * as KMS would be through SSM (kms:ViaService, the parameter's ARN as encryption context).
 */
export async function valueOf(
  deps: SsmDeps,
  name: string,
  version: SsmParameterVersionRecord,
  withDecryption: boolean,
  context: RequestContext,
): Promise<string> {
  const { details } = version;
  if (details.type !== 'SecureString' || !withDecryption) return version.value;
  const arn = parameterArn(context, name);
  const encryption = encryptionContextOf(arn);
  if (details.keyAwsManaged !== true) {
    await deps.authorize(context, [
      {
        action: 'kms:Decrypt',
        resource: details.keyArn ?? '*',
        conditions: {
          'kms:ViaService': `ssm.${context.region}.amazonaws.com`,
          ...Object.fromEntries(
            Object.entries(encryption).map(([key, value]) => [`kms:EncryptionContext:${key}`, value]),
          ),
        },
      },
    ]);
  }
  return deps.cipher.decrypt(Buffer.from(version.value, 'base64'), encryption);
}
