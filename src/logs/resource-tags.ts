import { parseArn } from '../shared/arn.ts';
import type { MetadataStore } from '../store/index.ts';

/**
 * A log group's tags by its ARN, or a log stream's (the tags of its group: streams have none of
 * their own); undefined if the group does not exist. Logs has aws:ResourceTag/* only.
 */
export function logsResourceTags(store: MetadataStore) {
  return async (resourceArn: string): Promise<Readonly<Record<string, string>> | undefined> => {
    const parsed = parseArn(resourceArn);
    if (parsed?.service !== 'logs' || !parsed.resource.startsWith('log-group:')) return undefined;
    // log-group:NAME, log-group:NAME:*, log-group:NAME:log-stream:STREAM (group names have no ':').
    const name = parsed.resource.slice('log-group:'.length).split(':')[0]!;
    return (await store.logs.getGroup(name))?.tags;
  };
}
