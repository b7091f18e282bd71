import type { MetadataStore } from '../store/index.ts';

/**
 * The tags of a bucket (arn:aws:s3:::BUCKET) or an object (arn:aws:s3:::BUCKET/KEY). Berth keeps no
 * S3 tags yet (no PutBucketTagging, no x-amz-tagging): an existing bucket or object has none, so
 * aws:ResourceTag/* and s3:ExistingObjectTag/* are absent for it, as on AWS for an untagged one.
 */
export function s3ResourceTags(store: MetadataStore) {
  return async (resourceArn: string): Promise<Readonly<Record<string, string>> | undefined> => {
    if (!resourceArn.startsWith('arn:aws:s3:::')) return undefined;
    const path = resourceArn.slice('arn:aws:s3:::'.length);
    const slash = path.indexOf('/');
    if (slash < 0) return (await store.s3.getBucket(path)) ? {} : undefined;
    return (await store.s3.getObject(path.slice(0, slash), path.slice(slash + 1))) ? {} : undefined;
  };
}
