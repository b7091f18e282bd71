import type { Clock } from '../shared/clock.ts';
import type { MetadataStore } from '../store/index.ts';
import { STOPPED_TASK_RETENTION_MS } from './task-lifecycle.ts';

/** Forgets tasks STOPPED more than an hour ago, as ECS does; returns how many. */
export async function pruneStoppedTasks(deps: { store: MetadataStore; clock: Clock }): Promise<number> {
  return deps.store.tasks.pruneStopped(new Date(deps.clock.now().getTime() - STOPPED_TASK_RETENTION_MS));
}
