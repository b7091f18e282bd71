import type { Clock } from '../shared/clock.ts';
import type { CloudWatchRepository } from '../store/index.ts';

export interface CloudWatchDeps {
  readonly store: { readonly cloudWatch: CloudWatchRepository };
  readonly clock: Clock;
}
