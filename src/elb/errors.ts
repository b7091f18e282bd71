import { AwsError } from '../shared/aws-error.ts';

/*
 * The ELBv2 error catalog. Classes are named as the model's exception shapes (and the SDK's
 * classes); `code` is what goes on the wire: the shape's `error.code` (TargetGroupNotFound), which
 * is how the query protocol and the SDKs tell them apart. ValidationError is the query services'
 * common error for input that breaks a rule (the model knows no shape for it).
 */

export class ValidationError extends AwsError {
  readonly code = 'ValidationError';
}

export class LoadBalancerNotFoundException extends AwsError {
  readonly code = 'LoadBalancerNotFound';
  constructor(message = 'One or more load balancers not found') {
    super(message);
  }
}

export class TargetGroupNotFoundException extends AwsError {
  readonly code = 'TargetGroupNotFound';
  constructor(message = 'One or more target groups not found') {
    super(message);
  }
}

export class ListenerNotFoundException extends AwsError {
  readonly code = 'ListenerNotFound';
  constructor(message = 'One or more listeners not found') {
    super(message);
  }
}

export class RuleNotFoundException extends AwsError {
  readonly code = 'RuleNotFound';
  constructor(message = 'One or more rules not found') {
    super(message);
  }
}

export class DuplicateLoadBalancerNameException extends AwsError {
  readonly code = 'DuplicateLoadBalancerName';
}

export class DuplicateTargetGroupNameException extends AwsError {
  readonly code = 'DuplicateTargetGroupName';
}

export class DuplicateListenerException extends AwsError {
  readonly code = 'DuplicateListener';
}

export class DuplicateTagKeysException extends AwsError {
  readonly code = 'DuplicateTagKeys';
}

export class PriorityInUseException extends AwsError {
  readonly code = 'PriorityInUse';
}

export class ResourceInUseException extends AwsError {
  readonly code = 'ResourceInUse';
}

export class InvalidTargetException extends AwsError {
  readonly code = 'InvalidTarget';
}

export class InvalidConfigurationRequestException extends AwsError {
  readonly code = 'InvalidConfigurationRequest';
}

export class InvalidLoadBalancerActionException extends AwsError {
  readonly code = 'InvalidLoadBalancerAction';
}

export class OperationNotPermittedException extends AwsError {
  readonly code = 'OperationNotPermitted';
}

export class UnsupportedProtocolException extends AwsError {
  readonly code = 'UnsupportedProtocol';
}

export class TargetGroupAssociationLimitException extends AwsError {
  readonly code = 'TargetGroupAssociationLimit';
}

export class TooManyTagsException extends AwsError {
  readonly code = 'TooManyTags';
}

export class TooManyTargetsException extends AwsError {
  readonly code = 'TooManyTargets';
}

export class TooManyRulesException extends AwsError {
  readonly code = 'TooManyRules';
}

export class TooManyListenersException extends AwsError {
  readonly code = 'TooManyListeners';
}

export class TooManyLoadBalancersException extends AwsError {
  readonly code = 'TooManyLoadBalancers';
}

export class TooManyTargetGroupsException extends AwsError {
  readonly code = 'TooManyTargetGroups';
}

export class TooManyActionsException extends AwsError {
  readonly code = 'TooManyActions';
}

export class CertificateNotFoundException extends AwsError {
  readonly code = 'CertificateNotFound';
  constructor(message = 'Certificate not found') {
    super(message);
  }
}

export class SSLPolicyNotFoundException extends AwsError {
  readonly code = 'SSLPolicyNotFound';
}

export class TooManyCertificatesException extends AwsError {
  readonly code = 'TooManyCertificates';
}
