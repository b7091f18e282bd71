/**
 * S3 buckets and the metadata of their objects. An object's bytes live in the blob store under
 * their SHA-256 (`digest`); several objects with the same content share one blob, so a blob may be
 * removed only once no object row names it (`isDigestReferenced`).
 */
export interface S3BucketRecord {
  readonly name: string;
  readonly region: string;
  readonly createdAt: Date;
}

export interface S3ObjectRecord {
  readonly bucket: string;
  readonly key: string;
  /** sha256:<hex> of the content, the blob's address. */
  readonly digest: string;
  readonly size: number;
  /** MD5 hex, without quotes. */
  readonly etag: string;
  readonly contentType: string;
  readonly lastModified: Date;
  /** x-amz-meta-* (names without the prefix) and the other stored headers (Cache-Control...). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface S3ObjectQuery {
  readonly prefix: string;
  /** Only keys strictly after this one (UTF-8 binary order, as S3 lists). */
  readonly after: string | undefined;
  readonly limit: number;
}

export interface S3Repository {
  /** False when a bucket of that name exists already. */
  createBucket(bucket: S3BucketRecord): Promise<boolean>;
  getBucket(name: string): Promise<S3BucketRecord | undefined>;
  listBuckets(): Promise<S3BucketRecord[]>;
  /** 'not-empty' when it still holds objects (then nothing changes). */
  deleteBucket(name: string): Promise<'deleted' | 'not-found' | 'not-empty'>;

  getObject(bucket: string, key: string): Promise<S3ObjectRecord | undefined>;
  /** Inserts or replaces the object; resolves with the digest it replaced, if any. */
  putObject(record: S3ObjectRecord): Promise<string | undefined>;
  /** Resolves with the deleted object's digest, undefined if there was none. */
  deleteObject(bucket: string, key: string): Promise<string | undefined>;
  /** Objects whose key starts with `prefix`, in key order. */
  listObjects(bucket: string, query: S3ObjectQuery): Promise<S3ObjectRecord[]>;
  isDigestReferenced(digest: string): Promise<boolean>;
}
