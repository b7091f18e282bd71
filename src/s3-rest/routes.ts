import { isValidKey } from '../s3/index.ts';

/**
 * Which S3 operation a request is, from its method, path and query (path-style addressing,
 * `/<bucket>/<key>`, or virtual-hosted `<bucket>.localhost`). Pure: no I/O.
 */
export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'ListObjectsV2'
  | 'GetBucketLocation'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject';

export type S3Route =
  | { readonly operation: S3Operation; readonly bucket: string; readonly key: string }
  | { readonly unsupported: string; readonly bucket: string; readonly key: string }
  /** The path's percent-encoded bytes are not UTF-8 text, or its key holds NUL: S3 answers InvalidURI. */
  | { readonly invalidUri: string };

/** Query parameters that name no sub-resource: the SDK's x-id, presigned URLs' X-Amz-*, response overrides. */
function isPlainParameter(name: string): boolean {
  return name === 'x-id' || name.startsWith('X-Amz-') || name.startsWith('response-');
}

export function routeS3(method: string, path: string, query: URLSearchParams, host: string | undefined): S3Route {
  const virtualBucket = host && /^([a-z0-9][a-z0-9.-]*)\.localhost(:\d+)?$/.exec(host)?.[1];
  const decoded = path.split('/').map(decodeSegment);
  const invalidUri = { invalidUri: `${method} with an unparsable URI` };
  if (decoded.includes(undefined)) return invalidUri;
  // "/bucket/a/b" → ['', 'bucket', 'a', 'b']; a key keeps its slashes.
  const bucket = virtualBucket || decoded[1] || '';
  const key = virtualBucket ? decoded.slice(1).join('/') : decoded.slice(2).join('/');
  if (!isValidKey(key)) return invalidUri;
  const subresources = [...query.keys()].filter((name) => !isPlainParameter(name));
  const describe = `${method} ${bucket === '' ? '/' : key === '' ? 'bucket' : 'object'}${subresources.length ? `?${subresources.join('&')}` : ''}`;
  const unsupported = { unsupported: describe, bucket, key };
  if (bucket === '')
    return method === 'GET' && subresources.length === 0 ? { operation: 'ListBuckets', bucket, key } : unsupported;
  if (key === '') {
    const operation = bucketRoute(method, subresources, query);
    return operation ? { operation, bucket, key } : unsupported;
  }
  if (subresources.length > 0) return unsupported;
  const operation = ({ PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' } as const)[
    method as 'PUT'
  ];
  return operation ? { operation, bucket, key } : unsupported;
}

function bucketRoute(method: string, subresources: readonly string[], query: URLSearchParams): S3Operation | undefined {
  const only = (...names: string[]): boolean => subresources.every((name) => names.includes(name));
  if (method === 'GET' && subresources.includes('location') && subresources.length === 1) return 'GetBucketLocation';
  if (
    method === 'GET' &&
    query.get('list-type') === '2' &&
    only(
      'list-type',
      'prefix',
      'delimiter',
      'max-keys',
      'continuation-token',
      'start-after',
      'encoding-type',
      'fetch-owner',
    )
  ) {
    return 'ListObjectsV2';
  }
  if (subresources.length > 0) return undefined;
  return ({ PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' } as const)[method as 'PUT'];
}

/** A path segment, percent-decoded as UTF-8; undefined when its bytes are not UTF-8. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
