import type { ArnScope } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { MetadataStore } from '../store/index.ts';

export interface ServiceDiscoveryDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  /** The account and region this server answers for (the in-process registrations have no request). */
  readonly scope: ArnScope;
  /** Where DiscoverInstances' order and the DNS answers' choices come from (Math.random by default). */
  readonly random?: () => number;
}

/** How often a write planned from revisions another write replaced is planned again. */
export const WRITE_ATTEMPTS = 5;
