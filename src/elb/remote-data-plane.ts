import { randomUUID } from 'node:crypto';
import { AwsError } from '../shared/aws-error.ts';
import type { Logger } from '../shared/logger.ts';
import {
  ListenerPortInUseError,
  type DataPlane,
  type DataPlaneConfig,
  type LoadBalancerTraffic,
  type TargetHealthView,
} from './data-plane-contract.ts';
import { StaticDataPlane } from './static-data-plane.ts';
import {
  configHash,
  EMPTY_CONFIG,
  MAX_LB_POLL_WAIT_MS,
  type LbApplyResult,
  type LbPollAnswer,
  type LbPollRequest,
  type LbReport,
} from './lb-protocol.ts';
import { mergeTakes, sumProcesses } from './traffic-merge.ts';

export interface RemoteDataPlaneOptions {
  readonly log?: Logger;
  /** An lb not heard from for this long is gone: applies stop waiting for it (30 s). */
  readonly liveMs?: number;
  /** How long an apply waits for the live lbs' answers before going on without them (15 s). */
  readonly applyTimeoutMs?: number;
  /** After expect(): how long an apply waits for a first lb to connect (15 s). */
  readonly firstConnectMs?: number;
  /**
   * Target health shared with the other servers on the store (shared-target-health.ts): what this
   * server's lbs report goes there, and health is read from there first.
   */
  readonly shared?: {
    record(lbId: string, health: Readonly<Record<string, readonly TargetHealthView[]>>): void;
    lookup(targetGroupArn: string): readonly TargetHealthView[] | undefined;
  };
}

/** A poll after release(): the server is stopping; the lb backs off and polls the next one. */
export class LbChannelClosedError extends AwsError {
  readonly code = 'ServiceUnavailable';
  override readonly httpStatus = 503;
  override readonly senderFault = false;
  constructor() {
    super('The server is stopping: poll again shortly.');
  }
}

interface Peer {
  readonly lbId: string;
  label: string;
  readonly firstSeen: number;
  lastSeen: number;
  polling: number;
  running?: string;
  result?: LbApplyResult;
  health: Map<string, readonly TargetHealthView[]>;
  traffic: LoadBalancerTraffic[];
}

/**
 * The data plane as the server sees it when it runs in `berth lb` processes (docs/load-balancer-process.md).
 * apply() sets the desired configuration, wakes the lbs' polls, and waits for every live lb's answer:
 * a port one of them cannot bind rejects with ListenerPortInUseError and puts the previous configuration
 * back, so commit.ts writes nothing. Target health is what the lbs' health checks report (the lb
 * connected longest wins; among several servers, the one connected longest to any of them, through
 * the store: shared-target-health.ts); traffic is what they counted, summed.
 */
export class RemoteDataPlane implements DataPlane {
  readonly instance = randomUUID();
  readonly #log: Logger | undefined;
  readonly #liveMs: number;
  readonly #applyTimeoutMs: number;
  readonly #firstConnectMs: number;
  readonly #shared: RemoteDataPlaneOptions['shared'];
  readonly #fallback = new StaticDataPlane();
  readonly #peers = new Map<string, Peer>();
  readonly #wakers = new Set<() => void>();
  #seq = 0;
  #desired = { hash: configHash(EMPTY_CONFIG), config: EMPTY_CONFIG, seq: 0 };
  #expectUntil = 0;
  #released = false;

  constructor(options: RemoteDataPlaneOptions = {}) {
    this.#log = options.log;
    this.#liveMs = options.liveMs ?? 30_000;
    this.#applyTimeoutMs = options.applyTimeoutMs ?? 15_000;
    this.#firstConnectMs = options.firstConnectMs ?? 15_000;
    this.#shared = options.shared;
  }

  /** An lb is on its way (the server started one or found it): applies wait a while for it to connect. */
  expect(): void {
    this.#expectUntil = Date.now() + this.#firstConnectMs;
  }

  /** The lbs heard from lately, for logs and tests. */
  peers(): { lbId: string; label: string; running?: string }[] {
    return this.#live().map((p) => ({ lbId: p.lbId, label: p.label, ...(p.running ? { running: p.running } : {}) }));
  }

  async apply(config: DataPlaneConfig): Promise<void> {
    const hash = configHash(config);
    const previous = this.#desired;
    if (hash === previous.hash) return;
    this.#set(config, hash);
    const error = await this.#answers(this.#desired.seq, hash);
    if (!error) return;
    this.#set(previous.config, previous.hash);
    if (error.portInUse !== undefined) throw new ListenerPortInUseError(error.portInUse);
    throw new Error(`the load balancer could not apply the configuration: ${error.message}`);
  }

  targetHealth(targetGroupArn: string): readonly TargetHealthView[] {
    const shared = this.#shared?.lookup(targetGroupArn);
    if (shared) return shared;
    for (const peer of this.#live()) {
      const views = peer.health.get(targetGroupArn);
      if (views) return views;
    }
    return this.#fallback.targetHealth(targetGroupArn);
  }

