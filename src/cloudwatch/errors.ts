import { AwsError } from '../shared/aws-error.ts';

/*
 * The CloudWatch error catalog. `code` is the query protocol's wire code (the model's error
 * trait); the JSON and CBOR protocols answer the model's shape name for it, with the code in the
 * x-amzn-query-error header, as CloudWatch (awsQueryCompatible) does.
 */

export class InvalidParameterValueException extends AwsError {
  readonly code = 'InvalidParameterValue';
}

export class InvalidParameterCombinationException extends AwsError {
  readonly code = 'InvalidParameterCombination';
}

export class MissingRequiredParameterException extends AwsError {
  readonly code = 'MissingParameter';
}

export class InvalidNextToken extends AwsError {
  readonly code = 'InvalidNextToken';
  constructor() {
    super('The service cannot process the NextToken: it is not one this call returned.');
  }
}

export class ResourceNotFound extends AwsError {
  readonly code = 'ResourceNotFound';
  override readonly httpStatus = 404;
}

export class ResourceNotFoundException extends AwsError {
  readonly code = 'ResourceNotFoundException';
  override readonly httpStatus = 404;
}

export class LimitExceededFault extends AwsError {
  readonly code = 'LimitExceeded';
}

export class ConcurrentModificationException extends AwsError {
  readonly code = 'ConcurrentModificationException';
  override readonly httpStatus = 429;
}

/** A parameter's value is invalid, in CloudWatch's words: "The value X for parameter Y is invalid." */
export function invalidValue(parameter: string, value: unknown, why?: string): InvalidParameterValueException {
  const text = `The value ${String(value)} for parameter ${parameter} is invalid.`;
  return new InvalidParameterValueException(why === undefined ? text : `${text} ${why}`);
}

export class InvalidFormatFault extends AwsError {
  readonly code = 'InvalidFormat';
}
