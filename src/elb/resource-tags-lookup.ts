import { parseArn } from '../shared/arn.ts';
import type { MetadataStore } from '../store/index.ts';

/**
 * The tags of a load balancer, target group, listener or rule by ARN (aws:ResourceTag/*,
 * elasticloadbalancing:ResourceTag/*); undefined if there is none.
 */
export function elbResourceTags(store: MetadataStore) {
  return async (resourceArn: string): Promise<Readonly<Record<string, string>> | undefined> => {
    if (parseArn(resourceArn)?.service !== 'elasticloadbalancing') return undefined;
    const [record] = await store.elb.get([resourceArn]);
    return record && Object.fromEntries(record.tags.map((t) => [t.Key, t.Value ?? '']));
  };
}
