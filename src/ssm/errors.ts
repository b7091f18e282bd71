import { AwsError } from '../shared/aws-error.ts';

/*
 * The Parameter Store error catalog: names exactly as the SSM model and SDK have them. Messages
 * follow what AWS answers where it is published; ValidationException is SSM's error for input the
 * model or a rule rejects.
 */

export class ValidationException extends AwsError {
  readonly code = 'ValidationException';
}

export class ParameterNotFound extends AwsError {
  readonly code = 'ParameterNotFound';
  static named(name: string): ParameterNotFound {
    return new ParameterNotFound(`Parameter ${name} not found.`);
  }
}

export class ParameterAlreadyExists extends AwsError {
  readonly code = 'ParameterAlreadyExists';
  constructor() {
    super('The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
  }
}

export class ParameterVersionNotFound extends AwsError {
  readonly code = 'ParameterVersionNotFound';
  static of(name: string, selector: string): ParameterVersionNotFound {
    return new ParameterVersionNotFound(
      `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`,
    );
  }
}

export class HierarchyLevelLimitExceededException extends AwsError {
  readonly code = 'HierarchyLevelLimitExceededException';
  constructor() {
    super(
      'A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.',
    );
  }
}

export class ParameterMaxVersionLimitExceeded extends AwsError {
  readonly code = 'ParameterMaxVersionLimitExceeded';
  static labelled(name: string, version: number): ParameterMaxVersionLimitExceeded {
    return new ParameterMaxVersionLimitExceeded(
      `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
    );
  }
}

export class ParameterVersionLabelLimitExceeded extends AwsError {
  readonly code = 'ParameterVersionLabelLimitExceeded';
  constructor() {
    super('A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.');
  }
}

export class ParameterPatternMismatchException extends AwsError {
  readonly code = 'ParameterPatternMismatchException';
  static of(pattern: string): ParameterPatternMismatchException {
    return new ParameterPatternMismatchException(
      `Parameter value, cannot be validated against allowedPattern: ${pattern}`,
    );
  }
}

export class InvalidAllowedPatternException extends AwsError {
  readonly code = 'InvalidAllowedPatternException';
}

export class InvalidKeyId extends AwsError {
  readonly code = 'InvalidKeyId';
}

export class InvalidFilterKey extends AwsError {
  readonly code = 'InvalidFilterKey';
}

export class InvalidFilterOption extends AwsError {
  readonly code = 'InvalidFilterOption';
}

export class InvalidFilterValue extends AwsError {
  readonly code = 'InvalidFilterValue';
}

export class InvalidNextToken extends AwsError {
  readonly code = 'InvalidNextToken';
  constructor() {
    super('The specified token is not valid.');
  }
}

export class InvalidResourceId extends AwsError {
  readonly code = 'InvalidResourceId';
}

export class InvalidResourceType extends AwsError {
  readonly code = 'InvalidResourceType';
}

export class TooManyTagsError extends AwsError {
  readonly code = 'TooManyTagsError';
}

/** Another write changed the parameter while this one was planned, again and again. */
export class TooManyUpdates extends AwsError {
  readonly code = 'TooManyUpdates';
  constructor() {
    super('There are concurrent updates for a resource that supports one update at a time.');
  }
}
