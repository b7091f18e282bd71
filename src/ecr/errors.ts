import { AwsError } from '../shared/aws-error.ts';

/* The ECR error catalog: names exactly as the ECR model and SDKs have them. */

export class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}

export class RepositoryAlreadyExistsException extends AwsError {
  readonly code = 'RepositoryAlreadyExistsException';
}

export class RepositoryNotFoundException extends AwsError {
  readonly code = 'RepositoryNotFoundException';
}

export class RepositoryNotEmptyException extends AwsError {
  readonly code = 'RepositoryNotEmptyException';
}

export class InvalidTagParameterException extends AwsError {
  readonly code = 'InvalidTagParameterException';
}

export class ServerException extends AwsError {
  readonly code = 'ServerException';
  override readonly senderFault = false;
}
