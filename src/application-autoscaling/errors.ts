import { AwsError } from '../shared/aws-error.ts';

/* Application Auto Scaling's error catalog: names as the model has them, messages in its words. */

export class ValidationException extends AwsError {
  readonly code = 'ValidationException';
}

export class ObjectNotFoundException extends AwsError {
  readonly code = 'ObjectNotFoundException';
}

export class ResourceNotFoundException extends AwsError {
  readonly code = 'ResourceNotFoundException';
}

export class ConcurrentUpdateException extends AwsError {
  readonly code = 'ConcurrentUpdateException';
}

export class InvalidNextTokenException extends AwsError {
  readonly code = 'InvalidNextTokenException';
}

export class TooManyTagsException extends AwsError {
  readonly code = 'TooManyTagsException';
}
