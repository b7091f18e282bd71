import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

const PROBE_FILE = '.write-probe';
const DEFAULT_INTERVAL_MS = 5000;

/**
 * Whether the data volume takes writes, for /readyz: every few seconds a small file is written,
 * fsynced and removed in the data folder, and the outcome is kept. A full (or read-only, or lost)
 * volume makes the server not ready within one interval, and ready again once it takes writes.
 */
export class DataVolumeProbe {
  readonly #file: string;
  readonly #intervalMs: number;
  #writable = true;
  #problem: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  readonly #onChange: ((writable: boolean, problem: string | undefined) => void) | undefined;

  constructor(
    dataDir: string,
    options: {
      intervalMs?: number | undefined;
      /** Called when the outcome changes (to log it once, not every interval). */
      onChange?: (writable: boolean, problem: string | undefined) => void;
    } = {},
  ) {
    this.#file = join(dataDir, PROBE_FILE);
    this.#intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#onChange = options.onChange;
  }

  /** Probes once now, then every interval (the timer never keeps the process alive). */
  async start(): Promise<void> {
    await this.probe();
    this.#timer ??= setInterval(() => void this.probe(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops probing; resolves once a probe under way has removed its file. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** The outcome of the latest probe. */
  get writable(): boolean {
    return this.#writable;
  }

  /** Why the latest probe failed (an error code such as ENOSPC), or undefined. */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** Writes, fsyncs and removes the probe file; one probe at a time. */
  probe(): Promise<void> {
    this.#running ??= this.#write().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #write(): Promise<void> {
    const was = this.#writable;
    try {
      const file = await open(this.#file, 'w', 0o600);
      try {
        await file.write('ok\n');
        await file.sync();
      } finally {
        await file.close();
      }
      this.#writable = true;
      this.#problem = undefined;
    } catch (error) {
      this.#writable = false;
      this.#problem = (error as NodeJS.ErrnoException).code ?? String(error);
    } finally {
      await rm(this.#file, { force: true }).catch(() => undefined);
    }
    if (this.#writable !== was) this.#onChange?.(this.#writable, this.#problem);
  }
}
