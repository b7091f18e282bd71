import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRegistryPath } from './routes.ts';

const digest = `sha256:${'a'.repeat(64)}`;

describe('parseRegistryPath', () => {
  const cases: [string, ReturnType<typeof parseRegistryPath>][] = [
    ['/v2/', { kind: 'base' }],
    ['/v2', { kind: 'base' }],
    ['/v2/web/manifests/latest', { kind: 'manifest', name: 'web', reference: 'latest' }],
    ['/v2/team/app/web/manifests/v1', { kind: 'manifest', name: 'team/app/web', reference: 'v1' }],
    [`/v2/a/b/blobs/${digest}`, { kind: 'blob', name: 'a/b', digest }],
    ['/v2/a/b/blobs/uploads/', { kind: 'uploads', name: 'a/b' }],
    ['/v2/a/b/blobs/uploads', { kind: 'uploads', name: 'a/b' }],
    ['/v2/a/blobs/uploads/0d6e-11', { kind: 'upload', name: 'a', id: '0d6e-11' }],
    ['/v2/a/tags/list', { kind: 'tags', name: 'a' }],
    [`/v2/a/referrers/${digest}`, { kind: 'referrers', name: 'a', digest }],
    // A repository may itself be called "manifests": the last match wins.
    ['/v2/x/manifests/manifests/v1', { kind: 'manifest', name: 'x/manifests', reference: 'v1' }],
    ['/v2/a/unknown', undefined],
    ['/v2/%E0%A4%A', undefined],
  ];
  for (const [path, expected] of cases) {
    it(`${path}`, () => assert.deepEqual(parseRegistryPath(path), expected));
  }
});
