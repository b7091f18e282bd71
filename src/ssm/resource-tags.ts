import { parseArn } from '../shared/arn.ts';
import type { MetadataStore } from '../store/index.ts';

/**
 * A parameter's tags by its ARN (aws:ResourceTag/*); undefined for another ARN or no parameter.
 * arn:…:parameter/a/b is the parameter /a/b; arn:…:parameter/plain is plain (or /plain: a name with
 * one level names the same ARN with or without its leading slash, so both are looked up).
 */
export function ssmResourceTags(store: MetadataStore) {
  return async (resourceArn: string): Promise<Readonly<Record<string, string>> | undefined> => {
    const parsed = parseArn(resourceArn);
    if (parsed?.service !== 'ssm' || !parsed.resource.startsWith('parameter/')) return undefined;
    const rest = parsed.resource.slice('parameter/'.length);
    if (rest === '' || rest.includes('*')) return undefined;
    const record = (await store.ssm.get(`/${rest}`)) ?? (rest.includes('/') ? undefined : await store.ssm.get(rest));
    return record ? Object.fromEntries(record.tags.map((tag) => [tag.Key, tag.Value])) : undefined;
  };
}
