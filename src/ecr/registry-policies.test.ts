import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RequestContext } from '../shared/request-context.ts';
import { rootPrincipal, userPrincipal } from '../shared/principal.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { InvalidParameterException, RegistryPolicyNotFoundException } from './errors.ts';
import { deleteRegistryPolicy, getRegistryPolicy, putRegistryPolicy, registryPolicies } from './registry-policies.ts';
import { evaluate } from '../iam/index.ts';
import type { Principal } from '../shared/principal.ts';

const context: RequestContext = {
  requestId: 'r',
  accountId: '123456789012',
  region: 'eu-west-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('123456789012'),
};
const ROOT = rootPrincipal('123456789012');
const BOB = userPrincipal({ arn: 'arn:aws:iam::123456789012:user/bob', userId: 'AIDABOB', name: 'bob' });
const REPO = 'arn:aws:ecr:eu-west-1:123456789012:repository/app';
const text = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('registry policy', () => {
  let store: SqliteStore;
  /** What the registry policy makes of a request by a caller without identity policies. */
  const decide = async (resource: string, principal: Principal, action: string) => {
    const policies = await registryPolicies(store)(resource, action, principal);
    if (policies === undefined) return 'none';
    const decision = evaluate({ action, resource, principal, context: {} }, { identity: [], resource: policies });
    return decision.allowed ? 'allow' : decision.explicit ? 'deny' : 'no-match';
  };
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
  });
  afterEach(() => store.close());

  it('is not found until put, is answered verbatim, and is gone once deleted', async () => {
    await assert.rejects(getRegistryPolicy({ store }, context), RegistryPolicyNotFoundException);
    await assert.rejects(deleteRegistryPolicy({ store }, context), RegistryPolicyNotFoundException);
    const policyText = text({ Effect: 'Allow', Principal: { AWS: BOB.arn }, Action: 'ecr:*', Resource: '*' });
    assert.deepEqual(await putRegistryPolicy({ store }, { policyText }, context), {
      registryId: '123456789012',
      policyText,
    });
    assert.deepEqual(await getRegistryPolicy({ store }, context), { registryId: '123456789012', policyText });
    assert.deepEqual(await deleteRegistryPolicy({ store }, context), { registryId: '123456789012', policyText });
    await assert.rejects(getRegistryPolicy({ store }, context), RegistryPolicyNotFoundException);
  });

  it("refuses a policy it cannot enforce, in ECR's words", async () => {
    await assert.rejects(
      putRegistryPolicy({ store }, { policyText: text({ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }) }, context),
      (error: Error) =>
        error instanceof InvalidParameterException &&
        /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided: .*Resource is required/.test(
          error.message,
        ),
    );
    await assert.rejects(getRegistryPolicy({ store }, context), RegistryPolicyNotFoundException);
  });

  it('decides on ECR actions for the principals, actions and resources it names', async () => {
    assert.equal(await decide(REPO, BOB, 'ecr:BatchGetImage'), 'none');
    const policyText = text(
      { Effect: 'Allow', Principal: { AWS: BOB.arn }, Action: 'ecr:BatchGetImage', Resource: '*' },
      { Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository', Resource: REPO },
    );
    await putRegistryPolicy({ store }, { policyText }, context);
    assert.equal(await decide(REPO, BOB, 'ecr:BatchGetImage'), 'allow');
    assert.equal(await decide(REPO, BOB, 'ecr:PutImage'), 'no-match');
    assert.equal(await decide(REPO, ROOT, 'ecr:DeleteRepository'), 'deny');
    assert.equal(await decide('*', BOB, 's3:GetObject'), 'none');
  });

  it('never denies the root the calls that manage the registry policy itself', async () => {
    const policyText = text({ Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: '*' });
    await putRegistryPolicy({ store }, { policyText }, context);
    for (const action of ['ecr:PutRegistryPolicy', 'ecr:GetRegistryPolicy', 'ecr:DeleteRegistryPolicy'])
      assert.equal(await decide('*', ROOT, action), 'none', action);
    assert.equal(await decide('*', ROOT, 'ecr:DescribeRegistry'), 'deny');
    assert.equal(await decide('*', BOB, 'ecr:DeleteRegistryPolicy'), 'deny');
  });
});
