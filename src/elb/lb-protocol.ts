import { createHash } from 'node:crypto';
import type { DataPlaneConfig, LoadBalancerTraffic, TargetHealthView } from './data-plane-contract.ts';

/**
 * The load balancer channel between the server and `berth lb` processes (docs/load-balancer-process.md):
 * two signed POSTs on the server's listener. Plain data. A change here that an older lb would
 * misread bumps LB_PROTOCOL: the server then refuses the old lb, and replaces the one it started.
 */
export const LB_PROTOCOL = 1;

/** The longest a poll is held open when nothing changes. */
export const MAX_LB_POLL_WAIT_MS = 20_000;

/** POST /berth/lb/poll: the lb's heartbeat, answered at once when its configuration is not the server's. */
export interface LbPollRequest {
  readonly protocol: number;
  /** Random per lb process start. */
  readonly lbId: string;
  /** Where it runs, for logs: host name and pid. */
  readonly label?: string;
  /** The configuration the lb serves now (configHash), if any. */
  readonly have?: string;
  /** A configuration the lb could not apply: not sent to it again. */
  readonly failed?: string;
  readonly waitSeconds?: number;
}

export interface LbPollAnswer {
  /** Who answered: a server process (random per start); results name it back. */
  readonly instance: string;
  /** This server's configuration sequence number: results at or after it answer an apply. */
  readonly seq: number;
  readonly hash: string;
  /** Present when `hash` is not what the lb has (or failed). */
  readonly config?: DataPlaneConfig;
}

/** POST /berth/lb/report: what the lb sees, and what came of the last configuration it got. */
export interface LbReport {
  readonly protocol: number;
  readonly lbId: string;
  readonly label?: string;
  /** The configuration it serves now. */
  readonly running?: string;
  /** What came of applying the configuration a poll answered (instance and seq as answered). */
  readonly result?: LbApplyResult;
  /** Each target group's targets as its health checks see them. */
  readonly health: Readonly<Record<string, readonly TargetHealthView[]>>;
  /** Counts since its previous report the server took. */
  readonly traffic: readonly LoadBalancerTraffic[];
}

export interface LbApplyResult {
  readonly instance: string;
  readonly seq: number;
  readonly hash: string;
  /** Absent: applied. */
  readonly error?: { readonly message: string; readonly portInUse?: number };
}

/** The hello line the lb writes on its lock socket (lb-lock.ts) to whoever connects. */
export interface LbHello {
  readonly pid: number;
  readonly protocol: number;
  readonly version: string;
  readonly stateDir: string;
}

/** A configuration's identity: equal configurations hash alike, whichever server built them. */
export function configHash(config: DataPlaneConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

export const EMPTY_CONFIG: DataPlaneConfig = { listeners: [], targetGroups: [] };
