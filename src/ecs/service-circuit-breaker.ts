/**
 * ECS's deployment circuit breaker, as pure functions. It watches the tasks of a deployment while
 * its rollout is IN_PROGRESS, in ECS's two stages: stage 1, tasks that never reach RUNNING or whose
 * essential container exits; stage 2, RUNNING tasks that fail their health checks (container health
 * checks, or their load balancer target group's) and that the scheduler therefore replaces. Every
 * such task counts once in the deployment's failedTasks; at the threshold the rollout is FAILED, no
 * new task starts, and with rollback the service returns to its last COMPLETED deployment. REPLICA,
 * DAEMON and traffic-shifted (blue/green, linear, canary) deployments all count this way.
 */
import { CONTAINER_HEALTH_CHECKS_REASON } from './service-task-health.ts';
import { isElbUnhealthyReason } from './service-load-balancing.ts';

/** The rolloutStateReason of a deployment the breaker failed (ECS's wording, for either stage). */
export const CIRCUIT_BREAKER_REASON = 'ECS deployment circuit breaker: tasks failed to start.';

/**
 * ECS's failure threshold (ServiceDeploymentCircuitBreaker.threshold): 0.5 × the desired count,
 * rounded up, at least 3 and at most 200.
 */
export function failureThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

/** How a task of the deployment ended, as its record says (nothing yet while it runs). */
export interface TaskOutcome {
  readonly stopCode?: string | undefined;
  readonly stoppedReason?: string | undefined;
}

/**
 * Whether the task counts as failed: it failed to start, an essential container exited, or the
 * scheduler replaced it for failing its container or ELB health checks. Stops the scheduler or a
 * user asked for otherwise (scale-in, a newer deployment, a lost agent, StopTask) do not count.
 */
export function isFailedTask(task: TaskOutcome): boolean {
  switch (task.stopCode) {
    case 'TaskFailedToStart':
    case 'EssentialContainerExited':
      return true;
    case 'ServiceSchedulerInitiated':
      return task.stoppedReason === CONTAINER_HEALTH_CHECKS_REASON || isElbUnhealthyReason(task.stoppedReason);
    default:
      return false;
  }
}

/** The deployment's failedTasks: every task it launched that failed. */
export const countFailedTasks = (tasks: readonly TaskOutcome[]): number => tasks.filter(isFailedTask).length;

/** Whether the breaker trips now: enabled, the rollout still in progress, and failures at the threshold. */
export function hasTripped(at: {
  readonly enabled: boolean;
  readonly rolloutState: string | undefined;
  readonly failedTasks: number;
  readonly desiredCount: number;
}): boolean {
  return at.enabled && at.rolloutState === 'IN_PROGRESS' && at.failedTasks >= failureThreshold(at.desiredCount);
}

/** ECS's service event when the breaker fails a deployment: "(service web) (deployment ecs-svc/…) deployment failed: tasks failed to start." */
export const deploymentFailedEvent = (service: string, deployment: string): string =>
  `(service ${service}) (deployment ${deployment}) deployment failed: tasks failed to start.`;
