export { S3, type ComputedDigests, type ListObjectsInput, type ListObjectsOutput, type S3Deps } from './objects.ts';
export * from './errors.ts';
export { isValidBucketName, isValidKey } from './bucket-names.ts';
export { parseMaxKeys } from './list-objects.ts';
export { s3ResourceTags } from './resource-tags.ts';
