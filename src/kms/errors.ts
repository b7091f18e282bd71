import { AwsError } from '../shared/aws-error.ts';

/* The KMS error catalog: names exactly as the KMS model and SDKs have them, messages as KMS words them. */

export class NotFoundException extends AwsError {
  readonly code = 'NotFoundException';
  static key(arn: string): NotFoundException {
    return new NotFoundException(`Key '${arn}' does not exist`);
  }
  static alias(arn: string): NotFoundException {
    return new NotFoundException(`Alias ${arn} is not found.`);
  }
  static invalidKeyId(keyId: string): NotFoundException {
    return new NotFoundException(`Invalid keyId '${keyId}'`);
  }
}

export class DisabledException extends AwsError {
  readonly code = 'DisabledException';
  constructor(arn: string) {
    super(`${arn} is disabled.`);
  }
}

export class KMSInvalidStateException extends AwsError {
  readonly code = 'KMSInvalidStateException';
  static pendingDeletion(arn: string): KMSInvalidStateException {
    return new KMSInvalidStateException(`${arn} is pending deletion.`);
  }
  static notPendingDeletion(arn: string): KMSInvalidStateException {
    return new KMSInvalidStateException(`${arn} is not pending deletion.`);
  }
}

export class InvalidCiphertextException extends AwsError {
  readonly code = 'InvalidCiphertextException';
}

export class IncorrectKeyException extends AwsError {
  readonly code = 'IncorrectKeyException';
  constructor() {
    super('The key ID in the request does not identify a CMK that can perform this operation.');
  }
}

export class AlreadyExistsException extends AwsError {
  readonly code = 'AlreadyExistsException';
}

export class InvalidAliasNameException extends AwsError {
  readonly code = 'InvalidAliasNameException';
}

export class InvalidArnException extends AwsError {
  readonly code = 'InvalidArnException';
}

export class InvalidMarkerException extends AwsError {
  readonly code = 'InvalidMarkerException';
}

export class MalformedPolicyDocumentException extends AwsError {
  readonly code = 'MalformedPolicyDocumentException';
}

export class TagException extends AwsError {
  readonly code = 'TagException';
}

export class UnsupportedOperationException extends AwsError {
  readonly code = 'UnsupportedOperationException';
}

export class LimitExceededException extends AwsError {
  readonly code = 'LimitExceededException';
}

export class InvalidKeyUsageException extends AwsError {
  readonly code = 'InvalidKeyUsageException';
}
