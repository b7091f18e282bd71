import { AwsError } from '../shared/aws-error.ts';

/* ACM's error catalog: names exactly as the model and SDKs have them, messages as ACM words them. */

export class ResourceNotFoundException extends AwsError {
  readonly code = 'ResourceNotFoundException';
  static certificate(arn: string): ResourceNotFoundException {
    return new ResourceNotFoundException(`Could not find certificate ${arn}.`);
  }
}

export class ResourceInUseException extends AwsError {
  readonly code = 'ResourceInUseException';
}

export class InvalidArnException extends AwsError {
  readonly code = 'InvalidArnException';
}

export class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}

export class InvalidTagException extends AwsError {
  readonly code = 'InvalidTagException';
}

export class TooManyTagsException extends AwsError {
  readonly code = 'TooManyTagsException';
}

export class RequestInProgressException extends AwsError {
  readonly code = 'RequestInProgressException';
}

export class InvalidDomainValidationOptionsException extends AwsError {
  readonly code = 'InvalidDomainValidationOptionsException';
}

export class InvalidArgsException extends AwsError {
  readonly code = 'InvalidArgsException';
}

/** ACM's answer to input its checks refuse (an import that does not validate, say). */
export class ValidationException extends AwsError {
  readonly code = 'ValidationException';
}
