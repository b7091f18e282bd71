import { alarmArn } from '../access.ts';
import type { CloudWatchDeps } from '../deps.ts';
import {
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  invalidValue,
} from '../errors.ts';
import { MAX_EXPRESSION_LENGTH, parseExpression, ExpressionError } from '../metric-math/index.ts';
import type { MetricDataQuery, PutMetricAlarmInput } from '../shapes.generated.ts';
import { parseStatistic } from '../statistics.ts';
import { configurationItem } from './alarm-history.ts';
import { storedAlarm, type StoredAlarm } from './alarm-record.ts';
import { checkTags } from './alarm-tags.ts';

const STATIC_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
/** Period x EvaluationPeriods may not exceed a day (7 days for periods of an hour or more). */
const MAX_RANGE_SECONDS = 86_400;

/**
 * PutMetricAlarm: creates or replaces an alarm's configuration. A new alarm starts in
 * INSUFFICIENT_DATA; an updated one keeps its state (the evaluator re-evaluates it at the next
 * period boundary). Every action ARN must be one the action sink accepts.
 */
export async function putMetricAlarm(deps: CloudWatchDeps, input: PutMetricAlarmInput): Promise<void> {
  checkAlarm(input);
  for (const [member, arns] of [
    ['AlarmActions', input.AlarmActions],
    ['OKActions', input.OKActions],
    ['InsufficientDataActions', input.InsufficientDataActions],
  ] as const) {
    for (const arn of arns ?? []) {
      if (!deps.actions.accepts(arn)) {
        throw invalidValue(
          member,
          arn,
          'Berth cannot act on this action: it runs Application Auto Scaling policy actions only; it has no SNS, EC2 or Systems Manager to send the others to.',
        );
      }
    }
  }
  checkTags(input.Tags ?? []);
  const { Tags, ...config } = input;
  const now = deps.clock.now().getTime();
  for (let attempt = 0; attempt < 5; attempt++) {
    const record = await deps.store.cloudWatch.getAlarm(input.AlarmName);
    const existing = record ? storedAlarm(record) : undefined;
    const alarm: StoredAlarm = {
      arn: alarmArn(deps.scope, input.AlarmName),
      config,
      actionsEnabled: input.ActionsEnabled ?? true,
      configUpdatedAt: now,
      state: existing?.state ?? {
        value: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        updatedAt: now,
        transitionedAt: now,
      },
      // Tags given replace none: PutMetricAlarm's Tags apply on creation only, as CloudWatch's do.
      tags: existing?.tags ?? Tags ?? [],
      evaluatedUntil: existing?.evaluatedUntil ?? 0,
    };
    const history = [configurationItem(input.AlarmName, now, { created: !existing, config })];
    const written = await deps.store.cloudWatch.writeAlarm(
      { name: input.AlarmName, body: alarm as unknown as Record<string, unknown> },
      { expectRevision: record?.revision, history },
    );
    if (written) return;
  }
  throw new InvalidParameterValueException(`The alarm ${input.AlarmName} is being changed by another request.`);
}

function checkAlarm(input: PutMetricAlarmInput): void {
  if (input.EvaluationPeriods === undefined) {
    throw new MissingRequiredParameterException('The parameter EvaluationPeriods is required.');
  }
  if (input.ComparisonOperator === undefined) {
    throw new MissingRequiredParameterException('The parameter ComparisonOperator is required.');
  }
  if (!STATIC_OPERATORS.includes(input.ComparisonOperator)) {
    throw invalidValue(
      'ComparisonOperator',
      input.ComparisonOperator,
      'Anomaly detection operators need ThresholdMetricId, which Berth does not evaluate.',
    );
  }
  if (input.Threshold === undefined)
    throw new MissingRequiredParameterException('The parameter Threshold is required.');
  if (input.EvaluationPeriods < 1) throw invalidValue('EvaluationPeriods', input.EvaluationPeriods);
  const toAlarm = input.DatapointsToAlarm ?? input.EvaluationPeriods;
  if (toAlarm < 1 || toAlarm > input.EvaluationPeriods) {
    throw new InvalidParameterValueException('DatapointsToAlarm must be between 1 and EvaluationPeriods.');
  }
  if (input.TreatMissingData !== undefined && !TREAT_MISSING.includes(input.TreatMissingData)) {
    throw invalidValue(
      'TreatMissingData',
      input.TreatMissingData,
      'It must be breaching, notBreaching, ignore or missing.',
    );
  }
  if (input.Metrics !== undefined) checkMetricMathAlarm(input);
  else checkSingleMetricAlarm(input);
}

