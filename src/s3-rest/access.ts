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

export function s3Access(operation: S3Operation, bucket: string, key: string): AccessRequest[] {
  const { action, on } = ACTIONS[operation];
  const resource =
    on === 'account' ? '*' : on === 'bucket' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
  return [{ action, resource }];
}
