/**
 * The deployments a service has retired (their last task gone), newest first, kept in the
 * service's body for ListServiceDeployments and DescribeServiceDeployments: ECS keeps 90 days of
 * them; Berth the last HISTORY_LIMIT (the body is read on every scheduler pass). Pure.
 */
import type { ShiftedDeployment } from './service-blue-green.ts';
import type { Deployment, Service } from './shapes.generated.ts';

export const HISTORY_LIMIT = 10;

/** A retired deployment as it last was, and when it left. */
export type RetiredDeployment = ShiftedDeployment & { retiredAt: Date | number };

/** The body field the history lives in (not part of ECS's Service: the views drop it). */
export type ServiceWithHistory = Service & { deploymentHistory?: RetiredDeployment[] };

/** The history after `retired` leave the service at `now`. */
export function withRetired(
  service: ServiceWithHistory,
  retired: readonly Deployment[],
  now: Date,
): RetiredDeployment[] | undefined {
  const history = service.deploymentHistory;
  if (retired.length === 0) return history;
  return [...retired.map((d) => ({ ...d, retiredAt: now })), ...(history ?? [])].slice(0, HISTORY_LIMIT);
}

/**
 * A scheduler pass's retirement: the deployments that stay, and the body fields to save (the
 * history with those that left, when there is one).
 */
export function retireDeployments(
  service: ServiceWithHistory,
  deployments: readonly Deployment[],
  retire: readonly string[],
  now: Date,
): { deployments: Deployment[]; fields: Pick<ServiceWithHistory, 'deploymentHistory'> } {
  const history = withRetired(
    service,
    deployments.filter((d) => retire.includes(d.id!)),
    now,
  );
  return {
    deployments: deployments.filter((d) => !retire.includes(d.id!)),
    fields: history === undefined ? {} : { deploymentHistory: history },
  };
}
