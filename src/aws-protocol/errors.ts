import { AwsError } from '../shared/aws-error.ts';

/*
 * Errors of the AWS front door itself (Coral), common to every JSON service. AWS answers all of
 * them with HTTP 400, except an oversize body.
 */

export class MissingAuthenticationTokenException extends AwsError {
  readonly code = 'MissingAuthenticationTokenException';
  constructor() {
    super('Request is missing Authentication Token');
  }
}

export class IncompleteSignatureException extends AwsError {
  readonly code = 'IncompleteSignatureException';
}

export class InvalidSignatureException extends AwsError {
  readonly code = 'InvalidSignatureException';
  static mismatch(): InvalidSignatureException {
    return new InvalidSignatureException(
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
}

export class UnrecognizedClientException extends AwsError {
  readonly code = 'UnrecognizedClientException';
  constructor() {
    super('The security token included in the request is invalid.');
  }
}

/** A session token that is missing, wrong, or sent with a long-term key (S3 calls it InvalidToken). */
export class InvalidSecurityTokenException extends UnrecognizedClientException {}

/** Temporary credentials past their expiry (query services call it ExpiredToken, S3 too). */
export class ExpiredTokenException extends AwsError {
  readonly code = 'ExpiredTokenException';
  constructor() {
    super('The security token included in the request is expired');
  }
}

export class UnknownOperationException extends AwsError {
  readonly code = 'UnknownOperationException';
}

export class SerializationException extends AwsError {
  readonly code = 'SerializationException';
}

export class RequestEntityTooLargeException extends AwsError {
  readonly code = 'RequestEntityTooLargeException';
  override readonly httpStatus = 413;
}

/** An operation of the model that Berth does not implement yet: said plainly, never faked. */
export class NotImplementedException extends AwsError {
  readonly code = 'NotImplementedException';
  override readonly senderFault = false;
  override readonly httpStatus = 501;
}

/** Anything that is not an AwsError: our fault, logged, answered as 500. */
export class InternalFailure extends AwsError {
  readonly code = 'InternalFailure';
  override readonly senderFault = false;
  constructor() {
    super('We encountered an internal error. Please try again.');
  }
}

/* Common errors of the query protocol (ELBv2, IAM, STS): AWS's own codes, without "Exception". */

export class InvalidAction extends AwsError {
  readonly code = 'InvalidAction';
}

export class MissingAction extends AwsError {
  readonly code = 'MissingAction';
}

export class NoSuchVersion extends AwsError {
  readonly code = 'NoSuchVersion';
}

export class MissingParameter extends AwsError {
  readonly code = 'MissingParameter';
}
