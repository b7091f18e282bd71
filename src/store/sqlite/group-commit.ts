import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { currentFence, withoutFence } from '../fencing.ts';
import { checkFence } from './sqlite-leases.ts';

type Write = (trx: Transaction<Database>) => Promise<void>;

/**
 * Group commit: writes asked for in the same turn of the event loop go in one transaction, so one
 * fsync (synchronous=FULL) makes them all durable, and each caller's promise settles only after that
 * commit, as before. node:sqlite blocks the event loop while it syncs, so with hundreds of agents
 * reporting at once a sync per write was most of the server's time.
 */
export class GroupCommit {
  readonly #db: Kysely<Database>;
  #pending: { write: Write; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * A write made under a lease (fencing.ts) checks it first, in the batch's transaction: if the
   * lease moved on, that write fails with LeaseLostError and the others go again without it.
   */
  run(write: Write): Promise<void> {
    const fence = currentFence();
    const fenced: Write = fence
      ? async (trx) => {
          await checkFence<Database>(trx, fence);
          await write(trx);
        }
      : write;
    return new Promise((resolve, reject) => {
      this.#pending.push({ write: fenced, resolve, reject });
      // The flush serves every caller: it runs outside the first one's fence.
      if (this.#pending.length === 1) withoutFence(() => setImmediate(() => void this.#flush()));
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    try {
      await this.#db.transaction().execute(async (trx) => {
        for (const { write } of batch) await write(trx);
      });
      for (const { resolve } of batch) resolve();
    } catch {
      // One write failed, so none was committed: each goes again alone, and only the failing one fails.
      for (const { write, resolve, reject } of batch) this.#db.transaction().execute(write).then(resolve, reject);
    }
  }
}
