import { AwsError } from '../shared/aws-error.ts';

/* The Secrets Manager error catalog: names exactly as the model and SDKs have them, messages as Secrets Manager words them. */

export class ResourceNotFoundException extends AwsError {
  readonly code = 'ResourceNotFoundException';
  static secret(): ResourceNotFoundException {
    return new ResourceNotFoundException("Secrets Manager can't find the specified secret.");
  }
  static version(): ResourceNotFoundException {
    return new ResourceNotFoundException(
      "Secrets Manager can't find the specified secret value for VersionId or VersionStage.",
    );
  }
}

export class ResourceExistsException extends AwsError {
  readonly code = 'ResourceExistsException';
}

export class InvalidRequestException extends AwsError {
  readonly code = 'InvalidRequestException';
  static deleted(): InvalidRequestException {
    return new InvalidRequestException(
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
  }
}

export class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}

export class InvalidNextTokenException extends AwsError {
  readonly code = 'InvalidNextTokenException';
}

export class MalformedPolicyDocumentException extends AwsError {
  readonly code = 'MalformedPolicyDocumentException';
}

export class EncryptionFailure extends AwsError {
  readonly code = 'EncryptionFailure';
}

export class DecryptionFailure extends AwsError {
  readonly code = 'DecryptionFailure';
}

export class LimitExceededException extends AwsError {
  readonly code = 'LimitExceededException';
}
