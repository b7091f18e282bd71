import { AwsError } from '../shared/aws-error.ts';

/*
 * The STS error catalog. Classes are named as the model's exception shapes (and the SDK's classes);
 * `code` is what goes on the wire, the shape's error code. ValidationError is the query services'
 * common error for input that breaks a rule. Denials are the shared AccessDeniedException, which
 * the query protocol answers as AccessDenied (403).
 */

export class ValidationError extends AwsError {
  readonly code = 'ValidationError';
}

export class MalformedPolicyDocumentException extends AwsError {
  readonly code = 'MalformedPolicyDocument';
}

export class PackedPolicyTooLargeException extends AwsError {
  readonly code = 'PackedPolicyTooLarge';
}
