import { evaluateExpression, parseExpression, type EvaluationTarget } from './query/index.ts';
import type { InstanceSnapshot, PlacementConstraint } from './types.ts';

/** The evaluation target the query language sees for an instance snapshot. */
export function targetOf(instance: InstanceSnapshot): EvaluationTarget {
  let running = 0;
  const taskGroups: string[] = [];
  for (const [group, count] of instance.groupCounts) {
    if (count > 0) taskGroups.push(group);
    running += count;
  }
  return {
    attributes: instance.attributes,
    agentConnected: instance.agentConnected,
    ec2InstanceId: instance.id,
    runningTasksCount: running,
    taskGroups,
  };
}

/** A memberOf constraint from its expression, parsed once (throws QueryParseError). */
export function memberOf(expression: string): PlacementConstraint {
  const parsed = parseExpression(expression);
  return { type: 'memberOf', expression, test: (instance) => evaluateExpression(parsed, targetOf(instance)) };
}
