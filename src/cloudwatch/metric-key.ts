import type { Dimension } from './shapes.generated.ts';

/**
 * A metric's identity: namespace, name and its dimensions as a set (CloudWatch treats each
 * combination as its own metric; the order they were sent in does not matter). The key is the
 * JSON of [namespace, name, [[dimension, value], ...] sorted by dimension name].
 */
export function metricKey(namespace: string, metricName: string, dimensions: readonly Dimension[] = []): string {
  return JSON.stringify([namespace, metricName, sortedDimensions(dimensions).map((d) => [d.Name, d.Value])]);
}

export function sortedDimensions(dimensions: readonly Dimension[] = []): Dimension[] {
  return [...dimensions]
    .map((d) => ({ Name: d.Name, Value: d.Value }))
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
