/**
 * The events a service scheduler pass writes, in ECS's words and newest first: the tasks it
 * started and stopped, the targets it registered and deregistered, and why.
 */
import { MAX_EVENTS } from './service-event-carry.ts';
import { targetEvents, type TargetChanges } from './service-load-balancing.ts';
import type { TargetVerdict } from './service-targets.ts';
import type { ServiceEvent } from './shapes.generated.ts';

export function addEvent(
  events: ServiceEvent[],
  message: string,
  now: Date,
  options: { readonly repeat?: boolean } = {},
): ServiceEvent[] {
  // ECS does not repeat the message it just wrote; but each count of targets is news.
  if (!options.repeat && events[0]?.message === message) return events;
  const event = { id: crypto.randomUUID(), createdAt: now.getTime() as unknown as Date, message };
  return [event, ...events].slice(0, MAX_EVENTS);
}

/** ECS's wording: "(service web) has started 2 tasks: (task a) (task b)." (stopped: "running tasks"). */
export function taskEvent(service: string, verb: 'started' | 'stopped', taskIds: readonly string[]): string {
  const what = verb === 'stopped' ? 'running tasks' : 'tasks';
  return `(service ${service}) has ${verb} ${taskIds.length} ${what}: ${taskIds.map((id) => `(task ${id})`).join(' ')}.`;
}

/** What a pass says of the targets it moved and the tasks it stopped, and its plan's messages. */
export function passEvents(
  serviceName: string,
  current: readonly ServiceEvent[],
  pass: {
    readonly changes: TargetChanges;
    readonly stops: readonly { id: string; reason: string }[];
    readonly targets: ReadonlyMap<string, TargetVerdict> | undefined;
    readonly messages: readonly string[];
    readonly now: Date;
  },
): ServiceEvent[] {
  const now = pass.now;
  let events = [...current];
  for (const message of targetEvents(serviceName, pass.changes))
    events = addEvent(events, message, now, { repeat: true });
  events = stoppedEvent(serviceName, events, pass);
  for (const message of pass.messages) events = addEvent(events, message, now);
  return events;
}

function stoppedEvent(
  serviceName: string,
  current: ServiceEvent[],
  pass: {
    readonly stops: readonly { id: string; reason: string }[];
    readonly targets: ReadonlyMap<string, TargetVerdict> | undefined;
    readonly now: Date;
  },
): ServiceEvent[] {
  const { stops, targets, now } = pass;
  if (stops.length === 0) return current;
  // A task replaced for failing its target group's health checks: ECS says so first.
  let events = current;
  for (const stop of stops) {
    const verdict = targets?.get(stop.id);
    if (verdict?.event && verdict.reason === stop.reason) events = addEvent(events, verdict.event, now);
  }
  const stopped = stops.map((s) => s.id);
  return addEvent(events, taskEvent(serviceName, 'stopped', stopped), now);
}
