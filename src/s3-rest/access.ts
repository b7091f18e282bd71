import type { AccessRequest } from '../shared/authorization.ts';
import type { S3Operation } from './routes.ts';

/**
 * What each S3 operation asks the access control for, after AWS's Service Authorization Reference
 * for S3: the action (HeadBucket and ListObjectsV2 are s3:ListBucket, HeadObject is s3:GetObject)
 * on the bucket's ARN (arn:aws:s3:::BUCKET) or the object's (arn:aws:s3:::BUCKET/KEY).
 */
const ACTIONS: Readonly<Record<S3Operation, { action: string; on: 'account' | 'bucket' | 'object' }>> = {
  ListBuckets: { action: 's3:ListAllMyBuckets', on: 'account' },
  CreateBucket: { action: 's3:CreateBucket', on: 'bucket' },
  HeadBucket: { action: 's3:ListBucket', on: 'bucket' },
  DeleteBucket: { action: 's3:DeleteBucket', on: 'bucket' },
  ListObjectsV2: { action: 's3:ListBucket', on: 'bucket' },
  GetBucketLocation: { action: 's3:GetBucketLocation', on: 'bucket' },
  PutObject: { action: 's3:PutObject', on: 'object' },
  GetObject: { action: 's3:GetObject', on: 'object' },
  HeadObject: { action: 's3:GetObject', on: 'object' },
  DeleteObject: { action: 's3:DeleteObject', on: 'object' },
};

/** What of the HTTP request the S3 condition keys come from (s3-http.ts has both). */
export interface S3RequestParts {
  readonly query?: URLSearchParams;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

function header(parts: S3RequestParts, name: string): string | undefined {
  const value = parts.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The request headers the reference makes condition keys of, by action (s3:x-amz-acl, ...). */
const HEADER_KEYS: Readonly<Record<string, readonly string[]>> = {
  's3:CreateBucket': ['x-amz-acl', 'x-amz-object-ownership'],
  's3:PutObject': ['x-amz-acl', 'x-amz-storage-class', 'x-amz-server-side-encryption', 'x-amz-content-sha256'],
};

/**
 * S3's condition keys from the request: s3:prefix, s3:delimiter and s3:max-keys of a listing, the
 * headers above, and s3:RequestObjectTag/KEY with s3:RequestObjectTagKeys of PutObject's
 * x-amz-tagging. Keys the request leaves out are absent.
 */
function s3Conditions(
  action: string,
  operation: S3Operation,
  parts: S3RequestParts,
): Record<string, string | string[]> {
  const conditions: Record<string, string | string[]> = {};
  if (operation === 'ListObjectsV2') {
    for (const name of ['prefix', 'delimiter', 'max-keys']) {
      const value = parts.query?.get(name);
      if (value !== null && value !== undefined) conditions[`s3:${name}`] = value;
    }
  }
  for (const name of HEADER_KEYS[action] ?? []) {
    const value = header(parts, name);
    if (value !== undefined) conditions[`s3:${name}`] = value;
  }
  const tagging = operation === 'PutObject' ? header(parts, 'x-amz-tagging') : undefined;
  if (tagging) {
    const tags = [...new URLSearchParams(tagging)];
    for (const [key, value] of tags) conditions[`s3:RequestObjectTag/${key}`] = value;
    conditions['s3:RequestObjectTagKeys'] = tags.map(([key]) => key);
  }
  return conditions;
}

export function s3Access(
  operation: S3Operation,
  bucket: string,
  key: string,
  parts: S3RequestParts = {},
): AccessRequest[] {
  const { action, on } = ACTIONS[operation];
  const resource =
    on === 'account' ? '*' : on === 'bucket' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
  const conditions = s3Conditions(action, operation, parts);
  return [Object.keys(conditions).length > 0 ? { action, resource, conditions } : { action, resource }];
}
