/**
 * Elastic Load Balancing v2 resources: load balancers, target groups, listeners and rules, one
 * table keyed by ARN. Queried fields are columns; the API object (with attributes, targets and
 * conditions) is JSON. Every write is one transaction, so a load balancer disappears with its
 * listeners and rules at once, and a listener appears with its default rule.
 */
export type ElbResourceKind = 'load-balancer' | 'target-group' | 'listener' | 'rule';

export interface ElbResourceRecord {
  readonly arn: string;
  readonly kind: ElbResourceKind;
  /** Load balancer and target group names (unique per kind); undefined for listeners and rules. */
  readonly name: string | undefined;
  /** A listener's load balancer, a rule's listener. */
  readonly parentArn: string | undefined;
  readonly createdAt: Date;
  /** The API object and what goes with it (attributes, targets), as JSON. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly tags: readonly { readonly Key: string; readonly Value?: string }[];
}

export interface ElbChange {
  /** Inserted, or replacing the record with the same ARN. */
  readonly put?: readonly ElbResourceRecord[];
  readonly remove?: readonly string[];
}

export interface ElbRepository {
  get(arns: readonly string[]): Promise<ElbResourceRecord[]>;
  /** Every record (of one kind), in (kind, name, arn) order. */
  list(kind?: ElbResourceKind): Promise<ElbResourceRecord[]>;
  /** Applies the whole change in one transaction. */
  write(change: ElbChange): Promise<void>;
}
