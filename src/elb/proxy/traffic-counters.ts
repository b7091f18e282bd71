import type { LoadBalancerTraffic, TargetGroupTraffic } from '../data-plane-contract.ts';

/**
 * Response times are counted in buckets 2% wide (a value's bucket is round(log(t) / log(1.02))),
 * from 1 µs to 4,000 s: about 1,120 counters a target group, and CloudWatch's percentiles of them
 * are within about 1% of the truth. A bucket stands for its geometric middle.
 */
const GROWTH = Math.log(1.02);
/** Below 1 µs, a response time is counted as 1 µs; above 4,000 s (ALB's longest idle timeout), as 4,000 s. */
const FLOOR_SECONDS = 1e-6;
const CEILING_SECONDS = 4000;
const FIRST_BUCKET = Math.round(Math.log(FLOOR_SECONDS) / GROWTH);
const BUCKETS = Math.round(Math.log(CEILING_SECONDS) / GROWTH) - FIRST_BUCKET + 1;

export function responseTimeBucket(seconds: number): number {
  return Math.round(Math.log(Math.min(Math.max(seconds, FLOOR_SECONDS), CEILING_SECONDS)) / GROWTH);
}

export function bucketSeconds(bucket: number): number {
  return Math.exp(bucket * GROWTH);
}

/** One target group's counters behind one load balancer, since the last take. */
export class GroupCounters {
  requests = 0;
  /** Target responses by class: [1XX, 2XX, 3XX, 4XX, 5XX]. */
  readonly codes = [0, 0, 0, 0, 0];
  /** Counts by response-time bucket (index 0: FIRST_BUCKET): an increment, no allocation, per response. */
  readonly responseTimes = new Float64Array(BUCKETS);

  /** A target's response head arrived, `seconds` after the request left for it. */
  responded(status: number, seconds: number): void {
    const index = Math.floor(status / 100) - 1;
    if (index >= 0 && index < 5) this.codes[index]! += 1;
    this.responseTimes[responseTimeBucket(seconds) - FIRST_BUCKET]! += 1;
  }

  /** What was counted, as the data plane hands it over; then zero again (the object stays in use). */
  take(targetGroupArn: string, health: { healthy: number; unhealthy: number }): TargetGroupTraffic {
    const values: number[] = [];
    const counts: number[] = [];
    this.responseTimes.forEach((count, index) => {
      if (count === 0) return;
      values.push(bucketSeconds(index + FIRST_BUCKET));
      counts.push(count);
    });
    const [, target2xx, target3xx, target4xx, target5xx] = this.codes as [number, number, number, number, number];
    const traffic = {
      targetGroupArn,
      requests: this.requests,
      target2xx,
      target3xx,
      target4xx,
      target5xx,
      responseTimes: { values, counts },
      ...health,
    };
    this.requests = 0;
    this.codes.fill(0);
    this.responseTimes.fill(0);
    return traffic;
  }
}

/**
 * A load balancer's counters, shared by its listeners: plain increments on the request path,
 * taken (read and reset) by the metrics loop each period.
 */
export class LoadBalancerCounters {
  readonly loadBalancerArn: string;
  /** Requests for which a target was chosen (ALB's RequestCount). */
  requests = 0;
  /** Answers the load balancer made itself, by class: [4XX, 5XX]. */
  readonly elbCodes = [0, 0];
  fixedResponses = 0;
  newConnections = 0;
  rejectedConnections = 0;
  /** Client connections open now (not reset by a take). */
  openConnections = 0;
  readonly #groups = new Map<string, GroupCounters>();

  constructor(loadBalancerArn: string) {
    this.loadBalancerArn = loadBalancerArn;
  }

  group(targetGroupArn: string): GroupCounters {
    let counters = this.#groups.get(targetGroupArn);
    if (counters === undefined) this.#groups.set(targetGroupArn, (counters = new GroupCounters()));
    return counters;
  }

  /** An answer the load balancer made itself (an error, or a fixed response). */
  answered(status: number): void {
    if (status >= 400 && status < 600) this.elbCodes[status < 500 ? 0 : 1]! += 1;
  }

  /**
   * What was counted since the last take, and resets it; `groups` are the target groups the load
   * balancer forwards to now, listed even without traffic (with their health).
   */
  take(groups: Iterable<{ targetGroupArn: string; healthy: number; unhealthy: number }>): LoadBalancerTraffic {
    const taken: TargetGroupTraffic[] = [];
    const forwarded = new Set<string>();
    for (const { targetGroupArn, healthy, unhealthy } of groups) {
      forwarded.add(targetGroupArn);
      taken.push(this.group(targetGroupArn).take(targetGroupArn, { healthy, unhealthy }));
    }
    // Traffic to a group no longer forwarded to (a rule changed this period) is reported too.
    for (const [targetGroupArn, counters] of this.#groups) {
      if (!forwarded.has(targetGroupArn) && counters.requests > 0)
        taken.push(counters.take(targetGroupArn, { healthy: 0, unhealthy: 0 }));
    }
    const traffic: LoadBalancerTraffic = {
      loadBalancerArn: this.loadBalancerArn,
      requests: this.requests,
      elb4xx: this.elbCodes[0]!,
      elb5xx: this.elbCodes[1]!,
      fixedResponses: this.fixedResponses,
      newConnections: this.newConnections,
      rejectedConnections: this.rejectedConnections,
      openConnections: this.openConnections,
      targetGroups: taken,
    };
    this.requests = this.fixedResponses = this.newConnections = this.rejectedConnections = 0;
    this.elbCodes.fill(0);
    return traffic;
  }
}
