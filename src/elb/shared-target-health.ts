/**
 * Target health shared by several servers on one PostgreSQL (issue #21). Every `berth lb` checks its
 * targets itself, as each node of an ALB does, and reports to whichever server it polls; that
 * server writes the report to the store (store/target-health-repository.ts) and tells the others.
 * Every server then reads target health from the same rows and picks it the same way: per target
 * group, the live report of the lb connected longest. So the scheduler of a cluster, on whichever
 * server holds its lease, and DescribeTargetHealth on any server, see one health, wherever the lb is.
 */
import type { ChangeBus, ReportedTargetHealth, TargetHealthRepository } from '../store/index.ts';
import { CHANGE_TOPICS } from '../store/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { TargetHealthView } from './data-plane-contract.ts';

export interface SharedTargetHealthOptions {
  readonly log?: Logger;
  /** A report older than this is an lb gone (30 s, as RemoteDataPlane's liveness). */
  readonly liveMs?: number;
  /** An unchanged report is written again this often, to stay live (10 s). */
  readonly rewriteMs?: number;
  /** The rows are read again this often even without a message (5 s). */
  readonly refreshMs?: number;
}

/** Per target group, the targets of the first report in `rows` (ordered oldest lb first). */
export function chooseHealth(rows: readonly ReportedTargetHealth[]): Map<string, readonly TargetHealthView[]> {
  const chosen = new Map<string, readonly TargetHealthView[]>();
  for (const row of rows)
    if (!chosen.has(row.targetGroupArn)) chosen.set(row.targetGroupArn, row.targets as TargetHealthView[]);
  return chosen;
}

export class SharedTargetHealth {
  readonly #repository: TargetHealthRepository;
  readonly #bus: ChangeBus;
  readonly #log: Logger | undefined;
  readonly #liveMs: number;
  readonly #rewriteMs: number;
  readonly #written = new Map<string, { key: string; at: number }>();
  readonly #writing = new Map<string, Promise<void>>();
  /** A report that came while the lb's previous one was being written: written next. */
  readonly #pending = new Map<string, Readonly<Record<string, readonly TargetHealthView[]>>>();
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;
  #chosen = new Map<string, readonly TargetHealthView[]>();
  #reading: Promise<void> | undefined;
  #readAgain = false;

  constructor(repository: TargetHealthRepository, bus: ChangeBus, options: SharedTargetHealthOptions = {}) {
    this.#repository = repository;
    this.#bus = bus;
    this.#log = options.log;
    this.#liveMs = options.liveMs ?? 30_000;
    this.#rewriteMs = options.rewriteMs ?? 10_000;
    this.#unsubscribe = bus.subscribe(CHANGE_TOPICS.targetHealth, () => void this.refresh());
    this.#timer = setInterval(() => void this.refresh(), options.refreshMs ?? 5_000);
    this.#timer.unref();
    void this.refresh();
  }

  /** The targets of a target group as the chosen lb reports them; undefined when no live lb reports it. */
  lookup(targetGroupArn: string): readonly TargetHealthView[] | undefined {
    return this.#chosen.get(targetGroupArn);
  }

  /** An lb's report reached this server: written when it changed, or to keep it live. */
  record(lbId: string, health: Readonly<Record<string, readonly TargetHealthView[]>>): void {
    const key = JSON.stringify(health);
    const last = this.#written.get(lbId);
    if (last?.key === key && Date.now() - last.at < this.#rewriteMs) return;
    if (this.#writing.has(lbId)) {
      this.#pending.set(lbId, health);
      return;
    }
    const write = (async () => {
      try {
        await this.#repository.report(lbId, health);
        this.#written.set(lbId, { key, at: Date.now() });
        if (last?.key !== key) {
          this.#bus.publish(CHANGE_TOPICS.targetHealth, lbId);
          await this.refresh();
        }
      } catch (error) {
        this.#log?.warn({ err: error, lbId }, 'could not share the target health an lb reported');
      } finally {
        this.#writing.delete(lbId);
        const next = this.#pending.get(lbId);
        this.#pending.delete(lbId);
        if (next) this.record(lbId, next);
      }
    })();
    this.#writing.set(lbId, write);
  }

  /** Reads the live reports again (one read at a time; a request meanwhile reads once more after it). */
  refresh(): Promise<void> {
    if (this.#reading) {
      this.#readAgain = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#readAgain = false;
        try {
          this.#chosen = chooseHealth(await this.#repository.live(this.#liveMs));
        } catch (error) {
          this.#log?.warn({ err: error }, 'could not read the target health the lbs reported');
        }
      } while (this.#readAgain);
    })().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#unsubscribe();
    await Promise.allSettled([...this.#writing.values(), this.#reading]);
  }
}
