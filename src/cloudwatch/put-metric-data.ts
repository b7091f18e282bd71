import type { MetricRecord } from '../store/index.ts';
import type { CloudWatchDeps } from './deps.ts';
import {
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  invalidValue,
} from './errors.ts';
import { metricKey, sortedDimensions } from './metric-key.ts';
import { resolutionsFor } from './resolutions.ts';
import type { MetricDatum, PutMetricDataInput } from './shapes.generated.ts';
import { addStatisticSet, addValue, type Aggregate } from './statistics.ts';
import { BucketBatch, mergeStored } from './stored-aggregate.ts';

/** AWS's PutMetricData quotas. */
export const LIMITS = {
  metricData: 1000,
  dimensions: 30,
  values: 150,
  /** |value| must not exceed 2^360, nor be below 2^-260 unless zero. */
  maxMagnitude: 2 ** 360,
  minMagnitude: 2 ** -260,
  pastMs: 14 * 24 * 3_600_000,
  futureMs: 2 * 3_600_000,
} as const;

/**
 * PutMetricData: every datum checked first (a bad one fails the whole call, nothing written), then
 * each added to its buckets at every resolution it is kept at (one aggregate per bucket for the
 * whole call), and the buckets, packed per block, merged into the store in one transaction.
 */
export async function putMetricData(deps: CloudWatchDeps, input: PutMetricDataInput): Promise<void> {
  checkNamespace(input.Namespace);
  const data = [...(input.MetricData ?? []), ...(input.EntityMetricData ?? []).flatMap((e) => e.MetricData ?? [])];
  if (data.length === 0) throw new MissingRequiredParameterException('The parameter MetricData is required.');
  if (data.length > LIMITS.metricData) {
    throw new InvalidParameterValueException(
      `The collection MetricData must not have a size greater than ${LIMITS.metricData}.`,
    );
  }
  const now = deps.clock.now().getTime();
  const metrics = new Map<string, MetricRecord>();
  const batch = new BucketBatch();
  data.forEach((datum, i) => {
    const where = `MetricData.member.${i + 1}`;
    checkDatum(datum, where, now);
    const key = metricKey(input.Namespace, datum.MetricName, datum.Dimensions);
    if (!metrics.has(key)) {
      metrics.set(key, {
        key,
        namespace: input.Namespace,
        metricName: datum.MetricName,
        dimensions: sortedDimensions(datum.Dimensions),
        lastPutAt: new Date(now),
      });
    }
    const time = datum.Timestamp?.getTime() ?? now;
    const unit = datum.Unit ?? 'None';
    for (const resolution of resolutionsFor(datum.StorageResolution ?? 60)) {
      addDatum(batch.bucket({ key, unit, resolution }, time), datum);
    }
  });
  await deps.store.cloudWatch.putDatapoints([...metrics.values()], batch.blocks(), mergeStored);
}

function checkNamespace(namespace: string): void {
  if (namespace.startsWith('AWS/')) {
    throw invalidValue('Namespace', namespace, 'The namespace AWS/ is reserved for AWS services.');
  }
  if (namespace.startsWith(':') || !/^[^:].*$/.test(namespace)) throw invalidValue('Namespace', namespace);
}

function checkDatum(datum: MetricDatum, where: string, now: number): void {
  const dimensions = datum.Dimensions ?? [];
  if (dimensions.length > LIMITS.dimensions) {
    throw new InvalidParameterValueException(
      `The collection ${where}.Dimensions must not have a size greater than ${LIMITS.dimensions}.`,
    );
  }
  const names = new Set(dimensions.map((d) => d.Name));
  if (names.size !== dimensions.length) {
    throw new InvalidParameterValueException(`No metric may have duplicate dimensions: ${where}.Dimensions.`);
  }
  const given = [datum.Value !== undefined, datum.StatisticValues !== undefined, datum.Values !== undefined];
  if (given.filter(Boolean).length > 1) {
    throw new InvalidParameterCombinationException(
      `The parameters ${where}.Value, ${where}.StatisticValues and ${where}.Values are mutually exclusive and you have specified more than one of them.`,
    );
  }
  if (!given.some(Boolean)) {
    throw new MissingRequiredParameterException(
      `At least one of the parameters ${where}.Value, ${where}.StatisticValues or ${where}.Values must be specified.`,
    );
  }
  if (datum.StorageResolution !== undefined && datum.StorageResolution !== 1 && datum.StorageResolution !== 60) {
    throw invalidValue(`${where}.StorageResolution`, datum.StorageResolution, 'It must be 1 or 60.');
  }
  checkTimestamp(datum, where, now);
  if (datum.Value !== undefined) checkValue(datum.Value, `${where}.Value`);
  if (datum.Values !== undefined) checkValues(datum, where);
  if (datum.StatisticValues !== undefined) checkStatisticSet(datum.StatisticValues, `${where}.StatisticValues`);
}

function checkTimestamp(datum: MetricDatum, where: string, now: number): void {
  const time = datum.Timestamp?.getTime();
  if (time === undefined) return;
  if (time < now - LIMITS.pastMs) {
    throw new InvalidParameterValueException(
      `The parameter ${where}.Timestamp must specify a time no more than two weeks in the past.`,
    );
  }
  if (time > now + LIMITS.futureMs) {
    throw new InvalidParameterValueException(
      `The parameter ${where}.Timestamp must specify a time no more than two hours in the future.`,
    );
  }
}

function checkValue(value: number, parameter: string): void {
  const magnitude = Math.abs(value);
  if (
    !Number.isFinite(value) ||
    magnitude > LIMITS.maxMagnitude ||
    (magnitude !== 0 && magnitude < LIMITS.minMagnitude)
  ) {
    throw invalidValue(
      parameter,
      value,
      'Values must be in the range -2^360 to 2^360 and not smaller in magnitude than 2^-260.',
    );
  }
}

function checkValues(datum: MetricDatum, where: string): void {
  const values = datum.Values!;
  if (values.length > LIMITS.values) {
    throw new InvalidParameterValueException(
      `The collection ${where}.Values must not have a size greater than ${LIMITS.values}.`,
    );
  }
  if (datum.Counts !== undefined && datum.Counts.length !== values.length) {
    throw new InvalidParameterValueException(
      `The parameters ${where}.Values and ${where}.Counts must be of the same size.`,
    );
  }
  values.forEach((value, j) => checkValue(value, `${where}.Values.member.${j + 1}`));
  datum.Counts?.forEach((count, j) => {
    if (!(count >= 0) || !Number.isFinite(count)) throw invalidValue(`${where}.Counts.member.${j + 1}`, count);
  });
}

function checkStatisticSet(set: NonNullable<MetricDatum['StatisticValues']>, where: string): void {
  for (const [name, value] of Object.entries(set)) checkValue(value as number, `${where}.${name}`);
  if (!(set.SampleCount > 0)) throw invalidValue(`${where}.SampleCount`, set.SampleCount, 'It must be greater than 0.');
  if (set.Minimum > set.Maximum) {
    throw new InvalidParameterValueException(
      `The parameter ${where}.Minimum must not be greater than ${where}.Maximum.`,
    );
  }
}

function addDatum(aggregate: Aggregate, datum: MetricDatum): void {
  if (datum.Value !== undefined) addValue(aggregate, datum.Value);
  else if (datum.StatisticValues !== undefined) addStatisticSet(aggregate, datum.StatisticValues);
  else {
    datum.Values!.forEach((value, j) => {
      const count = datum.Counts?.[j] ?? 1;
      if (count > 0) addValue(aggregate, value, count);
    });
  }
}
