import { AwsError } from '../shared/aws-error.ts';

/**
 * What KMS answers a request its constraints refuse ("1 validation error detected: ..."): AWS's
 * common validation error of JSON services, which the KMS model has no shape for, so the SDK
 * raises it as a KMSServiceException named ValidationException. Outside errors.ts, whose codes
 * are all SDK classes (error-catalog.test.ts).
 */
export class ValidationException extends AwsError {
  readonly code = 'ValidationException';
}
