import { AwsError } from '../shared/aws-error.ts';

/* The ECR error catalog: names exactly as the ECR model and SDKs have them. */

export class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}

export class ServerException extends AwsError {
  readonly code = 'ServerException';
  override readonly senderFault = false;
}