  takeTraffic(): LoadBalancerTraffic[] {
    const taken = [...this.#peers.values()].map((peer) => peer.traffic);
    for (const peer of this.#peers.values()) peer.traffic = [];
    return sumProcesses(taken);
  }

  /** Answers every held poll at once (the server is stopping); later polls answer at once too. */
  release(): void {
    this.#released = true;
    this.#wake();
  }

  async close(): Promise<void> {
    this.release();
  }

  /** POST /berth/lb/poll: answered when the lb's configuration is not the desired one, else after waitSeconds. */
  async poll(request: LbPollRequest): Promise<LbPollAnswer> {
    if (this.#released) throw new LbChannelClosedError();
    const peer = this.#touch(request);
    const waitMs = Math.max(0, Math.min(MAX_LB_POLL_WAIT_MS, (request.waitSeconds ?? 20) * 1000));
    const deadline = Date.now() + waitMs;
    peer.polling += 1;
    try {
      for (;;) {
        const { hash, config, seq } = this.#desired;
        const base = { instance: this.instance, seq, hash };
        if (this.#owes(peer, request.have)) return { ...base, config };
        if (this.#released || Date.now() >= deadline) return base;
        await this.#changed(deadline - Date.now());
      }
    } finally {
      peer.polling -= 1;
      peer.lastSeen = Date.now();
    }
  }

  /** POST /berth/lb/report. */
  report(report: LbReport): { accepted: true } {
    const peer = this.#touch(report);
    if (report.running !== undefined) peer.running = report.running;
    if (report.result && report.result.instance === this.instance) {
      peer.result = report.result;
      if (report.result.error) this.#log?.warn({ lb: peer.label, error: report.result.error }, 'lb could not apply');
    }
    peer.health = new Map(Object.entries(report.health));
    this.#shared?.record(report.lbId, report.health);
    peer.traffic = mergeTakes(peer.traffic, report.traffic);
    this.#wake();
    return { accepted: true };
  }

  #set(config: DataPlaneConfig, hash: string): void {
    this.#seq += 1;
    this.#desired = { hash, config, seq: this.#seq };
    void this.#fallback.apply(config);
    this.#wake();
  }

  /** Whether the lb should be sent the desired configuration: it has another, and has not failed this one. */
  #owes(peer: Peer, have: string | undefined): boolean {
    const { hash, seq } = this.#desired;
    if (have === hash) return false;
    const result = peer.result;
    return !(result?.error && result.instance === this.instance && result.hash === hash && result.seq >= seq);
  }

  /** Waits for each live lb to apply (or fail) configuration `seq`; the first failure, if any. */
  async #answers(seq: number, hash: string): Promise<LbApplyResult['error']> {
    const deadline = Date.now() + this.#applyTimeoutMs;
    for (;;) {
      if (this.#released) return undefined;
      const live = this.#live();
      const answered = (p: Peer) => p.result?.instance === this.instance && p.result.seq >= seq;
      const failed = live.find((p) => answered(p) && p.result!.hash === hash && p.result!.error);
      if (failed) return failed.result!.error;
      const waiting = live.filter((p) => p.running !== hash && !answered(p));
      const awaitingFirst = live.length === 0 && Date.now() < this.#expectUntil;
      if (waiting.length === 0 && !awaitingFirst) return undefined;
      const until = awaitingFirst && live.length === 0 ? Math.min(deadline, this.#expectUntil) : deadline;
      if (Date.now() >= until) {
        if (waiting.length > 0) {
          const labels = waiting.map((p) => p.label);
          this.#log?.warn(
            { lbs: labels },
            'load balancer processes did not answer in time: they get it when they poll',
          );
        }
        return undefined;
      }
      await this.#changed(until - Date.now());
    }
  }

  #touch(request: { lbId: string; label?: string }): Peer {
    const now = Date.now();
    let peer = this.#peers.get(request.lbId);
    if (!peer) {
      const label = request.label ?? request.lbId;
      peer = { lbId: request.lbId, label, firstSeen: now, lastSeen: now, polling: 0, health: new Map(), traffic: [] };
      this.#peers.set(request.lbId, peer);
      this.#log?.info({ lb: peer.label }, 'load balancer process connected');
    }
    peer.lastSeen = now;
    if (request.label) peer.label = request.label;
    // Forget lbs gone for ten minutes (their counts with them).
    for (const [id, other] of this.#peers)
      if (other.polling === 0 && now - other.lastSeen > 600_000) this.#peers.delete(id);
    this.#wake();
    return peer;
  }

  /** Live lbs, longest connected first. */
  #live(): Peer[] {
    const now = Date.now();
    return [...this.#peers.values()]
      .filter((p) => p.polling > 0 || now - p.lastSeen < this.#liveMs)
      .sort((a, b) => a.firstSeen - b.firstSeen);
  }

  #wake(): void {
    const wakers = [...this.#wakers];
    this.#wakers.clear();
    for (const wake of wakers) wake();
  }

  #changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.#wakers.add(done);
    });
  }
}
