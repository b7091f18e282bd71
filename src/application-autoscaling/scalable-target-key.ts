import { ObjectNotFoundException, ValidationException } from './errors.ts';

/* What Berth can scale: ECS services' desired counts. Other namespaces are refused by name. */

export const ECS_NAMESPACE = 'ecs';
export const DESIRED_COUNT = 'ecs:service:DesiredCount';

export interface TargetRef {
  readonly namespace: string;
  readonly resourceId: string;
  readonly dimension: string;
  readonly cluster: string;
  readonly service: string;
  /** The store's key for the target. */
  readonly key: string;
}

export function checkNamespace(namespace: string): void {
  if (namespace !== ECS_NAMESPACE) {
    throw new ValidationException(
      `Berth scales ECS services only: ServiceNamespace ${namespace} is not supported (use ${ECS_NAMESPACE}).`,
    );
  }
}

export function targetRef(input: {
  readonly ServiceNamespace: string;
  readonly ResourceId: string;
  readonly ScalableDimension: string;
}): TargetRef {
  checkNamespace(input.ServiceNamespace);
  if (input.ScalableDimension !== DESIRED_COUNT) {
    throw new ValidationException(
      `Unsupported scalable dimension: ScalableDimension ${input.ScalableDimension} is not valid for service namespace ecs (use ${DESIRED_COUNT}).`,
    );
  }
  const match = /^service\/([^/]+)\/([^/]+)$/.exec(input.ResourceId);
  if (!match) {
    throw new ValidationException(
      `Unsupported resource ID: ResourceId ${input.ResourceId} must be service/<cluster>/<service> for service namespace ecs.`,
    );
  }
  return {
    namespace: input.ServiceNamespace,
    resourceId: input.ResourceId,
    dimension: input.ScalableDimension,
    cluster: match[1]!,
    service: match[2]!,
    key: `${input.ServiceNamespace}|${input.ResourceId}|${input.ScalableDimension}`,
  };
}

export function noTarget(ref: TargetRef): ObjectNotFoundException {
  return new ObjectNotFoundException(
    `No scalable target registered for service namespace: ${ref.namespace}, resource ID: ${ref.resourceId}, scalable dimension: ${ref.dimension}`,
  );
}
