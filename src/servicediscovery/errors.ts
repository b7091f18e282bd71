import { AwsError } from '../shared/aws-error.ts';

/*
 * The Cloud Map error catalog: names exactly as the servicediscovery model's exception shapes.
 * Messages are Cloud Map's where they are known ("Namespace not found", "Service contains registered
 * instances; delete the instances before deleting the service"). InvalidInput is Cloud Map's error
 * for input the model or a rule rejects. The protocol writes only a message: the ids some of these
 * shapes carry besides (NamespaceAlreadyExists.NamespaceId, DuplicateRequest.DuplicateOperationId)
 * are named in it.
 */

export class InvalidInput extends AwsError {
  readonly code = 'InvalidInput';
}

export class NamespaceNotFound extends AwsError {
  readonly code = 'NamespaceNotFound';
  constructor() {
    super('Namespace not found');
  }
}

export class ServiceNotFound extends AwsError {
  readonly code = 'ServiceNotFound';
  constructor() {
    super('Service not found');
  }
}

export class InstanceNotFound extends AwsError {
  readonly code = 'InstanceNotFound';
  static of(instanceId: string): InstanceNotFound {
    return new InstanceNotFound(`Instance not found: ${instanceId}`);
  }
}

export class OperationNotFound extends AwsError {
  readonly code = 'OperationNotFound';
  constructor() {
    super('Operation not found');
  }
}

export class NamespaceAlreadyExists extends AwsError {
  readonly code = 'NamespaceAlreadyExists';
  static of(namespace: { id: string; details: { creatorRequestId?: string } }): NamespaceAlreadyExists {
    const request = namespace.details.creatorRequestId;
    return new NamespaceAlreadyExists(
      `Namespace already exists: ${namespace.id}${request !== undefined ? ` (CreatorRequestId ${request})` : ''}`,
    );
  }
}

export class ServiceAlreadyExists extends AwsError {
  readonly code = 'ServiceAlreadyExists';
  static of(service: { id: string; arn: string; details: { creatorRequestId?: string } }): ServiceAlreadyExists {
    const request = service.details.creatorRequestId;
    return new ServiceAlreadyExists(
      `Service already exists: ${service.id} (${service.arn})${request !== undefined ? `, CreatorRequestId ${request}` : ''}`,
    );
  }
}

export class ResourceInUse extends AwsError {
  readonly code = 'ResourceInUse';
}

export class CustomHealthNotFound extends AwsError {
  readonly code = 'CustomHealthNotFound';
  constructor() {
    super(
      "The health check for the instance that's specified by ServiceId and InstanceId isn't a custom health check.",
    );
  }
}

export class DuplicateRequest extends AwsError {
  readonly code = 'DuplicateRequest';
  static of(operationId: string): DuplicateRequest {
    return new DuplicateRequest(`The request id was already used by another request: its operation is ${operationId}.`);
  }
}

export class ResourceNotFoundException extends AwsError {
  readonly code = 'ResourceNotFoundException';
  constructor() {
    super("The operation can't be completed because the resource was not found.");
  }
}

export class TooManyTagsException extends AwsError {
  readonly code = 'TooManyTagsException';
  static of(resourceArn: string): TooManyTagsException {
    return new TooManyTagsException(
      `The list of tags on ${resourceArn} is over the quota. The maximum number of tags that can be applied to a resource is 50.`,
    );
  }
}

export class ServiceAttributesLimitExceededException extends AwsError {
  readonly code = 'ServiceAttributesLimitExceededException';
  constructor() {
    super(
      "The attribute can't be added to the service because you've exceeded the quota for the number of attributes you can add to a service.",
    );
  }
}

/** Another write changed what a request was planned from, again and again. */
export class RequestLimitExceeded extends AwsError {
  readonly code = 'RequestLimitExceeded';
  constructor() {
    super('The operation failed because too many concurrent requests changed the same resource. Try again.');
  }
}
