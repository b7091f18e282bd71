import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { s3DenialWording } from './s3-http.ts';

describe('s3DenialWording', () => {
  const user = 'User: arn:aws:iam::000000000000:user/dev is not authorized to perform: s3:GetObject on resource: ';
  const denial = (resource: string, reason: string) => ({
    principalArn: 'arn:aws:iam::000000000000:user/dev',
    action: 's3:GetObject',
    resource,
    reason,
  });
  it("quotes the resource as S3 does, keeping the evaluation's reason", () => {
    assert.equal(
      s3DenialWording(
        denial('arn:aws:s3:::b/a key', 'because no identity-based policy allows the s3:GetObject action'),
      ),
      `${user}"arn:aws:s3:::b/a key" because no identity-based policy allows the s3:GetObject action`,
    );
    assert.equal(
      s3DenialWording(denial('arn:aws:s3:::b/k', 'with an explicit deny in an identity-based policy')),
      `${user}"arn:aws:s3:::b/k" with an explicit deny in an identity-based policy`,
    );
  });
  it('says Access Denied for a denial without a decision behind it', () => {
    assert.equal(s3DenialWording(undefined), 'Access Denied');
  });
});
