import { parseArn } from '../shared/arn.ts';
import type { MetadataStore } from '../store/index.ts';

/** A repository's tags by its ARN (aws:ResourceTag/*, ecr:ResourceTag/*); undefined if there is none. */
export function ecrResourceTags(store: MetadataStore) {
  return async (resourceArn: string): Promise<Readonly<Record<string, string>> | undefined> => {
    const parsed = parseArn(resourceArn);
    if (parsed?.service !== 'ecr' || !parsed.resource.startsWith('repository/')) return undefined;
    const record = await store.repositories.get(parsed.resource.slice('repository/'.length));
    if (!record) return undefined;
    const tags = (record.details.tags ?? []) as { Key?: unknown; Value?: unknown }[];
    return Object.fromEntries(
      tags.filter((t) => typeof t.Key === 'string').map((t) => [t.Key, typeof t.Value === 'string' ? t.Value : '']),
    );
  };
}
