/**
 * How CloudWatch keeps datapoints (its documented retention): high-resolution (1 s) data for 3
 * hours, 1-minute data for 15 days, 5-minute data for 63 days, 1-hour data for 455 days. Every
 * datapoint is added at write time to its bucket at each resolution it has (1 s only for
 * StorageResolution 1), so a rollup is never recomputed: retention just drops a resolution's old
 * buckets, and a query reads the coarsest resolution that divides its period and still holds
 * its start.
 */
export const RESOLUTIONS = [1, 60, 300, 3600] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const RETENTION_MS: Readonly<Record<Resolution, number>> = {
  1: 3 * HOUR_MS,
  60: 15 * DAY_MS,
  300: 63 * DAY_MS,
  3600: 455 * DAY_MS,
};

/** The resolutions a datapoint of this StorageResolution is added to. */
export function resolutionsFor(storageResolution: number): readonly Resolution[] {
  return storageResolution === 1 ? RESOLUTIONS : RESOLUTIONS.slice(1);
}

export function bucketStart(timeMs: number, resolutionSeconds: number): number {
  const width = resolutionSeconds * 1000;
  return Math.floor(timeMs / width) * width;
}

/**
 * The resolution to answer a period from: the coarsest that divides it and still holds data at
 * `start`; else the coarsest that divides it (what it holds of the range is what CloudWatch
 * would have kept). Undefined when none divides it (a period of 90 s over 1-minute data).
 */
export function resolutionFor(periodSeconds: number, start: Date, now: Date): Resolution | undefined {
  const dividing = RESOLUTIONS.filter((r) => periodSeconds % r === 0);
  const age = now.getTime() - start.getTime();
  const holding = dividing.filter((r) => age <= RETENTION_MS[r]);
  return holding.at(-1) ?? dividing.at(-1);
}

/**
 * The period rules by age (GetMetricStatistics and GetMetricData): under 3 hours old, 1, 5, 10,
 * 30 or a multiple of 60; then a multiple of 60 up to 15 days, 300 up to 63 days, 3600 beyond.
 * Returns what the period must be a multiple of, for the message, or undefined when it is valid.
 */
export function periodRuleBroken(periodSeconds: number, start: Date, now: Date): string | undefined {
  const age = now.getTime() - start.getTime();
  if (age <= RETENTION_MS[1]) {
    return [1, 5, 10, 30].includes(periodSeconds) || periodSeconds % 60 === 0 ? undefined : '1, 5, 10, 30 or 60';
  }
  const multiple = age <= RETENTION_MS[60] ? 60 : age <= RETENTION_MS[300] ? 300 : 3600;
  return periodSeconds % multiple === 0 ? undefined : String(multiple);
}
