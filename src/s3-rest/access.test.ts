import assert from 'node:assert/strict';
import { test } from 'node:test';
import { s3Access } from './access.ts';

test('S3 access: a listing carries s3:prefix, s3:delimiter and s3:max-keys', () => {
  const query = new URLSearchParams('list-type=2&prefix=logs/&delimiter=/&max-keys=10');
  assert.deepEqual(s3Access('ListObjectsV2', 'b', '', { query }), [
    {
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::b',
      conditions: { 's3:prefix': 'logs/', 's3:delimiter': '/', 's3:max-keys': '10' },
    },
  ]);
});

test('S3 access: PutObject carries its ACL, storage class and request object tags', () => {
  const headers = { 'x-amz-acl': 'private', 'x-amz-storage-class': 'STANDARD', 'x-amz-tagging': 'team=a&env=prod' };
  assert.deepEqual(s3Access('PutObject', 'b', 'k', { headers }), [
    {
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::b/k',
      conditions: {
        's3:x-amz-acl': 'private',
        's3:x-amz-storage-class': 'STANDARD',
        's3:RequestObjectTag/team': 'a',
        's3:RequestObjectTag/env': 'prod',
        's3:RequestObjectTagKeys': ['team', 'env'],
      },
    },
  ]);
  assert.deepEqual(s3Access('GetObject', 'b', 'k'), [{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }]);
});
