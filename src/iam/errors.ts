import { AwsError } from '../shared/aws-error.ts';

/*
 * The IAM error catalog. Classes are named as the model's exception shapes; `code` is the wire
 * code of the shape's `error` trait (NoSuchEntity), which the query protocol answers with the
 * trait's HTTP status. ValidationError is what IAM answers for input that breaks the model's
 * constraints (the model knows no shape for it). Messages are IAM's own.
 */

export class ValidationError extends AwsError {
  readonly code = 'ValidationError';
}

export class NoSuchEntityException extends AwsError {
  readonly code = 'NoSuchEntity';
  static of(kind: 'user' | 'group' | 'role', name: string): NoSuchEntityException {
    return new NoSuchEntityException(`The ${kind} with name ${name} cannot be found.`);
  }
}

export class EntityAlreadyExistsException extends AwsError {
  readonly code = 'EntityAlreadyExists';
}

export class DeleteConflictException extends AwsError {
  readonly code = 'DeleteConflict';
}

export class LimitExceededException extends AwsError {
  readonly code = 'LimitExceeded';
  /** IAM's wording for a quota: "Cannot exceed quota for PolicyVersionsPerPolicy: 5". */
  static quota(name: string, limit: number): LimitExceededException {
    return new LimitExceededException(`Cannot exceed quota for ${name}: ${limit}`);
  }
}

export class MalformedPolicyDocumentException extends AwsError {
  readonly code = 'MalformedPolicyDocument';
}

export class InvalidInputException extends AwsError {
  readonly code = 'InvalidInput';
}

export class UnmodifiableEntityException extends AwsError {
  readonly code = 'UnmodifiableEntity';
}

export class PolicyNotAttachableException extends AwsError {
  readonly code = 'PolicyNotAttachable';
}

export class ServiceNotSupportedException extends AwsError {
  readonly code = 'NotSupportedService';
}
