/**
 * The CODE_DEPLOY deployment controller, the ECS side of it. CreateService gives the service its
 * first task set (PRIMARY, the service's task definition, network and load balancers, scale 100%),
 * which the scheduler runs as it runs an EXTERNAL service's (service-task-sets.ts); DescribeServices
 * shows taskSets and an empty deployments list. UpdateService refuses what ECS leaves to CodeDeploy,
 * in ECS's words. Berth has no CodeDeploy: the task set calls CodeDeploy makes (CreateTaskSet,
 * UpdateTaskSet, UpdateServicePrimaryTaskSet, DeleteTaskSet) are taken from any caller allowed them.
 */
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { InvalidParameterException } from './errors.ts';
import { isExternal } from './external-controller.ts';
import type { CreateServiceRequest, DeploymentController, Service, UpdateServiceRequest } from './shapes.generated.ts';
import { newTaskSetId, type StoredTaskSet } from './task-sets.ts';

type WithController = { deploymentController?: DeploymentController | undefined };

export const isCodeDeploy = (service: WithController): boolean => service.deploymentController?.type === 'CODE_DEPLOY';

/** Services whose tasks belong to task sets, not deployments: EXTERNAL and CODE_DEPLOY. */
export const hasTaskSets = (service: WithController): boolean => isExternal(service) || isCodeDeploy(service);

/** What CreateService refuses for a CODE_DEPLOY service. */
export function checkCodeDeployCreate(input: CreateServiceRequest): void {
  if (input.schedulingStrategy === 'DAEMON')
    throw new InvalidParameterException(
      'The daemon scheduling strategy does not support the CODE_DEPLOY deployment controller.',
    );
}

const USE_CODE_DEPLOY =
  'on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.';

/**
 * What UpdateService refuses on a CODE_DEPLOY service: everything but the desired count, the
 * deployment configuration, the health check grace period, placement, managed tags and tag
 * propagation (the API reference), each with ECS's message. A member given is refused even with
 * the service's current value, as ECS does.
 */
export function checkCodeDeployUpdate(service: Service, input: UpdateServiceRequest): void {
  const controller = input.deploymentController?.type;
  if (controller !== undefined && (controller === 'CODE_DEPLOY') !== isCodeDeploy(service))
    throw new InvalidParameterException(
      'Berth cannot change a deployment controller to or from CODE_DEPLOY: it has no CodeDeploy to hand the service to.',
    );
  if (!isCodeDeploy(service)) return;
  if (input.taskDefinition !== undefined)
    throw new InvalidParameterException(`Unable to update task definition ${USE_CODE_DEPLOY}`);
  if (input.networkConfiguration !== undefined)
    throw new InvalidParameterException(`Unable to update network parameters ${USE_CODE_DEPLOY}`);
  if (input.loadBalancers !== undefined)
    throw new InvalidParameterException(`Unable to update load balancers ${USE_CODE_DEPLOY}`);
  if (input.platformVersion !== undefined)
    throw new InvalidParameterException(`Unable to update platform version ${USE_CODE_DEPLOY}`);
  if (input.serviceRegistries !== undefined)
    throw new InvalidParameterException(`Unable to update service registries ${USE_CODE_DEPLOY}`);
  if (input.capacityProviderStrategy !== undefined)
    throw new InvalidParameterException(`Unable to update capacity provider strategy ${USE_CODE_DEPLOY}`);
  if (input.forceNewDeployment === true)
    throw new InvalidParameterException(`Unable to force a new deployment ${USE_CODE_DEPLOY}`);
}

/** The task set CreateService starts a CODE_DEPLOY service with. */
export function initialTaskSet(
  service: Service,
  at: { readonly clusterName: string; readonly context: RequestContext; readonly now: number },
): StoredTaskSet {
  const id = newTaskSetId();
  return {
    id,
    taskSetArn: formatArn('ecs', at.context, `task-set/${at.clusterName}/${service.serviceName}/${id}`),
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    status: 'PRIMARY',
    taskDefinition: service.taskDefinition,
    createdAt: at.now,
    updatedAt: at.now,
    ...(service.capacityProviderStrategy
      ? { capacityProviderStrategy: service.capacityProviderStrategy }
      : { launchType: service.launchType }),
    ...(service.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
    ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
    loadBalancers: service.loadBalancers ?? [],
    serviceRegistries: [],
    scale: { unit: 'PERCENT', value: 100 },
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: at.now,
    tags: [],
  };
}
