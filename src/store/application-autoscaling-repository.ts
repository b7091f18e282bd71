/**
 * Application Auto Scaling's records: scalable targets, scaling policies, scheduled actions and
 * scaling activities, one row each with a JSON body the service owns. `target` is the scalable
 * target's key (namespace|resource id|dimension), so what belongs to a target is found and
 * removed together; `revision` makes writes compare-and-set.
 */
export type AutoScalingKind = 'target' | 'policy' | 'scheduled-action' | 'activity';

export interface AutoScalingRecord {
  readonly kind: AutoScalingKind;
  /** Unique among all records: the target key, a policy or scheduled action ARN, an activity id. */
  readonly id: string;
  readonly target: string;
  /** Epoch ms: listings are in this order (then by id). */
  readonly createdAt: number;
  readonly revision: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ApplicationAutoScalingRepository {
  get(kind: AutoScalingKind, id: string): Promise<AutoScalingRecord | undefined>;
  /** A kind's records, of one target when given, oldest first. */
  list(kind: AutoScalingKind, options?: { target?: string }): Promise<AutoScalingRecord[]>;
  /**
   * Writes a record: inserted when `expectRevision` is undefined and none exists, replaced when
   * the stored revision is `expectRevision`. False when the stored record is not the one expected.
   */
  write(record: Omit<AutoScalingRecord, 'revision'>, options: { expectRevision: number | undefined }): Promise<boolean>;
  /** False when there was none. */
  delete(kind: AutoScalingKind, id: string): Promise<boolean>;
  /** Removes a target's records of the given kinds (a deregistered target's policies and actions). */
  deleteOfTarget(target: string, kinds: readonly AutoScalingKind[]): Promise<void>;
  /** Removes activities started before `before` (epoch ms); resolves with how many. */
  pruneActivities(before: number): Promise<number>;
}