function checkPeriod(period: number, evaluationPeriods: number, member: string): void {
  if (![10, 20, 30].includes(period) && (period < 60 || period % 60 !== 0)) {
    throw invalidValue(member, period, 'The period must be 10, 20, 30 or a multiple of 60.');
  }
  const limit = period >= 3600 ? 7 * MAX_RANGE_SECONDS : MAX_RANGE_SECONDS;
  if (period * evaluationPeriods > limit) {
    throw new InvalidParameterCombinationException(
      `The evaluation range (Period x EvaluationPeriods = ${period * evaluationPeriods} seconds) must not exceed ${limit} seconds.`,
    );
  }
}

function checkSingleMetricAlarm(input: PutMetricAlarmInput): void {
  if (input.MetricName === undefined || input.Namespace === undefined) {
    throw new MissingRequiredParameterException('MetricName and Namespace are required unless Metrics is given.');
  }
  if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) {
    throw new InvalidParameterCombinationException('Exactly one of Statistic and ExtendedStatistic must be specified.');
  }
  if (input.ExtendedStatistic !== undefined && parseStatistic(input.ExtendedStatistic)?.kind !== 'percentile') {
    throw invalidValue('ExtendedStatistic', input.ExtendedStatistic);
  }
  if (input.Period === undefined) throw new MissingRequiredParameterException('The parameter Period is required.');
  checkPeriod(input.Period, input.EvaluationPeriods!, 'Period');
}

function checkMetricMathAlarm(input: PutMetricAlarmInput): void {
  const single = [
    input.MetricName,
    input.Namespace,
    input.Statistic,
    input.ExtendedStatistic,
    input.Period,
    input.Unit,
  ];
  if (single.some((v) => v !== undefined) || (input.Dimensions ?? []).length > 0) {
    throw new InvalidParameterCombinationException(
      'Metrics may not be given with MetricName, Namespace, Dimensions, Statistic, ExtendedStatistic, Period or Unit.',
    );
  }
  const metrics = input.Metrics!;
  const returned = metrics.filter((m) => m.ReturnData !== false);
  if (returned.length !== 1) {
    throw new InvalidParameterValueException(
      'Exactly one element of the Metrics list must have ReturnData set to true.',
    );
  }
  metrics.forEach((query, i) => checkQuery(query, i));
  const period = returned[0]!.Period ?? returned[0]!.MetricStat?.Period;
  if (period === undefined) throw new MissingRequiredParameterException('The returned metric query needs a Period.');
  checkPeriod(period, input.EvaluationPeriods!, 'Metrics.Period');
}

function checkQuery(query: MetricDataQuery, i: number): void {
  const where = `Metrics.member.${i + 1}`;
  if ((query.Expression === undefined) === (query.MetricStat === undefined)) {
    throw new InvalidParameterValueException(
      `Exactly one of ${where}.MetricStat and ${where}.Expression must be specified.`,
    );
  }
  if (query.MetricStat && !parseStatistic(query.MetricStat.Stat))
    throw invalidValue(`${where}.MetricStat.Stat`, query.MetricStat.Stat);
  if (query.Expression !== undefined) {
    if (query.Expression.length > MAX_EXPRESSION_LENGTH) throw invalidValue(`${where}.Expression`, 'too long');
    try {
      parseExpression(query.Expression);
    } catch (error) {
      if (error instanceof ExpressionError) throw invalidValue(`${where}.Expression`, query.Expression, error.message);
      throw error;
    }
  }
}
