import { AwsError } from '../shared/aws-error.ts';

/* The ECS error catalog: names exactly as the ECS model and SDKs have them. */

export class ClientException extends AwsError {
  readonly code: string = 'ClientException';
}

export class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}

export class ClusterNotFoundException extends AwsError {
  readonly code = 'ClusterNotFoundException';
  constructor(message = 'Cluster not found.') {
    super(message);
  }
}

export class ServerException extends AwsError {
  readonly code = 'ServerException';
  override readonly senderFault = false;
}

export class ResourceNotFoundException extends AwsError {
  readonly code = 'ResourceNotFoundException';
}

export class ClusterContainsContainerInstancesException extends AwsError {
  readonly code = 'ClusterContainsContainerInstancesException';
  constructor() {
    super('The Cluster cannot be deleted while Container Instances are active or draining.');
  }
}

export class TargetNotConnectedException extends AwsError {
  readonly code = 'TargetNotConnectedException';
}

export class TargetNotFoundException extends AwsError {
  readonly code = 'TargetNotFoundException';
}

export class AttributeLimitExceededException extends AwsError {
  readonly code = 'AttributeLimitExceededException';
}

export class ClusterContainsTasksException extends AwsError {
  readonly code = 'ClusterContainsTasksException';
  constructor() {
    super('The Cluster cannot be deleted while Tasks are active.');
  }
}

export class ServiceNotFoundException extends AwsError {
  readonly code = 'ServiceNotFoundException';
  constructor(message = 'Service not found.') {
    super(message);
  }
}

export class ServiceNotActiveException extends AwsError {
  readonly code = 'ServiceNotActiveException';
  constructor(message = 'Service was not ACTIVE.') {
    super(message);
  }
}

export class NamespaceNotFoundException extends AwsError {
  readonly code = 'NamespaceNotFoundException';
}

export class ClusterContainsServicesException extends AwsError {
  readonly code = 'ClusterContainsServicesException';
  constructor() {
    super('The Cluster cannot be deleted while Services are active.');
  }
}

export class ConflictException extends AwsError {
  readonly code = 'ConflictException';
}

export class ServiceDeploymentNotFoundException extends AwsError {
  readonly code = 'ServiceDeploymentNotFoundException';
}

export class UnsupportedFeatureException extends AwsError {
  readonly code = 'UnsupportedFeatureException';
}

export class TaskSetNotFoundException extends AwsError {
  readonly code = 'TaskSetNotFoundException';
  constructor(message = 'The specified task set does not exist.') {
    super(message);
  }
}
