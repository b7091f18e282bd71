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

export class ImageNotFoundException extends AwsError {
  readonly code = 'ImageNotFoundException';
}

export class ImageAlreadyExistsException extends AwsError {
  readonly code = 'ImageAlreadyExistsException';
}

export class ImageTagAlreadyExistsException extends AwsError {
  readonly code = 'ImageTagAlreadyExistsException';
}

export class ImageDigestDoesNotMatchException extends AwsError {
  readonly code = 'ImageDigestDoesNotMatchException';
}

export class LayersNotFoundException extends AwsError {
  readonly code = 'LayersNotFoundException';
}

export class ReferencedImagesNotFoundException extends AwsError {
  readonly code = 'ReferencedImagesNotFoundException';
}

export class LayerInaccessibleException extends AwsError {
  readonly code = 'LayerInaccessibleException';
}

export class LayerAlreadyExistsException extends AwsError {
  readonly code = 'LayerAlreadyExistsException';
}

export class InvalidLayerException extends AwsError {
  readonly code = 'InvalidLayerException';
}

export class InvalidLayerPartException extends AwsError {
  readonly code = 'InvalidLayerPartException';
}

export class UploadNotFoundException extends AwsError {
  readonly code = 'UploadNotFoundException';
}

export class EmptyUploadException extends AwsError {
  readonly code = 'EmptyUploadException';
}

export class TooManyTagsException extends AwsError {
  readonly code = 'TooManyTagsException';
}

export class ScanNotFoundException extends AwsError {
  readonly code = 'ScanNotFoundException';
}

export class RegistryPolicyNotFoundException extends AwsError {
  readonly code = 'RegistryPolicyNotFoundException';
}

export class LifecyclePolicyNotFoundException extends AwsError {
  readonly code = 'LifecyclePolicyNotFoundException';
}

export class LifecyclePolicyPreviewNotFoundException extends AwsError {
  readonly code = 'LifecyclePolicyPreviewNotFoundException';
}

export class LifecyclePolicyPreviewInProgressException extends AwsError {
  readonly code = 'LifecyclePolicyPreviewInProgressException';
  constructor() {
    super('The previous lifecycle policy preview request has not completed. Wait and try again.');
  }
}

export class RepositoryPolicyNotFoundException extends AwsError {
  readonly code = 'RepositoryPolicyNotFoundException';
}
