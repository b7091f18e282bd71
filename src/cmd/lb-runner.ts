import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:net';
import type { CredentialSource } from '../agent/index.ts';
import {
  ListenerPortInUseError,
  type DataPlane,
  type DataPlaneConfig,
  LB_PROTOCOL,
  type LbApplyResult,
  type LbPollAnswer,
  type LbReport,
  mergeTakes,
  type LoadBalancerTraffic,
  type TargetHealthView,
} from '../elb/index.ts';
import type { Logger } from '../shared/logger.ts';
import { takeLbLock } from './lb-lock.ts';
import { readSavedConfig, saveConfig, stateFolderGone } from './lb-state.ts';
import { ServerError, signedJsonClient } from './signed-fetch.ts';

export interface LbRunnerOptions {
  readonly stateDir: string;
  /** The server's URL, asked before each call (the server-started lb reads it from a file the server rewrites). */
  readonly endpoint: () => URL | undefined;
  /** Several servers given: `url` could not be reached, and endpoint() moves on from it (FailoverEndpoints.failed). */
  readonly endpointFailed?: ((url: URL, reason: string) => void) | undefined;
  readonly credentials: CredentialSource;
  readonly region: string;
  readonly log: Logger;
  readonly plane: DataPlane;
  /** How often health is looked at, and sent when it changed (1 s). */
  readonly checkEveryMs?: number;
  /** Traffic counts go at least this often (5 s). */
  readonly reportEveryMs?: number;
  /**
   * The lb a server started: with no listener to serve and its server unreachable for 3 s, it exits
   * (the server starts another when it is back). Nothing is dropped, and no idle lb outlives its server.
   */
  readonly exitWhenIdleAlone?: boolean;
}

export interface RunningLb {
  /**
   * Resolves with the exit code when the lb has stopped: 0 after stop() or once its state folder
   * was removed; 1 when the first configuration it got could not bind a port (another lb on this host).
   */
  readonly stopped: Promise<number>;
  stop(): Promise<void>;
}

type Client = ReturnType<typeof signedJsonClient>;

/**
 * A `berth lb` process's work: take the state folder's lock, serve the configuration saved there,
 * then long-poll the server for changes, apply and save each, and report target health, traffic
 * and each apply's result. When the server is gone it serves on with what it has, and polls again
 * (250 ms doubling to 2 s) until the server is back.
 */
export async function runLb(options: LbRunnerOptions): Promise<RunningLb> {
  const lock = await takeLbLock(options.stateDir);
  const saved = readSavedConfig(options.stateDir);
  if (saved) {
    try {
      await options.plane.apply(saved.config);
    } catch (error) {
      lock.close();
      await options.plane.close();
      throw error;
    }
    options.log.info({ listeners: saved.config.listeners.length }, 'serving the saved configuration');
  }
  return new LbLoop(options, lock, saved).start();
}

class LbLoop {
  readonly #options: LbRunnerOptions;
  readonly #lock: Server;
  readonly #lbId = randomUUID();
  readonly #label = `${hostname()} pid ${process.pid}`;
  readonly #abort = new AbortController();
  #running: { hash: string; config: DataPlaneConfig } | undefined;
  #client: { url: string; call: Client } | undefined;
  #connected: boolean | undefined;
  #pendingResult: LbApplyResult | undefined;
  /** The server process that answered the last poll: a new one gets a report at once. */
  #serverInstance: string | undefined;
  #pendingTraffic: LoadBalancerTraffic[] = [];
  #lastHealth = '';
  #lastSent = 0;
  #reporting: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped: Promise<void> | undefined;
  #resolveStopped!: (code: number) => void;
  #exitCode = 0;

  constructor(options: LbRunnerOptions, lock: Server, saved: { hash: string; config: DataPlaneConfig } | undefined) {
    this.#options = options;
    this.#lock = lock;
    this.#running = saved;
  }

  start(): RunningLb {
    const stopped = new Promise<number>((resolve) => (this.#resolveStopped = resolve));
    this.#timer = setInterval(() => this.#tick(), this.#options.checkEveryMs ?? 1_000);
    void this.#pollLoop();
    return { stopped, stop: () => this.#stop() };
  }

  #stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#abort.abort();
      clearInterval(this.#timer);
      await this.#reporting;
      await this.#options.plane.close();
      this.#lock.close();
      this.#options.log.info('berth lb stopped');
      this.#resolveStopped(this.#exitCode);
    })();
    return this.#stopped;
  }

  #call(): Client | undefined {
    const url = this.#options.endpoint();
    if (!url) return undefined;
    if (this.#client?.url !== url.href) {
      const { credentials, region } = this.#options;
      this.#client = { url: url.href, call: signedJsonClient({ endpoint: url, credentials, region, service: 'ecs' }) };
    }
    return this.#client.call;
  }

