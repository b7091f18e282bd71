import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceTagKeys, resourceTagLookup } from './resource-tags.ts';

test('the first lookup that knows the resource answers; wildcard resources are not looked up', async () => {
  const asked: string[] = [];
  const lookup = resourceTagLookup([
    async (arn) => (asked.push(arn), arn.includes(':ecs:') ? { env: 'prod' } : undefined),
    async (arn) => (arn.includes(':logs:') ? { owner: 'ops' } : undefined),
  ]);
  assert.deepEqual(await lookup('arn:aws:ecs:r:1:cluster/web'), { env: 'prod' });
  assert.deepEqual(await lookup('arn:aws:logs:r:1:log-group:g'), { owner: 'ops' });
  assert.equal(await lookup('arn:aws:s3:::b'), undefined);
  assert.equal(await lookup('*'), undefined);
  assert.equal(await lookup('arn:aws:ecs:r:1:task/web/*'), undefined);
  assert.deepEqual(asked, ['arn:aws:ecs:r:1:cluster/web', 'arn:aws:logs:r:1:log-group:g', 'arn:aws:s3:::b']);
});

test('resource tag keys: aws: always, the service prefix where its reference defines one', () => {
  assert.deepEqual(resourceTagKeys({ env: 'prod' }, 'ecs'), {
    'aws:ResourceTag/env': 'prod',
    'ecs:ResourceTag/env': 'prod',
  });
  assert.deepEqual(resourceTagKeys({ env: 'prod' }, 'arn:aws:elasticloadbalancing:r:1:targetgroup/t/1'), {
    'aws:ResourceTag/env': 'prod',
    'elasticloadbalancing:ResourceTag/env': 'prod',
  });
  assert.deepEqual(resourceTagKeys({ env: 'prod' }, 'logs'), { 'aws:ResourceTag/env': 'prod' });
});
