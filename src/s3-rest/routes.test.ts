import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeS3 } from './routes.ts';

describe('routeS3 (path-style and *.localhost virtual-hosted)', () => {
  const cases: [string, string, string, string | undefined, object][] = [
    ['GET', '/', '', undefined, { operation: 'ListBuckets', bucket: '', key: '' }],
    ['PUT', '/b', '', undefined, { operation: 'CreateBucket', bucket: 'b', key: '' }],
    ['HEAD', '/b/', '', undefined, { operation: 'HeadBucket', bucket: 'b', key: '' }],
    ['DELETE', '/b', '', undefined, { operation: 'DeleteBucket', bucket: 'b', key: '' }],
    [
      'GET',
      '/b',
      'list-type=2&prefix=a%2F&delimiter=%2F',
      undefined,
      { operation: 'ListObjectsV2', bucket: 'b', key: '' },
    ],
    ['GET', '/b', 'location', undefined, { operation: 'GetBucketLocation', bucket: 'b', key: '' }],
    [
      'PUT',
      '/b/dir/a%20b.env',
      'x-id=PutObject',
      undefined,
      { operation: 'PutObject', bucket: 'b', key: 'dir/a b.env' },
    ],
    ['GET', '/b/k%2Bplus', '', undefined, { operation: 'GetObject', bucket: 'b', key: 'k+plus' }],
    ['HEAD', '/b/k', '', undefined, { operation: 'HeadObject', bucket: 'b', key: 'k' }],
    ['DELETE', '/b/k', '', undefined, { operation: 'DeleteObject', bucket: 'b', key: 'k' }],
    [
      'GET',
      '/b/k',
      'X-Amz-Signature=abc&X-Amz-Credential=x',
      undefined,
      { operation: 'GetObject', bucket: 'b', key: 'k' },
    ],
    ['GET', '/k', '', 'b.localhost:4510', { operation: 'GetObject', bucket: 'b', key: 'k' }],
    ['GET', '/', 'list-type=2', 'b.localhost', { operation: 'ListObjectsV2', bucket: 'b', key: '' }],
    // Not implemented: ListObjects (v1), sub-resources, multipart uploads.
    ['GET', '/b', '', undefined, { unsupported: 'GET bucket', bucket: 'b', key: '' }],
    ['GET', '/b', 'versioning', undefined, { unsupported: 'GET bucket?versioning', bucket: 'b', key: '' }],
    ['POST', '/b/k', 'uploads', undefined, { unsupported: 'POST object?uploads', bucket: 'b', key: 'k' }],
    ['PUT', '/b/k', 'tagging', undefined, { unsupported: 'PUT object?tagging', bucket: 'b', key: 'k' }],
    // Keys: any UTF-8 text, control characters included, but NUL; bytes that are not UTF-8 are InvalidURI.
    ['PUT', '/b/a%0D%0Ab%1B', '', undefined, { operation: 'PutObject', bucket: 'b', key: 'a\r\nb\x1b' }],
    ['GET', '/b/caf%C3%A9', '', undefined, { operation: 'GetObject', bucket: 'b', key: 'café' }],
    ['PUT', '/b/a%00b', '', undefined, { invalidUri: 'PUT with an unparsable URI' }],
    ['PUT', '/b/%FF', '', undefined, { invalidUri: 'PUT with an unparsable URI' }], // not a UTF-8 byte
    ['GET', '/b/%C3', '', undefined, { invalidUri: 'GET with an unparsable URI' }], // a truncated sequence
    ['GET', '/b/%ED%A0%80', '', undefined, { invalidUri: 'GET with an unparsable URI' }], // a UTF-16 surrogate
    ['GET', '/b/%C0%AF', '', undefined, { invalidUri: 'GET with an unparsable URI' }], // an overlong '/'
    ['GET', '/%FF', 'list-type=2', 'b.localhost', { invalidUri: 'GET with an unparsable URI' }],
  ];
  for (const [method, path, search, host, expected] of cases) {
    it(`${method} ${path}${search ? `?${search}` : ''}${host ? ` (${host})` : ''}`, () => {
      assert.deepEqual(routeS3(method, path, new URLSearchParams(search), host), expected);
    });
  }
});
