import type { ServiceRecord, ServiceRepository } from '../store/index.ts';
import type { ServiceEvent } from './shapes.generated.ts';

/**
 * A scheduler pass writes its service with compare-and-set: when UpdateService (or DeleteService)
 * changed the service during the pass, the pass's write loses. What it did to tasks stands, and the
 * next pass re-derives deployments, rollout and steady-state from the tasks; but not the events
 * saying which tasks it started or stopped, or which targets it registered or deregistered. Those
 * are carried over to the service as now stored.
 */

/** ECS keeps a service's last 100 events. */
export const MAX_EVENTS = 100;
/** Attempts to carry the events over before giving up (each loses only to another concurrent write). */
const ATTEMPTS = 3;

/** What the next pass would not say again: it names tasks, or tells of their targets. */
const tellsOfTasks = (message: string): boolean =>
  message.includes('(task ') ||
  message.includes(' targets in (target-group ') ||
  message.includes(' draining connections on ');

/**
 * The events a pass added (not in `before`) that tell what it did to tasks: "(service web) has
 * started 2 tasks: (task a) …", "(service web) registered 2 targets in (target-group …)".
 */
export function taskEventsAdded(before: readonly ServiceEvent[], after: readonly ServiceEvent[]): ServiceEvent[] {
  const known = new Set(before.map((event) => event.id));
  return after.filter((event) => !known.has(event.id) && tellsOfTasks(event.message ?? ''));
}

function eventsOf(record: ServiceRecord): ServiceEvent[] {
  return ((record.body as { events?: ServiceEvent[] }).events ?? []) as ServiceEvent[];
}

/**
 * Replaces `record` with `next`; if the service changed meanwhile, adds the pass's task events to
 * the stored service instead (the same service: not one deleted and created again under its name).
 * True when `next` was written whole.
 */
export async function replaceKeepingTaskEvents(
  services: ServiceRepository,
  record: ServiceRecord,
  next: ServiceRecord,
): Promise<boolean> {
  if (await services.replace(record, next)) return true;
  const carried = taskEventsAdded(eventsOf(record), eventsOf(next));
  for (let attempt = 0; attempt < ATTEMPTS && carried.length > 0; attempt++) {
    const [stored] = await services.get(record.cluster, [record.name]);
    if (stored === undefined || stored.createdAt.getTime() !== record.createdAt.getTime()) return false;
    if (stored.status === 'INACTIVE') return false;
    const events = [...carried, ...eventsOf(stored)].slice(0, MAX_EVENTS);
    if (await services.replace(stored, { ...stored, body: { ...stored.body, events } })) return false;
  }
  return false;
}
