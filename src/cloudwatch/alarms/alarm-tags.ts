import { parseArn } from '../../shared/arn.ts';
import type { CloudWatchDeps } from '../deps.ts';
import { InvalidParameterValueException, ResourceNotFoundException } from '../errors.ts';
import type {
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
  Tag,
  TagResourceInput,
  UntagResourceInput,
} from '../shapes.generated.ts';
import { storedAlarm, type StoredAlarm } from './alarm-record.ts';

export const MAX_TAGS = 50;

export function checkTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) {
    throw new InvalidParameterValueException(`A resource may have at most ${MAX_TAGS} tags.`);
  }
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith('aws:')) {
      throw new InvalidParameterValueException(`Tag keys starting with aws: are reserved: ${tag.Key}.`);
    }
  }
}

/** The alarm an ARN names (alarm:NAME in this region and account); ResourceNotFoundException otherwise. */
async function alarmOf(deps: CloudWatchDeps, arn: string) {
  const parsed = parseArn(arn);
  if (
    parsed?.service !== 'cloudwatch' ||
    !parsed.resource.startsWith('alarm:') ||
    parsed.region !== deps.scope.region ||
    parsed.accountId !== deps.scope.accountId
  ) {
    throw new ResourceNotFoundException(`The resource ${arn} does not exist.`);
  }
  const record = await deps.store.cloudWatch.getAlarm(parsed.resource.slice('alarm:'.length));
  if (!record) throw new ResourceNotFoundException(`The resource ${arn} does not exist.`);
  return record;
}

async function retag(deps: CloudWatchDeps, arn: string, change: (tags: readonly Tag[]) => Tag[]): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const record = await alarmOf(deps, arn);
    const alarm = storedAlarm(record);
    const tags = change(alarm.tags);
    checkTags(tags);
    const updated: StoredAlarm = { ...alarm, tags };
    const written = await deps.store.cloudWatch.writeAlarm(
      { name: record.name, body: updated as unknown as Record<string, unknown> },
      { expectRevision: record.revision },
    );
    if (written) return;
  }
}

export async function tagResource(deps: CloudWatchDeps, input: TagResourceInput): Promise<Record<string, never>> {
  await retag(deps, input.ResourceARN, (tags) => {
    const byKey = new Map(tags.map((t) => [t.Key, t.Value]));
    for (const tag of input.Tags) byKey.set(tag.Key, tag.Value);
    return [...byKey].map(([Key, Value]) => ({ Key, Value }));
  });
  return {};
}

export async function untagResource(deps: CloudWatchDeps, input: UntagResourceInput): Promise<Record<string, never>> {
  await retag(deps, input.ResourceARN, (tags) => tags.filter((t) => !input.TagKeys.includes(t.Key)));
  return {};
}

export async function listTagsForResource(
  deps: CloudWatchDeps,
  input: ListTagsForResourceInput,
): Promise<ListTagsForResourceOutput> {
  return { Tags: [...storedAlarm(await alarmOf(deps, input.ResourceARN)).tags] };
}
