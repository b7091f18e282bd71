// eslint.config.js's import boundaries are written for files one level below src/ (see agent/metadata's
// override); this one is two levels down and imports the same way the rest of agent/ does.
// eslint-disable-next-line no-restricted-imports
import type { ContainerDefinition } from '../../ecs/index.ts';
import { ResourceInitializationError } from '../runtime.ts';
import {
  batchParameterNames,
  extractJsonKey,
  findParameter,
  parseRegistryCredentials,
  parseSecretReference,
  secretVersionKey,
  type ParameterAnswer,
  type RegistryAuth,
  type SecretReference,
} from './secret-references.ts';

/*
 * A task's secrets, fetched before its containers are created, with the execution role's
 * credentials (the caller's api carries them). Secrets Manager: one GetSecretValue per distinct
 * (secret, stage, version), shared by the json keys read from it. SSM: every distinct name, in
 * GetParameters calls of at most 10, WithDecryption. All calls run at once, as the ECS agent's
 * goroutines do. A failure stops the task with the reason Fargate gives (ResourceInitializationError:
 * unable to pull secrets or registry auth: …); when several fail, the reason is the first failing
 * reference's in task order (containers, then `secrets` before `secretOptions`).
 *
 * Nothing here logs, and no error carries a secret's value.
 */

/** Errors the api throws carry `code` (e.g. 'AccessDeniedException', 'ResourceNotFoundException') and `message`. */
export interface SecretsApi {
  getSecretValue(input: {
    SecretId: string;
    VersionStage?: string;
    VersionId?: string;
  }): Promise<{ ARN?: string; Name?: string; SecretString?: string; SecretBinary?: string }>;
  getParameters(input: {
    Names: string[];
    WithDecryption: boolean;
  }): Promise<{ Parameters?: ParameterAnswer[]; InvalidParameters?: string[] }>;
}

export interface ResolvedSecrets {
  /** By container name: the variables its `secrets` give. */
  readonly environment: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** By container name: the log driver options its `logConfiguration.secretOptions` give. */
  readonly logOptions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const RETRIEVAL_FAILED = 'unable to pull secrets or registry auth: execution resource retrieval failed: ';
const FROM_ASM = 'unable to retrieve secret from asm: ';
const FROM_SSM = 'unable to retrieve secrets from ssm: ';
const RETRIED = 'service call has been retried 1 time(s): ';
/** Fargate's words for InvalidParameters (the EC2 agent's agent/ssm/ssm.go says "invalid parameters: "). */
const INVALID_PARAMETERS = 'invalid ssm parameters: ';

/** The text after "ResourceInitializationError: ", as ECS words it. */
function asmFailure(detail: string): ResourceInitializationError {
  return new ResourceInitializationError(`${RETRIEVAL_FAILED}${FROM_ASM}${detail}`);
}

/** `Code: message` of what the api threw; a failure without a code never reached the service. */
export function describeApiError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' && code !== ''
    ? `${code}: ${text}`
    : `RequestError: send request failed caused by: ${text}`;
}

export function needsSecrets(containers: readonly ContainerDefinition[]): boolean {
  return containers.some(
    (container) =>
      (container.secrets?.length ?? 0) > 0 ||
      (container.logConfiguration?.secretOptions?.length ?? 0) > 0 ||
      Boolean(container.repositoryCredentials?.credentialsParameter),
  );
}

interface Use {
  readonly container: string;
  readonly target: 'environment' | 'logOptions';
  readonly name: string;
  readonly reference: SecretReference;
}

type Outcome = { readonly value: string } | { readonly error: string };

export async function resolveSecrets(
  containers: readonly ContainerDefinition[],
  api: SecretsApi,
): Promise<ResolvedSecrets> {
  const uses = usesOf(containers);
  const [secretValues, parameterValues] = await Promise.all([fetchSecretValues(uses, api), fetchParameters(uses, api)]);
  const environment: Record<string, Record<string, string>> = {};
  const logOptions: Record<string, Record<string, string>> = {};
  for (const use of uses) {
    const outcome = outcomeOf(use.reference, secretValues, parameterValues);
    if ('error' in outcome) throw new ResourceInitializationError(`${RETRIEVAL_FAILED}${outcome.error}`);
    const byContainer = use.target === 'environment' ? environment : logOptions;
    const record = Object.hasOwn(byContainer, use.container)
      ? byContainer[use.container]!
      : setOwn(byContainer, use.container, {});
    // The agent leaves a log option out when its value is empty (task.go populateContainerSecrets).
    if (use.target === 'logOptions' && outcome.value === '') continue;
    setOwn(record, use.name, outcome.value);
  }
  return { environment, logOptions };
}

