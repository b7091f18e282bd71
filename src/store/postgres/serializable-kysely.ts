import { Kysely, type Transaction, type TransactionBuilder } from 'kysely';
import { currentFence } from '../fencing.ts';
import { checkFence } from '../sqlite/sqlite-leases.ts';

/** SQLSTATEs after which PostgreSQL asks the client to run the transaction again. */
const RETRIED = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 30;

/**
 * Kysely whose transactions run SERIALIZABLE and are run again when PostgreSQL aborts one for a
 * conflict. The repositories were written for SQLite, where one connection runs transactions one at
 * a time: a transaction that reads, decides and writes (the next task definition revision, a
 * Parameter Store write checked against the revision it read) is then never interleaved. With a
 * pool of connections, SERIALIZABLE gives the same guarantee: PostgreSQL aborts whichever
 * transaction would have seen a different world, and it goes again, reading the new one. Callbacks
 * must therefore be safe to run more than once (they only read and write through `trx`).
 */
export class SerializableKysely<DB> extends Kysely<DB> {
  override transaction(): TransactionBuilder<DB> {
    const begin = () => super.transaction().setIsolationLevel('serializable');
    // A transaction begun under a lease (fencing.ts) first checks the lease holds the same epoch.
    const fence = currentFence();
    const builder: Pick<TransactionBuilder<DB>, 'execute'> = {
      execute: <T>(callback: (trx: Transaction<DB>) => Promise<T>) =>
        withRetries(() =>
          begin().execute(async (trx) => {
            if (fence) await checkFence(trx, fence);
            return callback(trx);
          }),
        ),
    };
    // Only execute() is used on a transaction builder here (the repositories never set modes).
    return builder as TransactionBuilder<DB>;
  }
}

/** Runs `run` (one transaction) again while PostgreSQL aborts it for a conflict, with jittered backoff. */
export async function withRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code !== 'string' || !RETRIED.has(code) || attempt >= MAX_ATTEMPTS) throw error;
      // Jittered backoff, so the transactions that collided do not collide again in step.
      const ceiling = Math.min(50, 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
