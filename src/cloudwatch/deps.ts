import type { Clock } from '../shared/clock.ts';
import type { CloudWatchRepository } from '../store/index.ts';
import type { AlarmActionSink } from './alarms/action-sink.ts';

export interface CloudWatchDeps {
  readonly store: { readonly cloudWatch: CloudWatchRepository };
  readonly clock: Clock;
  /** The region and account alarm ARNs name. */
  readonly scope: { readonly region: string; readonly accountId: string };
  /** What alarm actions may name and where they go (none by default). */
  readonly actions: AlarmActionSink;
}
