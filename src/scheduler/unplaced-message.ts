import type { PlacementFailure } from './types.ts';

const WHY: Readonly<Record<string, string>> = {
  'RESOURCE:CPU': 'has insufficient CPU units available',
  'RESOURCE:MEMORY': 'has insufficient memory available',
  'RESOURCE:GPU': 'has insufficient GPUs available',
  'RESOURCE:PORTS': 'is already using a port required by your task',
  'RESOURCE:PORTS_UDP': 'is already using a UDP port required by your task',
  DistinctInstance: 'is already running a task of this group (distinctInstance)',
};

/** Reasons that only stop an instance once everything else about it matched: the closest misses. */
const CLOSEST_FIRST = [
  'RESOURCE:MEMORY',
  'RESOURCE:CPU',
  'RESOURCE:GPU',
  'RESOURCE:PORTS',
  'RESOURCE:PORTS_UDP',
  'DistinctInstance',
];

/**
 * The service event ECS writes when a task fits nowhere, naming the closest instance and why:
 * "service web was unable to place a task because no container instance met all of its
 * requirements. The closest matching container-instance 1234 has insufficient memory available."
 */
export function unplacedMessage(service: string, failures: readonly PlacementFailure[]): string {
  const base = `service ${service} was unable to place a task because no container instance met all of its requirements.`;
  for (const reason of CLOSEST_FIRST) {
    const closest = failures.find((f) => f.reason === reason && f.arn !== undefined);
    if (closest)
      return `${base} The closest matching container-instance ${closest.arn!.split('/').at(-1)} ${WHY[reason]}.`;
  }
  const first = failures[0];
  if (!first || first.arn === undefined)
    return `${base} ${first?.reason ?? 'No Container Instances were found in your cluster.'}`;
  return `${base} The closest matching container-instance ${first.arn.split('/').at(-1)} encountered error "${first.reason}".`;
}
