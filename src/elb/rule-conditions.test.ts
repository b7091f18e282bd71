import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCidr, normalizeConditions } from './rule-conditions.ts';
import type { RuleCondition } from './shapes.generated.ts';

describe('normalizeConditions', () => {
  it('shows path-pattern and host-header in both forms, whichever form was given', () => {
    assert.deepEqual(
      normalizeConditions([
        { Field: 'path-pattern', Values: ['/api/*'] },
        { Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } },
      ]),
      [
        { Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } },
        { Field: 'host-header', Values: ['*.example.com'], HostHeaderConfig: { Values: ['*.example.com'] } },
      ],
    );
  });

  it('keeps the other fields in their configuration form', () => {
    const given: RuleCondition[] = [
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['blue'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Team', Values: ['a'] } },
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
      { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } },
    ];
    assert.deepEqual(normalizeConditions(given), given);
  });

  const refused: [string, RuleCondition[], RegExp][] = [
    ['an unknown field', [{ Field: 'cookie', Values: ['a'] }], /must be one of/],
    ['no values', [{ Field: 'path-pattern', Values: [] }], /at least one value/],
    [
      'both forms at once',
      [{ Field: 'path-pattern', Values: ['/a'], PathPatternConfig: { Values: ['/b'] } }],
      /not both/,
    ],
    ['a path with a space', [{ Field: 'path-pattern', Values: ['/a b'] }], /not valid for a 'path-pattern'/],
    ['a host with a slash', [{ Field: 'host-header', Values: ['a/b'] }], /not valid for a 'host-header'/],
    [
      'a lower-case method',
      [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['get'] } }],
      /not valid/,
    ],
    ['legacy values for http-header', [{ Field: 'http-header', Values: ['a'] }], /in its configuration/],
    ['a header without a name', [{ Field: 'http-header', HttpHeaderConfig: { Values: ['a'] } }], /header name/],
    [
      'a query pair without a value',
      [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'k' }] } }],
      /value/,
    ],
    ['an address that is not a CIDR', [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.1'] } }], /not valid/],
    [
      'two path-pattern conditions',
      [
        { Field: 'path-pattern', Values: ['/a'] },
        { Field: 'path-pattern', Values: ['/b'] },
      ],
      /only have one 'path-pattern'/,
    ],
    [
      'six values in all', // 3 + 3 > 5
      [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/a', '/b', '/c'] } },
        { Field: 'host-header', HostHeaderConfig: { Values: ['a', 'b', 'c'] } },
      ],
      /'5' condition values/,
    ],
    ['regular expressions', [{ Field: 'path-pattern', RegexValues: ['^/a$'] }], /regular expression/],
    [
      'two paths in the legacy Values',
      [{ Field: 'path-pattern', Values: ['/a', '/b'] }],
      /^The 'path-pattern' field contains too many values; the limit is '1'$/,
    ],
    [
      'two hosts in the legacy Values',
      [{ Field: 'host-header', Values: ['a.example.com', 'b.example.com'] }],
      /^The 'host-header' field contains too many values; the limit is '1'$/,
    ],
  ];
  for (const [what, conditions, message] of refused) {
    it(`refuses ${what} with ValidationError`, () => {
      assert.throws(
        () => normalizeConditions(conditions),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'ValidationError');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('isCidr', () => {
  for (const [value, valid] of [
    ['10.0.0.0/8', true],
    ['192.168.1.1/32', true],
    ['2001:db8::/32', true],
    ['10.0.0.0/33', false],
    ['10.0.0.0', false],
    ['10.0.0/8', false],
    ['x/8', false],
  ] as const) {
    it(`${value}: ${valid}`, () => assert.equal(isCidr(value), valid));
  }
});
