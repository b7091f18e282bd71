import type { SecretVersionRecord } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';

/*
 * Version stages, as Secrets Manager moves them: a stage is on at most one version; moving
 * AWSCURRENT to another version puts AWSPREVIOUS on the version that had it. A version without
 * stages is deprecated.
 */

export type StagedVersion = Pick<SecretVersionRecord, 'versionId' | 'stages'>;

/** The versions whose stages change when `stages` move onto `target` (which may be new). */
export function moveStages<T extends StagedVersion>(
  versions: readonly T[],
  target: string,
  stages: readonly string[],
): T[] {
  const next = new Map(versions.map((version) => [version.versionId, new Set(version.stages)]));
  if (!next.has(target)) next.set(target, new Set());
  for (const stage of stages) {
    for (const [versionId, labels] of next) {
      if (versionId === target || !labels.has(stage)) continue;
      labels.delete(stage);
      if (stage === 'AWSCURRENT') {
        for (const other of next.values()) other.delete('AWSPREVIOUS');
        labels.add('AWSPREVIOUS');
      }
    }
    next.get(target)!.add(stage);
  }
  return versions
    .filter((version) => !sameStages(version.stages, next.get(version.versionId)!))
    .map((version) => ({ ...version, stages: [...next.get(version.versionId)!] }));
}

/** The stages of `target` after moving, for a version not yet stored. */
export function stagesAfter(versions: readonly StagedVersion[], target: string, stages: readonly string[]): string[] {
  const existing = versions.find((version) => version.versionId === target)?.stages ?? [];
  return [...new Set([...existing, ...stages])];
}

/** UpdateSecretVersionStage's checks: the stage leaves the version the caller says it is on. */
export function checkStageMove(
  versions: readonly StagedVersion[],
  stage: string,
  removeFrom: string | undefined,
  moveTo: string | undefined,
): void {
  const holder = versions.find((version) => version.stages.includes(stage));
  if (moveTo !== undefined && !versions.some((version) => version.versionId === moveTo))
    throw new InvalidParameterException(`The version ${moveTo} does not exist.`);
  if (holder && holder.versionId !== moveTo && holder.versionId !== removeFrom)
    throw new InvalidParameterException(
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  if (removeFrom !== undefined && holder?.versionId !== removeFrom)
    throw new InvalidParameterException(`The staging label ${stage} is not attached to version ${removeFrom}.`);
  if (stage === 'AWSCURRENT' && moveTo === undefined)
    throw new InvalidParameterException(
      'You can only remove the AWSCURRENT staging label by moving it to another version.',
    );
}

function sameStages(a: readonly string[], b: ReadonlySet<string>): boolean {
  return a.length === b.size && a.every((stage) => b.has(stage));
}
