/**
 * The EXTERNAL deployment controller, as it bears on the service itself: the service runs no task
 * of its own and has no deployments; its task sets (task-sets.ts) hold the task definitions,
 * networks and target groups, and run the tasks.
 */
import { InvalidParameterException } from './errors.ts';
import type { CreateServiceRequest, DeploymentController } from './shapes.generated.ts';

export const isExternal = (service: { deploymentController?: DeploymentController | undefined }): boolean =>
  service.deploymentController?.type === 'EXTERNAL';

/** What CreateService refuses for an EXTERNAL service. */
export function checkExternalCreate(input: CreateServiceRequest): void {
  if (input.schedulingStrategy === 'DAEMON')
    throw new InvalidParameterException(
      'The daemon scheduling strategy does not support the EXTERNAL deployment controller.',
    );
  if ((input.loadBalancers ?? []).length > 0)
    throw new InvalidParameterException(
      'A service with the EXTERNAL deployment controller takes its load balancers on its task sets (CreateTaskSet).',
    );
}

/** UpdateService cannot start a deployment of an EXTERNAL service: its task sets are its deployments. */
export function checkExternalRedeploy(): void {
  throw new InvalidParameterException(
    'A service with the EXTERNAL deployment controller deploys through its task sets (CreateTaskSet, UpdateServicePrimaryTaskSet).',
  );
}
