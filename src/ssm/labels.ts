import type { SsmParameterVersionRecord } from '../store/index.ts';
import { ParameterVersionLabelLimitExceeded, ParameterVersionNotFound } from './errors.ts';

/*
 * Labels as AWS rules them: a label names one version of a parameter at a time (labelling another
 * version moves it), a version has at most 10, and a label is at most 100 letters, digits, periods,
 * hyphens and underscores, not starting with a digit or with "aws" or "ssm" in any case. Invalid
 * labels are not an error: they come back in InvalidLabels.
 */

export const MAX_LABELS_PER_VERSION = 10;

export function isValidLabel(label: string): boolean {
  return label.length <= 100 && /^[a-zA-Z0-9_.-]+$/.test(label) && !/^\d/.test(label) && !/^(aws|ssm)/i.test(label);
}

export interface LabelPlan {
  /** The versions whose labels change, as they are to be written. */
  readonly changed: SsmParameterVersionRecord[];
  readonly invalid: string[];
  readonly version: number;
}

/** Puts `labels` on `version` (the newest when undefined), taking them off any other version. */
export function planLabels(
  name: string,
  versions: readonly SsmParameterVersionRecord[],
  labels: readonly string[],
  version: number | undefined,
): LabelPlan {
  const target = version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
  if (!target) throw ParameterVersionNotFound.of(name, String(version));
  const invalid = labels.filter((label) => !isValidLabel(label));
  const valid = [...new Set(labels.filter(isValidLabel))];
  const merged = [...target.labels, ...valid.filter((label) => !target.labels.includes(label))];
  if (merged.length > MAX_LABELS_PER_VERSION) throw new ParameterVersionLabelLimitExceeded();
  const changed: SsmParameterVersionRecord[] = [];
  for (const other of versions) {
    if (other.version === target.version) continue;
    const kept = other.labels.filter((label) => !valid.includes(label));
    if (kept.length !== other.labels.length) changed.push({ ...other, labels: kept });
  }
  if (merged.length !== target.labels.length) changed.push({ ...target, labels: merged });
  return { changed, invalid, version: target.version };
}

/** Takes `labels` off `version`: those it did not carry come back as invalid. */
export function planUnlabel(
  name: string,
  versions: readonly SsmParameterVersionRecord[],
  labels: readonly string[],
  version: number,
): { changed: SsmParameterVersionRecord[]; removed: string[]; invalid: string[] } {
  const target = versions.find((v) => v.version === version);
  if (!target) throw ParameterVersionNotFound.of(name, String(version));
  const removed = [...new Set(labels.filter((label) => target.labels.includes(label)))];
  const invalid = [...new Set(labels.filter((label) => !target.labels.includes(label)))];
  const changed =
    removed.length === 0 ? [] : [{ ...target, labels: target.labels.filter((l) => !removed.includes(l)) }];
  return { changed, removed, invalid };
}

/** The version a selector names: by number, or the one carrying the label. */
export function versionOf(
  versions: readonly SsmParameterVersionRecord[],
  selector: { kind: 'version'; version: number } | { kind: 'label'; label: string },
): SsmParameterVersionRecord | undefined {
  return selector.kind === 'version'
    ? versions.find((v) => v.version === selector.version)
    : versions.find((v) => v.labels.includes(selector.label));
}
