/**
 * StopTask on a service task behind load balancers: it leaves rotation first, exactly as when the
 * service scheduler stops it (the same targets, per deployment for blue/green services).
 */
import { taskLoadBalancers } from './service-blue-green.ts';
import { leaveRotation, loadBalancersOf } from './service-targets.ts';
import type { Deployment, Service } from './shapes.generated.ts';
import type { TaskDeps } from './tasks.ts';

/** Before StopTask: deregisters the task's targets; true when it must stay DEACTIVATING until drained. */
export async function beforeUserStop(deps: TaskDeps, cluster: string, taskId: string): Promise<boolean> {
  const balancing = deps.loadBalancing;
  if (!balancing) return false;
  const [task] = await deps.store.tasks.get(cluster, [taskId]);
  if (!task?.serviceName || task.desiredStatus !== 'RUNNING') return false;
  const [record] = await deps.store.services.get(cluster, [task.serviceName]);
  const service = record?.body as Service | undefined;
  if (!service || loadBalancersOf(service).length === 0) return false;
  const instances = task.containerInstance
    ? await deps.store.containerInstances.get(cluster, [task.containerInstance])
    : [];
  return leaveRotation(balancing, task, {
    cluster,
    service,
    tasks: [task],
    ec2InstanceIds: new Map(instances.map((i) => [i.id, String(i.body.ec2InstanceId ?? '')])),
    loadBalancersOfTask: taskLoadBalancers(service, (service.deployments ?? []) as Deployment[]),
  });
}
