import { AwsError } from '../shared/aws-error.ts';

/**
 * S3's error catalog: codes, messages and statuses as the S3 API reference lists them ("Error
 * responses"). `resource` names what the error is about (BucketName, Key), which S3 puts in the
 * error document next to Code and Message.
 */
export abstract class S3Error extends AwsError {
  override readonly httpStatus: number = 400;
  readonly details: Readonly<Record<string, string>>;
  constructor(message: string, details: Record<string, string> = {}) {
    super(message);
    this.details = details;
  }
}

export class NoSuchBucket extends S3Error {
  readonly code = 'NoSuchBucket';
  override readonly httpStatus = 404;
  constructor(bucket: string) {
    super('The specified bucket does not exist', { BucketName: bucket });
  }
}

export class NoSuchKey extends S3Error {
  readonly code = 'NoSuchKey';
  override readonly httpStatus = 404;
  constructor(key: string) {
    super('The specified key does not exist.', { Key: key });
  }
}

export class BucketAlreadyOwnedByYou extends S3Error {
  readonly code = 'BucketAlreadyOwnedByYou';
  override readonly httpStatus = 409;
  constructor(bucket: string) {
    super('Your previous request to create the named bucket succeeded and you already own it.', {
      BucketName: bucket,
    });
  }
}

export class BucketNotEmpty extends S3Error {
  readonly code = 'BucketNotEmpty';
  override readonly httpStatus = 409;
  constructor(bucket: string) {
    super('The bucket you tried to delete is not empty', { BucketName: bucket });
  }
}

export class InvalidBucketName extends S3Error {
  readonly code = 'InvalidBucketName';
  constructor(bucket: string) {
    super('The specified bucket is not valid.', { BucketName: bucket });
  }
}

export class KeyTooLongError extends S3Error {
  readonly code = 'KeyTooLongError';
  constructor() {
    super('Your key is too long');
  }
}

/** A GET or HEAD Range that selects no byte of the object; the answer's Content-Range gives the size. */
export class InvalidRange extends S3Error {
  readonly code = 'InvalidRange';
  override readonly httpStatus = 416;
  readonly size: number;
  constructor(range: string, size: number) {
    super('The requested range is not satisfiable', { RangeRequested: range, ActualObjectSize: String(size) });
    this.size = size;
  }
}

/** A key that is not text S3 stores: its percent-encoded bytes are not UTF-8, or it holds NUL. */
export class InvalidURI extends S3Error {
  readonly code = 'InvalidURI';
  constructor() {
    super("Couldn't parse the specified URI.");
  }
}

export class InvalidArgument extends S3Error {
  readonly code = 'InvalidArgument';
}

export class InvalidRequest extends S3Error {
  readonly code = 'InvalidRequest';
}

export class InvalidDigest extends S3Error {
  readonly code = 'InvalidDigest';
  constructor() {
    super('The Content-MD5 you specified is not valid.');
  }
}

/** A checksum the client sent (Content-MD5, x-amz-checksum-*) does not match the bytes received. */
export class BadDigest extends S3Error {
  readonly code = 'BadDigest';
}

export class XAmzContentSHA256Mismatch extends S3Error {
  readonly code = 'XAmzContentSHA256Mismatch';
  constructor(claimed: string, computed: string) {
    super("The provided 'x-amz-content-sha256' header does not match what was computed.", {
      ClientComputedContentSHA256: claimed,
      S3ComputedContentSHA256: computed,
    });
  }
}

export class IncompleteBody extends S3Error {
  readonly code = 'IncompleteBody';
  constructor() {
    super('You did not provide the number of bytes specified by the Content-Length HTTP header');
  }
}

export class EntityTooLarge extends S3Error {
  readonly code = 'EntityTooLarge';
  constructor() {
    super('Your proposed upload exceeds the maximum allowed object size.');
  }
}

export class NotImplemented extends S3Error {
  readonly code = 'NotImplemented';
  override readonly httpStatus = 501;
}

export class MethodNotAllowed extends S3Error {
  readonly code = 'MethodNotAllowed';
  override readonly httpStatus = 405;
  constructor() {
    super('The specified method is not allowed against this resource.');
  }
}

export class AccessDenied extends S3Error {
  readonly code = 'AccessDenied';
  override readonly httpStatus = 403;
  /** 'Access Denied', or the policy evaluation's reason for a same-account caller. */
  constructor(message = 'Access Denied') {
    super(message);
  }
}
