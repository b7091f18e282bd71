import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessRequest } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { ecrAccess } from './access.ts';

const context = { region: 'us-east-1', accountId: '000000000000' } as RequestContext;
const repository = 'arn:aws:ecr:us-east-1:000000000000:repository/web';

const CASES: readonly { operation: string; input: Record<string, unknown>; expected: AccessRequest[] }[] = [
  {
    operation: 'CreateRepository',
    input: { repositoryName: 'web' },
    expected: [{ action: 'ecr:CreateRepository', resource: repository }],
  },
  {
    operation: 'CreateRepository',
    input: { repositoryName: 'web', tags: [{ Key: 'team', Value: 'a' }] },
    expected: [
      {
        action: 'ecr:CreateRepository',
        resource: repository,
        conditions: { 'aws:RequestTag/team': 'a', 'aws:TagKeys': ['team'] },
      },
      {
        action: 'ecr:TagResource',
        resource: repository,
        conditions: { 'aws:RequestTag/team': 'a', 'aws:TagKeys': ['team'] },
      },
    ],
  },
  {
    operation: 'UntagResource',
    input: { resourceArn: repository, tagKeys: ['team'] },
    expected: [{ action: 'ecr:UntagResource', resource: repository, conditions: { 'aws:TagKeys': ['team'] } }],
  },
  {
    operation: 'PutAccountSetting',
    input: { name: 'BASIC_SCAN_TYPE_VERSION', value: 'AWS_NATIVE' },
    expected: [
      {
        action: 'ecr:PutAccountSetting',
        resource: '*',
        conditions: { 'ecr:AccountSetting': 'BASIC_SCAN_TYPE_VERSION' },
      },
    ],
  },
];

for (const { operation, input, expected } of CASES) {
  test(`ECR access: ${operation} ${JSON.stringify(input)}`, () => {
    assert.deepEqual(ecrAccess[operation]!(input as never, context), expected);
  });
}
