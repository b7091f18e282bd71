import type { Policy } from '../iam/index.ts';
import type { Principal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { InvalidParameterException, RegistryPolicyNotFoundException } from './errors.ts';
import { parseRegistryPolicy, PolicyGrammarError } from './repository-policy.ts';
import type {
  DeleteRegistryPolicyResponse,
  GetRegistryPolicyResponse,
  PutRegistryPolicyRequest,
  PutRegistryPolicyResponse,
} from './shapes.generated.ts';

/**
 * The registry policy: one resource policy for the whole registry, consulted on every ECR request
 * and every registry (docker) request alongside the repository's own policy (REGISTRY_POLICY_SCOPE
 * V2, the only scope ECR still has). Its statements name the ARNs they cover.
 */

const SETTING = 'registry-policy';

/** The registry policy's own management, which the policy never denies the account root. */
const SELF_MANAGEMENT = new Set(['ecr:putregistrypolicy', 'ecr:getregistrypolicy', 'ecr:deleteregistrypolicy']);

async function storedText(store: MetadataStore): Promise<string | undefined> {
  const text = await store.registrySettings.get(SETTING);
  return typeof text === 'string' ? text : undefined;
}

/**
 * The access control's resource-policy source for the registry policy: it applies to every ECR
 * action, its statements' Resource elements saying which ARNs they cover. Like S3's bucket policies
 * for the root user, it cannot deny the account root the calls that change or remove it, so no
 * policy locks the registry's owner out of its own registry for good.
 */
export function registryPolicies(store: MetadataStore) {
  return async (_resource: string, action: string, principal: Principal): Promise<readonly Policy[] | undefined> => {
    const normalized = action.toLowerCase();
    if (!normalized.startsWith('ecr:')) return undefined;
    if (principal.root && SELF_MANAGEMENT.has(normalized)) return undefined;
    const text = await storedText(store);
    return text === undefined ? undefined : [parseRegistryPolicy(text)];
  };
}

function notFound(context: RequestContext): RegistryPolicyNotFoundException {
  return new RegistryPolicyNotFoundException(
    `Registry policy does not exist in the registry with id '${context.accountId}'`,
  );
}

export async function putRegistryPolicy(
  deps: { store: MetadataStore },
  input: PutRegistryPolicyRequest,
  context: RequestContext,
): Promise<PutRegistryPolicyResponse> {
  try {
    parseRegistryPolicy(input.policyText);
  } catch (error) {
    if (!(error instanceof PolicyGrammarError)) throw error;
    throw new InvalidParameterException(
      `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided: ${error.message}'`,
    );
  }
  await deps.store.registrySettings.put(SETTING, input.policyText);
  return { registryId: context.accountId, policyText: input.policyText };
}

export async function getRegistryPolicy(
  deps: { store: MetadataStore },
  context: RequestContext,
): Promise<GetRegistryPolicyResponse> {
  const text = await storedText(deps.store);
  if (text === undefined) throw notFound(context);
  return { registryId: context.accountId, policyText: text };
}

export async function deleteRegistryPolicy(
  deps: { store: MetadataStore },
  context: RequestContext,
): Promise<DeleteRegistryPolicyResponse> {
  const text = await deps.store.registrySettings.delete(SETTING);
  if (typeof text !== 'string') throw notFound(context);
  return { registryId: context.accountId, policyText: text };
}
