import { trafficShiftProblem } from './deployment-strategy.ts';
import { InvalidParameterException } from './errors.ts';
import { loadBalancersProblem, type TargetGroupInfo } from './service-load-balancing.ts';
import type { DeploymentConfiguration, LoadBalancer, TaskDefinition } from './shapes.generated.ts';
import type { TaskDeps } from './tasks.ts';

/** Target groups must exist, be in use by a load balancer, and fit the network mode (when ELBv2 is wired). */
export async function checkLoadBalancers(
  deps: TaskDeps,
  loadBalancers: readonly LoadBalancer[],
  at: { definition: TaskDefinition | undefined; config: DeploymentConfiguration | undefined },
): Promise<void> {
  if (loadBalancers.length === 0 || !deps.loadBalancing) return;
  const { definition } = at;
  const shape = definition && {
    networkMode: definition.networkMode ?? 'bridge',
    containers: definition.containerDefinitions ?? [],
  };
  if ((at.config?.strategy ?? 'ROLLING') !== 'ROLLING') {
    const problem = await trafficShiftProblem(deps.loadBalancing, loadBalancers, shape);
    if (problem) throw new InvalidParameterException(problem);
  }
  if (!shape) return;
  const groups = new Map<string, TargetGroupInfo>();
  for (const lb of loadBalancers) {
    const group = lb.targetGroupArn ? await deps.loadBalancing.targetGroup(lb.targetGroupArn) : undefined;
    if (group) groups.set(lb.targetGroupArn!, group);
  }
  const problem = loadBalancersProblem(loadBalancers, shape, groups);
  if (problem) throw new InvalidParameterException(problem);
}
