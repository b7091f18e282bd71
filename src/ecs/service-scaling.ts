import { updateService } from './services.ts';
import type { TaskDeps } from './task-deps.ts';

/*
 * What Application Auto Scaling needs of ECS services: the desired count, and a way to set it that
 * is UpdateService's own path (compare-and-set, the deployment's count, the scheduler woken).
 */

/** The service's desired count, or undefined when the cluster has no ACTIVE service of that name. */
export async function serviceDesiredCount(
  deps: TaskDeps,
  cluster: string,
  service: string,
): Promise<number | undefined> {
  const [record] = await deps.store.services.get(cluster, [service]);
  if (!record || record.status !== 'ACTIVE') return undefined;
  return (record.body as { desiredCount?: number }).desiredCount ?? 0;
}

export async function setServiceDesiredCount(
  deps: TaskDeps,
  cluster: string,
  service: string,
  count: number,
): Promise<void> {
  await updateService(deps, { cluster, service, desiredCount: count });
}
