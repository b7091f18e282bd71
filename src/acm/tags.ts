import type { CertificateRecord } from '../store/index.ts';
import { bodyOf, findCertificate, type AcmDeps, type Tag } from './deps.ts';
import { InvalidTagException, TooManyTagsException } from './errors.ts';

const MAX_TAGS = 50;

/** Tags as ACM takes them: no aws: keys, one value per key (the last wins). */
export function checkTags(tags: readonly Tag[]): Tag[] {
  for (const tag of tags)
    if (tag.Key.toLowerCase().startsWith('aws:'))
      throw new InvalidTagException(`Tag key ${tag.Key} uses the reserved prefix aws:.`);
  const byKey = new Map(tags.map((tag) => [tag.Key, tag]));
  if (byKey.size > MAX_TAGS) throw new TooManyTagsException(`A certificate can have at most ${MAX_TAGS} tags.`);
  return [...byKey.values()];
}

async function retag(deps: AcmDeps, record: CertificateRecord, tags: readonly Tag[]): Promise<void> {
  await deps.store.put({ ...record, body: { ...bodyOf(record), tags } });
}

export async function addTags(deps: AcmDeps, arn: string, tags: readonly Tag[]): Promise<void> {
  const record = await findCertificate(deps, arn);
  const added = checkTags(tags);
  const merged = new Map(bodyOf(record).tags.map((tag) => [tag.Key, tag]));
  for (const tag of added) merged.set(tag.Key, tag);
  if (merged.size > MAX_TAGS)
    throw new TooManyTagsException(`the certificate ${arn} would have more than ${MAX_TAGS} tags.`);
  await retag(deps, record, [...merged.values()]);
}

/** Removes each tag by key, or by key and value when the value is given (ACM's rule). */
export async function removeTags(deps: AcmDeps, arn: string, tags: readonly Tag[]): Promise<void> {
  const record = await findCertificate(deps, arn);
  checkTags(tags);
  const removes = (tag: Tag) =>
    tags.some((gone) => gone.Key === tag.Key && (gone.Value === undefined || gone.Value === (tag.Value ?? '')));
  await retag(
    deps,
    record,
    bodyOf(record).tags.filter((tag) => !removes(tag)),
  );
}

export async function listTags(deps: AcmDeps, arn: string) {
  const record = await findCertificate(deps, arn);
  return { Tags: bodyOf(record).tags.map((tag) => ({ ...tag })) };
}
