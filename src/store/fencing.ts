import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lease } from './leases.ts';

/** The lease a write is made under: its name, its holder and the epoch the writer holds. */
export type FenceToken = Pick<Lease, 'name' | 'holder' | 'epoch'>;

/** A write was made under a lease that has moved on (taken over, or released): nothing was written. */
export class LeaseLostError extends Error {
  readonly lease: FenceToken;

  constructor(lease: FenceToken) {
    super(`lease ${lease.name} epoch ${lease.epoch} is no longer held by ${lease.holder}: write refused`);
    this.name = 'LeaseLostError';
    this.lease = lease;
  }
}

const fences = new AsyncLocalStorage<FenceToken | undefined>();

/**
 * Runs `work` under a lease: every store write it makes in a transaction (group commits included)
 * first checks, in that transaction, that the lease still has this holder and epoch, and fails with
 * LeaseLostError otherwise. The token follows the async context, so the domain code that writes
 * (ecs/, ecr/) needs no parameter for it.
 */
export function withFence<T>(token: FenceToken, work: () => Promise<T>): Promise<T> {
  return fences.run(token, work);
}

/** The lease the current async context writes under, if any. */
export function currentFence(): FenceToken | undefined {
  return fences.getStore();
}

/** Runs `work` outside any fence (a batch that serves several callers checks each one's own). */
export function withoutFence<T>(work: () => T): T {
  return fences.run(undefined, work);
}
