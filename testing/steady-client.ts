import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port the OS says is free now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A bounded client: 20 requests/s to the listener until stopped (at most 3 minutes). */
export class SteadyClient {
  readonly failures: string[] = [];
  readonly bodies: string[] = [];
  #running = true;
  readonly #done: Promise<void>;
  constructor(url: string) {
    this.#done = this.#loop(url);
  }
  async #loop(url: string): Promise<void> {
    const deadline = Date.now() + 180_000;
    while (this.#running && Date.now() < deadline) {
      const started = Date.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = (await response.text()).trim();
        if (response.status === 200) this.bodies.push(body);
        else this.failures.push(`${response.status} ${body.slice(0, 80)}`);
      } catch (error) {
        this.failures.push(String(error));
      }
      await sleep(Math.max(0, 50 - (Date.now() - started)));
    }
  }
  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}
