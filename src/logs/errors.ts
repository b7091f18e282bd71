import { AwsError } from '../shared/aws-error.ts';

/* The CloudWatch Logs error catalog: names exactly as the Logs model and SDKs have them. */

export class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}

export class ResourceAlreadyExistsException extends AwsError {
  readonly code = 'ResourceAlreadyExistsException';
  static logGroup(): ResourceAlreadyExistsException {
    return new ResourceAlreadyExistsException('The specified log group already exists');
  }
  static logStream(): ResourceAlreadyExistsException {
    return new ResourceAlreadyExistsException('The specified log stream already exists');
  }
}

export class ResourceNotFoundException extends AwsError {
  readonly code = 'ResourceNotFoundException';
  static logGroup(): ResourceNotFoundException {
    return new ResourceNotFoundException('The specified log group does not exist.');
  }
  static logStream(): ResourceNotFoundException {
    return new ResourceNotFoundException('The specified log stream does not exist.');
  }
  static metricFilter(): ResourceNotFoundException {
    return new ResourceNotFoundException('The specified metric filter does not exist.');
  }
}

export class LimitExceededException extends AwsError {
  readonly code = 'LimitExceededException';
}

/** What DeleteLogGroup and DeleteLogStream answer while a group's deletion protection is on. */
export class ValidationException extends AwsError {
  readonly code = 'ValidationException';
}

export class TooManyTagsException extends AwsError {
  readonly code = 'TooManyTagsException';
}