  async #pollLoop(): Promise<void> {
    let backoff = 250;
    let unreachableSince: number | undefined;
    while (!this.#abort.signal.aborted) {
      try {
        const call = this.#call();
        if (!call) throw new Error('no server endpoint known yet');
        const body = { protocol: LB_PROTOCOL, lbId: this.#lbId, label: this.#label, waitSeconds: 20 };
        const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(30_000)]);
        const answer = await call<LbPollAnswer>('/berth/lb/poll', { ...body, have: this.#running?.hash }, {}, signal);
        this.#setConnected(true);
        unreachableSince = undefined;
        backoff = 250;
        if (answer.config) await this.#applyAnswer(answer, answer.config);
        else if (answer.instance !== this.#serverInstance) void this.#report(true); // a new server: health at once
        this.#serverInstance = answer.instance;
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        this.#setConnected(false, error);
        unreachableSince ??= Date.now();
        if (this.#idleAlone(unreachableSince)) return;
        const refused = error instanceof ServerError && error.permanent;
        if (!refused) this.#nextServer(error);
        await sleep(refused ? 5_000 : backoff, this.#abort.signal);
        backoff = Math.min(backoff * 2, 2_000);
      }
    }
  }

  #nextServer(error: unknown): void {
    const url = this.#options.endpoint();
    if (url) this.#options.endpointFailed?.(url, error instanceof Error ? error.message : String(error));
  }

  #idleAlone(unreachableSince: number): boolean {
    const listeners = this.#running?.config.listeners.length ?? 0;
    if (!this.#options.exitWhenIdleAlone || listeners > 0 || Date.now() - unreachableSince < 3_000) return false;
    this.#options.log.info('no listener to serve and no server: exiting (the server starts another when it is back)');
    void this.#stop();
    return true;
  }

  #setConnected(connected: boolean, error?: unknown): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    if (connected) this.#options.log.info('connected to the server');
    else
      this.#options.log.warn(
        { problem: error instanceof Error ? error.message : String(error) },
        'cannot reach the server: serving the last configuration',
      );
  }

  async #applyAnswer(answer: LbPollAnswer, config: DataPlaneConfig): Promise<void> {
    const { instance, seq, hash } = answer;
    try {
      await this.#options.plane.apply(config);
      this.#running = { hash, config };
      this.#pendingResult = { instance, seq, hash };
      this.#save();
      this.#options.log.info({ listeners: config.listeners.length, seq }, 'configuration applied');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const portInUse = error instanceof ListenerPortInUseError ? { portInUse: error.port } : {};
      this.#pendingResult = { instance, seq, hash, error: { message, ...portInUse } };
      this.#options.log.warn({ problem: message, seq }, 'configuration not applied: serving the previous one');
      if (this.#running === undefined && error instanceof ListenerPortInUseError) {
        // Nothing served yet and a listener's port is taken: most likely another lb on this host.
        // Staying connected would have every ELB write refused for this lb's sake.
        await this.#report(true);
        this.#exitCode = 1;
        process.stderr.write(
          `berth lb: cannot bind listener port ${error.port}: it is in use (another berth lb on this host?)\n`,
        );
        void this.#stop();
        return;
      }
    }
    await this.#report(true);
  }

  /**
   * Keeps the configuration served for a start without a server. It is served already: a copy that
   * cannot be written (a full disk) is logged, not a failed apply, and the next change writes again.
   */
  #save(): void {
    try {
      saveConfig(this.#options.stateDir, this.#running!);
    } catch (error) {
      this.#options.log.warn(
        { problem: error instanceof Error ? error.message : String(error) },
        'configuration applied but not saved: a restart without a server would serve an older one',
      );
    }
  }

  #tick(): void {
    if (stateFolderGone(this.#options.stateDir)) {
      this.#options.log.warn({ stateDir: this.#options.stateDir }, 'the state folder is gone: stopping');
      void this.#stop();
      return;
    }
    void this.#report(false);
  }

  /** Sends health, traffic and the pending apply result when something changed, or every reportEveryMs. */
  #report(force: boolean): Promise<void> {
    this.#reporting = this.#reporting.then(async () => {
      if (this.#abort.signal.aborted && !force) return;
      const health = this.#health();
      const key = JSON.stringify(health);
      const due = Date.now() - this.#lastSent >= (this.#options.reportEveryMs ?? 5_000);
      if (!force && !this.#pendingResult && key === this.#lastHealth && !due) return;
      const call = this.#call();
      if (!call) return;
      this.#pendingTraffic = mergeTakes(this.#pendingTraffic, this.#options.plane.takeTraffic?.() ?? []);
      const report: LbReport = {
        protocol: LB_PROTOCOL,
        lbId: this.#lbId,
        label: this.#label,
        ...(this.#running ? { running: this.#running.hash } : {}),
        ...(this.#pendingResult ? { result: this.#pendingResult } : {}),
        health,
        traffic: this.#pendingTraffic,
      };
      try {
        await call('/berth/lb/report', fitted(report, this.#options.log), {}, AbortSignal.timeout(10_000));
        this.#pendingTraffic = [];
        if (this.#pendingResult === report.result) this.#pendingResult = undefined;
        this.#lastHealth = key;
        this.#lastSent = Date.now();
      } catch {
        // The poll loop says when the server is unreachable; counts and the result wait for the next report.
      }
    });
    return this.#reporting;
  }

  #health(): Record<string, readonly TargetHealthView[]> {
    const groups = this.#running?.config.targetGroups ?? [];
    return Object.fromEntries(
      groups.map((g) => [g.targetGroupArn, this.#options.plane.targetHealth(g.targetGroupArn)]),
    );
  }
}

/** Under the server's admin body limit (256 KiB): past it, health goes without its descriptions, then without targets. */
const MAX_REPORT_BYTES = 240 * 1024;

function fitted(report: LbReport, log: Logger): LbReport {
  if (JSON.stringify(report).length <= MAX_REPORT_BYTES) return report;
  const brief = Object.fromEntries(
    Object.entries(report.health).map(([arn, views]) => [
      arn,
      views.map((view) => ({ ...view, description: undefined })),
    ]),
  );
  const smaller = { ...report, health: brief };
  if (JSON.stringify(smaller).length <= MAX_REPORT_BYTES) return smaller;
  log.warn('too many targets to report their health: the server shows their configured state');
  return { ...report, health: {} };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
