import { parseArn } from '../shared/arn.ts';
import type { MetadataStore } from '../store/index.ts';

/** A namespace's or service's tags by its ARN (aws:ResourceTag/*); undefined for another ARN or none. */
export function serviceDiscoveryResourceTags(store: MetadataStore) {
  return async (resourceArn: string): Promise<Readonly<Record<string, string>> | undefined> => {
    const parsed = parseArn(resourceArn);
    if (parsed?.service !== 'servicediscovery') return undefined;
    const [kind, id] = parsed.resource.split('/');
    if (id === undefined || id === '' || id.includes('*')) return undefined;
    const record =
      kind === 'namespace'
        ? await store.serviceDiscovery.namespace(id)
        : kind === 'service'
          ? await store.serviceDiscovery.service(id)
          : undefined;
    if (!record || record.arn !== resourceArn) return undefined;
    return Object.fromEntries(record.details.tags.map((tag) => [tag.Key, tag.Value]));
  };
}
