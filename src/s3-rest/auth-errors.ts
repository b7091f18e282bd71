import {
  ExpiredTokenException,
  IncompleteSignatureException,
  InvalidSecurityTokenException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../aws-protocol/index.ts';
import { AccessDenied, S3Error } from '../s3/index.ts';

class S3AuthError extends S3Error {
  readonly code: string;
  override readonly httpStatus: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.httpStatus = status;
  }
}

/** The SigV4 verifier's errors (named as the JSON services name them) in S3's words. */
export function s3AuthError(error: unknown, region: string): unknown {
  if (error instanceof ExpiredTokenException)
    return new S3AuthError('ExpiredToken', 400, 'The provided token has expired.');
  if (error instanceof InvalidSecurityTokenException) {
    return new S3AuthError('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.');
  }
  if (error instanceof UnrecognizedClientException) {
    return new S3AuthError(
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  if (error instanceof MissingAuthenticationTokenException) return new AccessDenied();
  if (error instanceof IncompleteSignatureException) {
    return new S3AuthError(
      'AuthorizationHeaderMalformed',
      400,
      `The authorization header is malformed; ${error.message}`,
    );
  }
  if (error instanceof InvalidSignatureException) {
    if (/Signature expired: .* \+ \d+ s/.test(error.message))
      return new S3AuthError('AccessDenied', 403, 'Request has expired');
    if (/Signature (expired|not yet current)/.test(error.message)) {
      return new S3AuthError(
        'RequestTimeTooSkewed',
        403,
        'The difference between the request time and the current time is too large.',
      );
    }
    if (/scoped to a valid region/.test(error.message)) {
      return new S3AuthError(
        'AuthorizationHeaderMalformed',
        400,
        `The authorization header is malformed; the region is wrong; expecting '${region}'`,
      );
    }
    return new S3AuthError(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return error;
}
