/** What one load balancer process last reported of one target group's targets (their health views, JSON). */
export interface ReportedTargetHealth {
  readonly lbId: string;
  readonly targetGroupArn: string;
  readonly targets: readonly unknown[];
  /** When the lb first reported to any server, by the database's clock (epoch ms): the longest connected wins. */
  readonly firstSeen: number;
}

/**
 * Target health as the `berth lb` processes see it, shared by several servers on one PostgreSQL
 * (migrations/0029-lb-target-health.ts): each server writes what its lbs report, so the server
 * running a cluster's scheduler, and any server answering DescribeTargetHealth, sees the health an
 * lb connected to another server checked. Times are the database's clock.
 */
export interface TargetHealthRepository {
  /** Replaces everything lb `lbId` reported before with `health` (target group ARN → targets), reported now. */
  report(lbId: string, health: Readonly<Record<string, readonly unknown[]>>): Promise<void>;
  /** The rows reported within `liveWithinMs`, oldest lb first. */
  live(liveWithinMs: number): Promise<ReportedTargetHealth[]>;
}
