import { parsePolicy, type Policy } from '../iam/policy/index.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { bodyOf, findSecret, type SecretsManagerDeps } from './deps.ts';
import { MalformedPolicyDocumentException } from './errors.ts';
import type {
  DeleteResourcePolicyRequest,
  DeleteResourcePolicyResponse,
  GetResourcePolicyRequest,
  GetResourcePolicyResponse,
  PutResourcePolicyRequest,
  PutResourcePolicyResponse,
  ValidateResourcePolicyRequest,
  ValidateResourcePolicyResponse,
} from './shapes.generated.ts';
import type { SecretsRepository } from '../store/index.ts';

function check(deps: SecretsManagerDeps, text: string): void {
  try {
    deps.checkPolicy(text);
  } catch (error) {
    throw new MalformedPolicyDocumentException((error as Error).message);
  }
}

export async function putResourcePolicy(
  deps: SecretsManagerDeps,
  input: PutResourcePolicyRequest,
  context: RequestContext,
): Promise<PutResourcePolicyResponse> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:PutResourcePolicy', context });
  check(deps, input.ResourcePolicy);
  await deps.secrets.write({ secret: { ...secret, body: { ...secret.body, policy: input.ResourcePolicy } } });
  return { ARN: secret.arn, Name: secret.name };
}

export async function getResourcePolicy(
  deps: SecretsManagerDeps,
  input: GetResourcePolicyRequest,
  context: RequestContext,
): Promise<GetResourcePolicyResponse> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:GetResourcePolicy', context });
  const policy = bodyOf(secret).policy;
  return { ARN: secret.arn, Name: secret.name, ...(policy === undefined ? {} : { ResourcePolicy: policy }) };
}

export async function deleteResourcePolicy(
  deps: SecretsManagerDeps,
  input: DeleteResourcePolicyRequest,
  context: RequestContext,
): Promise<DeleteResourcePolicyResponse> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:DeleteResourcePolicy', context });
  const body: Record<string, unknown> = { ...bodyOf(secret) };
  delete body.policy;
  await deps.secrets.write({ secret: { ...secret, body } });
  return { ARN: secret.arn, Name: secret.name };
}

/** The policy's grammar, as IAM checks it; Berth has no Access Analyzer checks beyond that. */
export async function validateResourcePolicy(
  deps: SecretsManagerDeps,
  input: ValidateResourcePolicyRequest,
): Promise<ValidateResourcePolicyResponse> {
  try {
    deps.checkPolicy(input.ResourcePolicy);
    return { PolicyValidationPassed: true, ValidationErrors: [] };
  } catch (error) {
    return {
      PolicyValidationPassed: false,
      ValidationErrors: [{ CheckName: 'SYNTAX_CHECK', ErrorMessage: (error as Error).message }],
    };
  }
}

/** A secret's resource policy, as a resource-based policy for the access control. */
export function secretPolicies(secrets: SecretsRepository, scope: { region: string; accountId: string }) {
  const prefix = `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:`;
  return async (resource: string, action: string): Promise<readonly Policy[] | undefined> => {
    if (!resource.startsWith(prefix) || !action.toLowerCase().startsWith('secretsmanager:')) return undefined;
    const secret = await secrets.getByArn(resource);
    const text = secret && bodyOf(secret).policy;
    return text === undefined ? undefined : [parsePolicy(text, 'resource')];
  };
}
