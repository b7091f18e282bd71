import { parsePolicy, type Policy } from '../iam/policy/index.ts';
import type { Principal } from '../shared/principal.ts';
import type { KeyRing } from './key-ring.ts';

/** Key policies compiled with KMS's rule, once per compiled policy. */
const asKeyPolicies = new WeakMap<Policy, Policy>();

/**
 * A key's key policy, as a resource-based policy for the access control. KMS differs from other
 * services ("Key policies in AWS KMS"): "Unless the key policy explicitly allows it, you cannot use
 * IAM policies to allow access to a KMS key". A statement allowing the account
 * (arn:aws:iam::ACCOUNT:root) enables IAM policies; one naming a user or role grants it directly.
 * The evaluator applies that rule to policies of the key kind (as to a role's trust policy, which
 * "must explicitly allow"), worded as a resource-based policy in denials. The root is evaluated on the plain
 * resource-based policy: it keeps access to every key (Berth makes no policy lockout check).
 */
export function keyPolicies(keyRing: KeyRing) {
  const prefix = `arn:aws:kms:${keyRing.scope.region}:${keyRing.scope.accountId}:key/`;
  return async (resource: string, action: string, principal: Principal): Promise<readonly Policy[] | undefined> => {
    if (!resource.startsWith(prefix) || !action.toLowerCase().startsWith('kms:')) return undefined;
    const key = await keyRing.store.getKey(resource.slice(prefix.length));
    if (!key) return undefined;
    const policy = parsePolicy(key.policy, 'resource');
    if (principal.root) return [policy];
    let keyPolicy = asKeyPolicies.get(policy);
    if (!keyPolicy) {
      keyPolicy = { ...policy, kind: 'key' };
      asKeyPolicies.set(policy, keyPolicy);
    }
    return [keyPolicy];
  };
}
