import type { Principal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { InvalidParameterException, RegistryPolicyNotFoundException } from './errors.ts';
import {
  evaluatePolicy,
  parseRegistryPolicy,
  PolicyGrammarError,
  type PolicyDecision,
  type RepositoryPolicy,
} from './repository-policy.ts';
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

let parsed: { text: string; policy: RepositoryPolicy } | undefined;

async function storedText(store: MetadataStore): Promise<string | undefined> {
  const text = await store.registrySettings.get(SETTING);
  return typeof text === 'string' ? text : undefined;
}

async function registryPolicy(store: MetadataStore): Promise<RepositoryPolicy | undefined> {
  const text = await storedText(store);
  if (text === undefined) return undefined;
  if (parsed?.text !== text) parsed = { text, policy: parseRegistryPolicy(text) };
  return parsed.policy;
}

/**
 * What the registry policy says about a request (an access-control resource-policy source): the
 * decision of the statements whose Principal, Action and Resource match, 'no-match' without a
 * policy or for other services' actions. Like S3's bucket policies for the root user, it cannot
 * deny the account root the calls that change or remove it, so no policy locks the registry's
 * owner out of its own registry for good.
 */
export function registryPolicyDecisions(store: MetadataStore) {
  return async (resource: string, principal: Principal, action: string): Promise<PolicyDecision> => {
    const normalized = action.toLowerCase();
    if (!normalized.startsWith('ecr:')) return 'no-match';
    if (principal.root && SELF_MANAGEMENT.has(normalized)) return 'no-match';
    return evaluatePolicy(await registryPolicy(store), principal.arn, action, resource);
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
