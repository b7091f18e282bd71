export { createS3Handler, isS3Request, type S3HttpOptions, type S3Outcome } from './s3-http.ts';
