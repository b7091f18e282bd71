import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rootPrincipal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { secretsManagerAccess } from '../secretsmanager/access.ts';
import { kmsAccess } from './access.ts';

const context: RequestContext = {
  requestId: 'r',
  accountId: '000000000000',
  region: 'us-east-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('000000000000'),
};
const actions = (declare: unknown, input: object) =>
  (declare as (input: object, context: RequestContext) => { action: string }[])(input, context).map((r) => r.action);

describe('creates with tags also ask for the tagging permission', () => {
  it('KMS CreateKey: kms:TagResource only when Tags are given', () => {
    assert.deepEqual(actions(kmsAccess.CreateKey, {}), ['kms:CreateKey']);
    assert.deepEqual(actions(kmsAccess.CreateKey, { Tags: [{ TagKey: 'team', TagValue: 'a' }] }), [
      'kms:CreateKey',
      'kms:TagResource',
    ]);
  });
  it('Secrets Manager CreateSecret: secretsmanager:TagResource only when Tags are given', () => {
    assert.deepEqual(actions(secretsManagerAccess.CreateSecret, { Name: 's' }), ['secretsmanager:CreateSecret']);
    assert.deepEqual(actions(secretsManagerAccess.CreateSecret, { Name: 's', Tags: [{ Key: 'team', Value: 'a' }] }), [
      'secretsmanager:CreateSecret',
      'secretsmanager:TagResource',
    ]);
  });
});
