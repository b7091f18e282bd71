import type { Lease, LeaseClaim } from './leases.ts';

/** The leases table (migrations/0025-leases.ts). Every decision uses the database's clock. */
export interface LeaseRepository {
  /** Takes the lease (or renews it, if the claimant holds it); undefined while another holds it. */
  acquire(claim: LeaseClaim): Promise<Lease | undefined>;
  /** Extends a held lease; undefined once it was taken over (or released). */
  renew(held: Lease, durationMs: number): Promise<Lease | undefined>;
  /** Lets a held lease lapse now (a no-op if it moved on). */
  release(held: Lease): Promise<void>;
  /** The leases whose name starts with `prefix`, and the database's now to judge them by. */
  list(prefix: string): Promise<{ now: number; leases: Lease[] }>;
}
