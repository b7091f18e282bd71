import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessRequest } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { logsAccess } from './access.ts';

const context = { region: 'us-east-1', accountId: '000000000000' } as RequestContext;
const group = 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web';

const CASES: readonly { operation: string; input: Record<string, unknown>; expected: AccessRequest[] }[] = [
  {
    operation: 'CreateLogGroup',
    input: { logGroupName: '/ecs/web', tags: { team: 'a' } },
    expected: [
      {
        action: 'logs:CreateLogGroup',
        resource: group,
        conditions: { 'aws:RequestTag/team': 'a', 'aws:TagKeys': ['team'] },
      },
    ],
  },
  {
    operation: 'CreateLogGroup',
    input: { logGroupName: '/ecs/web' },
    expected: [{ action: 'logs:CreateLogGroup', resource: group }],
  },
  {
    operation: 'UntagResource',
    input: { resourceArn: group, tagKeys: ['team'] },
    expected: [{ action: 'logs:UntagResource', resource: group, conditions: { 'aws:TagKeys': ['team'] } }],
  },
  {
    operation: 'UntagLogGroup',
    input: { logGroupName: '/ecs/web', tags: ['team'] },
    expected: [{ action: 'logs:UntagLogGroup', resource: group, conditions: { 'aws:TagKeys': ['team'] } }],
  },
];

for (const { operation, input, expected } of CASES) {
  test(`Logs access: ${operation} ${JSON.stringify(input)}`, () => {
    assert.deepEqual(logsAccess[operation]!(input as never, context), expected);
  });
}