function usesOf(containers: readonly ContainerDefinition[]): Use[] {
  const uses: Use[] = [];
  for (const container of containers) {
    const name = container.name ?? '';
    for (const secret of container.secrets ?? []) {
      uses.push({ container: name, target: 'environment', name: secret.name, reference: parse(secret.valueFrom) });
    }
    for (const secret of container.logConfiguration?.secretOptions ?? []) {
      uses.push({ container: name, target: 'logOptions', name: secret.name, reference: parse(secret.valueFrom) });
    }
  }
  return uses;
}

function parse(valueFrom: string | undefined): SecretReference {
  return parseSecretReference(valueFrom ?? '');
}

type SecretAnswer = { readonly secretString: string | undefined } | { readonly error: string };

async function fetchSecretValues(uses: readonly Use[], api: SecretsApi): Promise<Map<string, SecretAnswer>> {
  const wanted = new Map<string, Extract<SecretReference, { kind: 'asm' }>>();
  for (const { reference } of uses) {
    if (reference.kind === 'asm' && !wanted.has(secretVersionKey(reference))) {
      wanted.set(secretVersionKey(reference), reference);
    }
  }
  const answers = new Map<string, SecretAnswer>();
  await Promise.all(
    [...wanted].map(async ([key, reference]) => {
      try {
        const output = await api.getSecretValue({
          SecretId: reference.secretId,
          ...(reference.versionStage === undefined ? {} : { VersionStage: reference.versionStage }),
          ...(reference.versionId === undefined ? {} : { VersionId: reference.versionId }),
        });
        answers.set(key, { secretString: output.SecretString });
      } catch (error) {
        answers.set(key, { error: describeApiError(error) });
      }
    }),
  );
  return answers;
}

async function fetchParameters(uses: readonly Use[], api: SecretsApi): Promise<Map<string, Outcome>> {
  const names = uses.flatMap(({ reference }) => (reference.kind === 'ssm' ? [reference.valueFrom] : []));
  const outcomes = new Map<string, Outcome>();
  await Promise.all(
    batchParameterNames(names).map(async (batch) => {
      let failure: string | undefined;
      let answers: readonly ParameterAnswer[] = [];
      try {
        const output = await api.getParameters({ Names: batch, WithDecryption: true });
        if ((output.InvalidParameters?.length ?? 0) > 0) {
          failure = `${INVALID_PARAMETERS}${output.InvalidParameters!.join(',')}`;
        }
        answers = output.Parameters ?? [];
      } catch (error) {
        failure = describeApiError(error);
      }
      for (const name of batch) {
        // A name the answer leaves out, without calling it invalid, gives an empty value (as in the agent).
        outcomes.set(
          name,
          failure === undefined
            ? { value: findParameter(name, answers)?.Value ?? '' }
            : { error: `${FROM_SSM}${RETRIED}${failure}` },
        );
      }
    }),
  );
  return outcomes;
}

function outcomeOf(
  reference: SecretReference,
  secretValues: ReadonlyMap<string, SecretAnswer>,
  parameterValues: ReadonlyMap<string, Outcome>,
): Outcome {
  if (reference.kind === 'malformed') {
    return {
      error: `${FROM_ASM}trying to retrieve secret with value ${reference.valueFrom} resulted in error: ${reference.problem}`,
    };
  }
  if (reference.kind === 'ssm') return parameterValues.get(reference.valueFrom)!;
  const answer = secretValues.get(secretVersionKey(reference))!;
  if ('error' in answer) return { error: `${FROM_ASM}${RETRIED}${answer.error}` };
  // A binary secret has no SecretString: the whole value is empty, and there is no JSON to read.
  if (reference.jsonKey === undefined) return { value: answer.secretString ?? '' };
  const extracted = extractJsonKey(answer.secretString ?? '', reference.jsonKey);
  return 'error' in extracted ? { error: `${FROM_ASM}${RETRIED}${extracted.error}` } : extracted;
}

/**
 * The image pull credentials of a container's repositoryCredentials: the whole secret (a name or
 * an ARN, no json-key form), JSON {"username","password"}.
 */
export async function resolveRepositoryCredentials(
  container: ContainerDefinition,
  api: SecretsApi,
): Promise<{ username: string; password: string } | undefined> {
  const secretId = container.repositoryCredentials?.credentialsParameter;
  if (!secretId) return undefined;
  let secretString: string | undefined;
  try {
    secretString = (await api.getSecretValue({ SecretId: secretId })).SecretString;
  } catch (error) {
    throw asmFailure(`${RETRIED}${describeApiError(error)}`);
  }
  const credentials: RegistryAuth | { error: string } = parseRegistryCredentials(secretString);
  if ('error' in credentials) throw asmFailure(`${RETRIED}${credentials.error}`);
  return { username: credentials.username, password: credentials.password };
}

/** record[key] = value, even for "__proto__" (a container or variable may be named so). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): T {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}
