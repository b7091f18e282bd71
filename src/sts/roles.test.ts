import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memberPaths } from '../aws-protocol/member-paths.ts';
import { loadServiceModel } from '../aws-protocol/service-model.ts';
import type { AccessControl, AccessRequest } from '../shared/authorization.ts';
import { rootPrincipal, userPrincipal } from '../shared/principal.ts';
import { stsAccess } from './access.ts';
import { stsMembers } from './members.ts';
import { trustPolicies, withTrustPolicies } from './roles.ts';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/deploy';
const roles = {
  roleByArn: (arn: string) =>
    arn === ROLE_ARN
      ? { arn, name: 'deploy', roleId: 'AROAX', maxSessionDuration: 3600, trustPolicy: 'trust of deploy' }
      : undefined,
};
const user = userPrincipal({ arn: 'arn:aws:iam::000000000000:user/ci', userId: 'AIDAX', name: 'ci' });

describe('trust policies', () => {
  it("are the resource policy of sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity on a role's ARN", () => {
    const source = trustPolicies(roles);
    for (const action of ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'])
      assert.deepEqual(source(ROLE_ARN, action), ['trust of deploy']);
    assert.equal(source(ROLE_ARN, 'iam:GetRole'), undefined);
    assert.equal(source('arn:aws:iam::000000000000:role/none', 'sts:AssumeRole'), undefined);
  });

  it('decide the trust actions on an existing role, and leave the rest (and the root) to the access control', async () => {
    const seen: string[] = [];
    const inner: AccessControl = {
      async authorize(_context, requests) {
        seen.push(...requests.map((r) => `${r.action} ${r.resource}`));
      },
    };
    const decided: AccessRequest[] = [];
    const control = withTrustPolicies(inner, trustPolicies(roles), (_principal, request, trust) => {
      decided.push(request);
      assert.deepEqual(trust, ['trust of deploy']);
      return request.action === 'sts:TagSession' ? { allowed: false, message: 'no TagSession' } : { allowed: true };
    });
    await control.authorize({ principal: user }, [
      { action: 'sts:AssumeRole', resource: ROLE_ARN },
      { action: 'sts:AssumeRole', resource: 'arn:aws:iam::000000000000:role/none' },
    ]);
    assert.deepEqual(
      decided.map((r) => r.action),
      ['sts:AssumeRole'],
    );
    assert.deepEqual(seen, ['sts:AssumeRole arn:aws:iam::000000000000:role/none']);
    await assert.rejects(
      control.authorize({ principal: user }, [{ action: 'sts:TagSession', resource: ROLE_ARN }]),
      /no TagSession/,
    );
    seen.length = 0;
    await control.authorize({ principal: rootPrincipal('000000000000') }, [
      { action: 'sts:TagSession', resource: ROLE_ARN },
    ]);
    assert.deepEqual(seen, [`sts:TagSession ${ROLE_ARN}`]);
  });
});

describe('STS access and members', () => {
  const model = loadServiceModel('sts-2011-06-15');

  it('AssumeRole asks for sts:AssumeRole with its condition keys, and for TagSession and SetSourceIdentity when it uses them', () => {
    const declare = stsAccess.AssumeRole as (input: object) => AccessRequest[];
    const requests = declare({
      RoleArn: ROLE_ARN,
      RoleSessionName: 's',
      ExternalId: 'x-1',
      SourceIdentity: 'alice',
      Tags: [{ Key: 'team', Value: 'web' }],
    });
    assert.deepEqual(
      requests.map((r) => `${r.action} ${r.resource}`),
      [`sts:AssumeRole ${ROLE_ARN}`, `sts:TagSession ${ROLE_ARN}`, `sts:SetSourceIdentity ${ROLE_ARN}`],
    );
    assert.deepEqual(requests[0]!.conditions, {
      'sts:RoleSessionName': 's',
      'sts:ExternalId': 'x-1',
      'sts:SourceIdentity': 'alice',
      'aws:RequestTag/team': 'web',
      'aws:TagKeys': ['team'],
    });
    assert.deepEqual(
      (stsAccess.AssumeRole as (input: object) => AccessRequest[])({ RoleArn: ROLE_ARN, RoleSessionName: 's' }).map(
        (r) => r.action,
      ),
      ['sts:AssumeRole'],
    );
  });

  it('GetCallerIdentity and GetSessionToken are for every caller', () => {
    for (const name of ['GetCallerIdentity', 'GetSessionToken']) {
      const [request] = (stsAccess[name] as () => AccessRequest[])();
      assert.equal(request?.everyCaller, true);
    }
  });

  for (const [operation, members] of Object.entries(stsMembers)) {
    it(`${operation}: every input member is acted on, refused or inert`, () => {
      assert.ok(stsAccess[operation], 'has an access declaration');
      const decided = [...members.acted, ...Object.keys(members.rules ?? {})];
      const within = (path: string, rule: string) =>
        path === rule || (path.startsWith(rule) && ['.', '['].includes(path[rule.length]!));
      const paths = memberPaths(model, model.operations[operation]?.input?.shape).leaves;
      assert.deepEqual(
        paths.filter((path) => !decided.some((rule) => within(path, rule))),
        [],
      );
    });
  }
});
