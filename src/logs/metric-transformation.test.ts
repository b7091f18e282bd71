import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMetricFilter, compileMetricFilter, testMetricFilter } from './metric-transformation.ts';
import type { MetricTransformation } from './shapes.generated.ts';

const t = (overrides: Partial<MetricTransformation> = {}): MetricTransformation => ({
  metricName: 'Errors',
  metricNamespace: 'App',
  metricValue: '1',
  ...overrides,
});

describe('checkMetricFilter', () => {
  const refused: { name: string; pattern: string; transformation: MetricTransformation; message: RegExp }[] = [
    {
      name: 'AWS/ namespace',
      pattern: 'ERROR',
      transformation: t({ metricNamespace: 'AWS/ECS' }),
      message: /reserved/,
    },
    { name: '* in the name', pattern: 'ERROR', transformation: t({ metricName: 'a*' }), message: /metricName/ },
    { name: 'not a number', pattern: 'ERROR', transformation: t({ metricValue: 'one' }), message: /metricValue/ },
    {
      name: '$.field with a term pattern',
      pattern: 'ERROR',
      transformation: t({ metricValue: '$.n' }),
      message: /JSON pattern/,
    },
    {
      name: '$name (space-delimited)',
      pattern: '{ $.a = 1 }',
      transformation: t({ metricValue: '$size' }),
      message: /space-delimited/,
    },
    {
      name: 'four dimensions',
      pattern: '{ $.a = 1 }',
      transformation: t({ dimensions: { a: '$.a', b: '$.b', c: '$.c', d: '$.d' } }),
      message: /at most 3/,
    },
    {
      name: 'dimensions with a defaultValue',
      pattern: '{ $.a = 1 }',
      transformation: t({ dimensions: { a: '$.a' }, defaultValue: 0 }),
      message: /defaultValue/,
    },
    {
      name: 'a literal dimension',
      pattern: '{ $.a = 1 }',
      transformation: t({ dimensions: { a: 'x' } }),
      message: /space-delimited/,
    },
    { name: 'a bad pattern', pattern: '{ $.a = }', transformation: t(), message: /./ },
  ];
  for (const { name, pattern, transformation, message } of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => checkMetricFilter(pattern, [transformation]),
        (error: Error & { code?: string }) => error.code === 'InvalidParameterException' && message.test(error.message),
      );
    });
  }
  it('accepts a JSON value with dimensions, and a constant with a default', () => {
    checkMetricFilter('{ $.latency > 0 }', [t({ metricValue: '$.latency', dimensions: { Path: '$.req.path' } })]);
    checkMetricFilter('ERROR', [t({ defaultValue: 0 })]);
  });
});

describe('compileMetricFilter', () => {
  const filter = (pattern: string, transformation: MetricTransformation) =>
    compileMetricFilter({
      filterName: 'f',
      filterPattern: pattern,
      metricTransformations: [transformation],
      creationTime: 0,
    });

  it('gives the value on a match and the defaultValue otherwise', () => {
    const datumOf = filter('ERROR', t({ defaultValue: 0, unit: 'Count' }));
    assert.deepEqual(datumOf('ERROR boom'), {
      namespace: 'App',
      metricName: 'Errors',
      unit: 'Count',
      value: 1,
      dimensions: [],
    });
    assert.equal(datumOf('all good')?.value, 0);
    assert.equal(filter('ERROR', t())('all good'), undefined); // no defaultValue: nothing
  });

  it('reads the value and dimensions from JSON fields', () => {
    const datumOf = filter(
      '{ $.latency > 0 }',
      t({ metricValue: '$.latency', unit: 'Milliseconds', dimensions: { Path: '$.req.path' } }),
    );
    assert.deepEqual(datumOf('{"latency":123,"req":{"path":"/a"}}'), {
      namespace: 'App',
      metricName: 'Errors',
      unit: 'Milliseconds',
      value: 123,
      dimensions: [{ Name: 'Path', Value: '/a' }],
    });
    assert.equal(datumOf('{"latency":5}'), undefined, 'a missing dimension field gives nothing');
    assert.equal(datumOf('{"latency":0,"req":{"path":"/a"}}'), undefined, 'no match, no default');
  });

  it('takes numeric strings as values and skips the rest', () => {
    const datumOf = filter('{ $.level = "info" }', t({ metricValue: '$.bytes' }));
    assert.equal(datumOf('{"level":"info","bytes":"2048"}')?.value, 2048);
    assert.equal(datumOf('{"level":"info","bytes":"many"}'), undefined);
  });
});

describe('testMetricFilter', () => {
  it('numbers the matches from 1 and extracts the JSON fields the pattern tests', () => {
    const messages = [
      '{"latency":123,"path":"/a"}',
      '{"latency":0}',
      'not json',
      '{"latency":7.5,"path":"/b","n":{"x":1}}',
    ];
    assert.deepEqual(testMetricFilter('{ $.latency > 0 && $.path = * }', messages), [
      { eventNumber: 1, eventMessage: messages[0], extractedValues: { '$.latency': '123', '$.path': '/a' } },
      { eventNumber: 4, eventMessage: messages[3], extractedValues: { '$.latency': '7.5', '$.path': '/b' } },
    ]);
  });
  it('answers term matches with no extracted values', () => {
    assert.deepEqual(testMetricFilter('ERROR -retry', ['ERROR x', 'ERROR retry', 'ok']), [
      { eventNumber: 1, eventMessage: 'ERROR x', extractedValues: {} },
    ]);
  });
});
