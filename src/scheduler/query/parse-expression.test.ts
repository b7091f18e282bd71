import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinearRegExp } from '../../shared/linear-regexp.ts';
import { compileWildcard } from '../../shared/wildcard.ts';
import { parseExpression, QueryParseError, type Expression, type Literal, type Subject } from './index.ts';

/** A compact S-expression of the AST: operators by their AWS long names, arguments as JSON. */
function show(expression: Expression): string {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return `(${expression.kind} ${show(expression.left)} ${show(expression.right)})`;
    case 'not':
      return `(not ${show(expression.operand)})`;
    case 'condition': {
      const subject = showSubject(expression.subject);
      if ('argument' in expression) return `(${expression.operator} ${subject} ${showLiteral(expression.argument)})`;
      if ('arguments' in expression) {
        return `(${expression.operator} ${subject} [${expression.arguments.map(showLiteral).join(' ')}])`;
      }
      if ('pattern' in expression) return `(${expression.operator} ${subject} /${expression.pattern}/)`;
      return `(${expression.operator} ${subject})`;
    }
  }
}
const showSubject = (subject: Subject) => (subject.kind === 'attribute' ? `attribute:${subject.name}` : subject.kind);
const showLiteral = (literal: Literal) => JSON.stringify(literal.text);

const attribute = (name: string): Subject => ({ kind: 'attribute', name });

describe('parseExpression', () => {
  const valid: [text: string, ast: string][] = [
    // subjects
    ['attribute:ecs.instance-type == t2.small', '(equals attribute:ecs.instance-type "t2.small")'],
    ['attribute:ecs.capability.task-eni exists', '(exists attribute:ecs.capability.task-eni)'],
    ['attribute:com.example/team_a:tier exists', '(exists attribute:com.example/team_a:tier)'],
    ['agentConnected == false', '(equals agentConnected "false")'],
    ['agentVersion < 1.14.5', '(less_than agentVersion "1.14.5")'],
    ['ec2InstanceId == i-0123456789abcdef0', '(equals ec2InstanceId "i-0123456789abcdef0")'],
    ['registeredAt >= 2018-06-18', '(greater_than_equal registeredAt "2018-06-18")'],
    ['runningTasksCount == 0', '(equals runningTasksCount "0")'],
    ['task:group == service:production', '(equals task:group "service:production")'],
    // every operator spelling, short and long, case-insensitive words
    ['attribute:a == x', '(equals attribute:a "x")'],
    ['attribute:a equals x', '(equals attribute:a "x")'],
    ['attribute:a EQUALS x', '(equals attribute:a "x")'],
    ['attribute:a != x', '(not_equals attribute:a "x")'],
    ['attribute:a not_equals x', '(not_equals attribute:a "x")'],
    ['attribute:a > 1', '(greater_than attribute:a "1")'],
    ['attribute:a greater_than 1', '(greater_than attribute:a "1")'],
    ['attribute:a >= 1', '(greater_than_equal attribute:a "1")'],
    ['attribute:a greater_than_equal 1', '(greater_than_equal attribute:a "1")'],
    ['attribute:a < 1', '(less_than attribute:a "1")'],
    ['attribute:a less_than 1', '(less_than attribute:a "1")'],
    ['attribute:a <= 1', '(less_than_equal attribute:a "1")'],
    ['attribute:a Less_Than_Equal 1', '(less_than_equal attribute:a "1")'],
    ['attribute:a exists', '(exists attribute:a)'],
    ['attribute:a !exists', '(not_exists attribute:a)'],
    ['attribute:a !EXISTS', '(not_exists attribute:a)'],
    ['attribute:a not_exists', '(not_exists attribute:a)'],
    ['attribute:a in (x, y)', '(in attribute:a ["x" "y"])'],
    ['attribute:a IN [x,y,z]', '(in attribute:a ["x" "y" "z"])'],
    ['attribute:a not_in (x)', '(not_in attribute:a ["x"])'],
    ['attribute:a !in [x, y]', '(not_in attribute:a ["x" "y"])'],
    ['attribute:a =~ t2.*', '(matches attribute:a /t2.*/)'],
    ['attribute:a matches t2.*', '(matches attribute:a /t2.*/)'],
    ['attribute:a !~ t2.*', '(not_matches attribute:a /t2.*/)'],
    ['attribute:a not_matches t2.*', '(not_matches attribute:a /t2.*/)'],
    // spacing and arguments
    ['attribute:a==x', '(equals attribute:a "x")'],
    ['  attribute:a\t!=\nx  ', '(not_equals attribute:a "x")'],
    ['runningTasksCount>-1', '(greater_than runningTasksCount "-1")'],
    ['attribute:a == "two words"', '(equals attribute:a "two words")'],
    ["attribute:a == 'it\\'s'", '(equals attribute:a "it\'s")'],
    ['attribute:a == ""', '(equals attribute:a "")'],
    ['attribute:a == and', '(equals attribute:a "and")'],
    ['ec2InstanceId in [\'i-1\', "i-2", i-3]', '(in ec2InstanceId ["i-1" "i-2" "i-3"])'],
    ['registeredAt > 2018-06-18T22:28:28+00:00', '(greater_than registeredAt "2018-06-18T22:28:28+00:00")'],
    // unquoted regular expressions run to whitespace or an unbalanced )
    ['attribute:a =~ ^(t2|t3)\\.[a-z()]+$', '(matches attribute:a /^(t2|t3)\\.[a-z()]+$/)'],
    ['not(attribute:a =~ (m5|c5).*)', '(not (matches attribute:a /(m5|c5).*/))'],
    ["attribute:a =~ 'has space|x\\d'", '(matches attribute:a /has space|x\\d/)'],
    ['attribute:a =~ a\\ b', '(matches attribute:a /a\\ b/)'],
    // compound: not > and > or, left-associative
    ['attribute:a exists and attribute:b exists', '(and (exists attribute:a) (exists attribute:b))'],
    ['attribute:a exists && attribute:b exists', '(and (exists attribute:a) (exists attribute:b))'],
    ['attribute:a exists || attribute:b exists', '(or (exists attribute:a) (exists attribute:b))'],
    ['attribute:a exists OR attribute:b exists', '(or (exists attribute:a) (exists attribute:b))'],
    [
      'attribute:a exists or attribute:b exists and attribute:c exists',
      '(or (exists attribute:a) (and (exists attribute:b) (exists attribute:c)))',
    ],
    [
      'attribute:a exists and attribute:b exists or attribute:c exists',
      '(or (and (exists attribute:a) (exists attribute:b)) (exists attribute:c))',
    ],
    [
      'attribute:a exists and attribute:b exists and attribute:c exists',
      '(and (and (exists attribute:a) (exists attribute:b)) (exists attribute:c))',
    ],
    [
      'attribute:a exists or attribute:b exists or attribute:c exists',
      '(or (or (exists attribute:a) (exists attribute:b)) (exists attribute:c))',
    ],
    [
      '(attribute:a exists or attribute:b exists) and attribute:c exists',
      '(and (or (exists attribute:a) (exists attribute:b)) (exists attribute:c))',
    ],
    ['not attribute:a exists and attribute:b exists', '(and (not (exists attribute:a)) (exists attribute:b))'],
    ['!attribute:a exists', '(not (exists attribute:a))'],
    ['!(task:group == database)', '(not (equals task:group "database"))'],
    ['NOT not attribute:a exists', '(not (not (exists attribute:a)))'],
    ['!!attribute:a exists', '(not (not (exists attribute:a)))'],
    ['((attribute:a exists))', '(exists attribute:a)'],
    [
      'task:group == service:web and not (attribute:ecs.os-type == windows || runningTasksCount > 10)',
      '(and (equals task:group "service:web") (not (or (equals attribute:ecs.os-type "windows") (greater_than runningTasksCount "10"))))',
    ],
  ];
  for (const [text, ast] of valid) {
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(show(parseExpression(text)), ast));
  }

  it('compiles wildcards of ==, !=, in and not_in, and only those', () => {
    assert.deepEqual(parseExpression('attribute:ecs.instance-type == t2.*'), {
      kind: 'condition',
      subject: attribute('ecs.instance-type'),
      operator: 'equals',
      argument: { text: 't2.*', wildcard: compileWildcard('t2.*') },
    });
    assert.deepEqual(parseExpression('task:group not_in (service:*, "family:a+b*")'), {
      kind: 'condition',
      subject: { kind: 'task:group' },
      operator: 'not_in',
      arguments: [
        { text: 'service:*', wildcard: compileWildcard('service:*') },
        { text: 'family:a+b*', wildcard: compileWildcard('family:a+b*') },
      ],
    });
    assert.deepEqual(parseExpression('attribute:a > x*'), {
      kind: 'condition',
      subject: attribute('a'),
      operator: 'greater_than',
      argument: { text: 'x*' },
    });
  });

  it('parses numbers, agent versions and registeredAt dates once', () => {
    const argument = (text: string) => (parseExpression(text) as { argument: Literal }).argument;
    const table: [text: string, literal: Literal][] = [
      ['runningTasksCount <= 10', { text: '10', number: 10 }],
      ['attribute:gpus > 1.5e1', { text: '1.5e1', number: 15 }],
      ['attribute:a == -0.5', { text: '-0.5', number: -0.5 }],
      ['agentVersion >= 1.14.5', { text: '1.14.5', version: [1, 14, 5] }],
      ['agentVersion >= 2', { text: '2', number: 2, version: [2] }],
      ['agentVersion >= latest', { text: 'latest' }],
      ['attribute:a >= 1.14.5', { text: '1.14.5' }], // versions are an agentVersion reading only
      ['registeredAt < 2018-06-18', { text: '2018-06-18', time: Date.UTC(2018, 5, 18) }],
      [
        'registeredAt < 2018-06-18T22:28:28Z',
        { text: '2018-06-18T22:28:28Z', time: Date.UTC(2018, 5, 18, 22, 28, 28) },
      ],
      // no offset means UTC, whatever the machine's time zone
      ['registeredAt < 2018-06-18T22:28:28', { text: '2018-06-18T22:28:28', time: Date.UTC(2018, 5, 18, 22, 28, 28) }],
      [
        'registeredAt < 2018-06-18T22:28:28+02:00',
        { text: '2018-06-18T22:28:28+02:00', time: Date.UTC(2018, 5, 18, 20, 28, 28) },
      ],
      ['registeredAt == "2018-06-18T22:28:28.250Z"', { text: '2018-06-18T22:28:28.250Z', time: 1529360908250 }],
      ['registeredAt > 1529360908', { text: '1529360908', time: 1529360908000 }], // epoch seconds
    ];
    for (const [text, literal] of table) assert.deepEqual(argument(text), literal, text);
  });

  it('compiles =~ and !~ anchored to the whole value', () => {
    assert.deepEqual(parseExpression('ec2InstanceId !~ i-0.*|i-1.*'), {
      kind: 'condition',
      subject: { kind: 'ec2InstanceId' },
      operator: 'not_matches',
      pattern: 'i-0.*|i-1.*',
      regex: new LinearRegExp('i-0.*|i-1.*', { whole: true }),
    });
  });

  it('builds the documented AST shape for compound expressions', () => {
    const exists = (name: string): Expression => ({ kind: 'condition', subject: attribute(name), operator: 'exists' });
    assert.deepEqual(parseExpression('!attribute:a exists || attribute:b exists && attribute:c exists'), {
      kind: 'or',
      left: { kind: 'not', operand: exists('a') },
      right: { kind: 'and', left: exists('b'), right: exists('c') },
    });
  });

  const condition =
    "a condition (attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt, runningTasksCount or task:group), 'not' or '('";
  const operator = 'an operator (==, !=, >, >=, <, <=, exists, !exists, in, not_in, =~, !~)';
  const argument = 'an argument (a word or a quoted string)';
  const attributeName = "an attribute name (letters, digits, '.', '-', '_', '/', ':')";
  const list = 'an argument list, like (a, b) or [a, b]';
  const date =
    'a date (2018-06-18T22:28:28Z, 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28, 2018-06-18 or epoch seconds)';
  const orEnd = 'and (&&), or (||) or the end of the expression';
  const orClose = 'and (&&), or (||) or )';
  const errors: [text: string, expected: string, position: number][] = [
    // where a condition belongs
    ['', condition, 0],
    ['   ', condition, 3],
    ['instanceType == t2.small', condition, 0],
    ['AgentConnected == true', condition, 0], // subjects are case-sensitive
    ['"attribute:a" exists', condition, 0],
    ['== x', condition, 0],
    ['attribute:a exists and', condition, 22],
    ['attribute:a exists or or attribute:b exists', condition, 22],
    ['not', condition, 3],
    ['!', condition, 1],
    ['()', condition, 1],
    ['attribute:a exists and )', condition, 23],
    // attribute names
    ['attribute: == x', attributeName, 10],
    ['attribute:a*b exists', attributeName, 11],
    ['attribute:ecs.gpu+ exists', attributeName, 17],
    // operators
    ['attribute:a', operator, 11],
    ['task:group', operator, 10],
    ['attribute:a = x', operator, 12],
    ['attribute:a === x', argument, 14], // == then a stray =
    ['attribute:a like x', operator, 12],
    ['attribute:a ! exists', operator, 12],
    ['attribute:a !existsx', operator, 12],
    ['attribute:a & x', operator, 12],
    ['attribute:a ~= x', operator, 12],
    ['attribute:ecs.availability-zone == us-east-1a and attribute:b x', operator, 62],
    // arguments
    ['attribute:a ==', argument, 14],
    ['attribute:a == )', argument, 15],
    ['attribute:a == (x)', argument, 15],
    ['attribute:a > ,', argument, 14],
    ['attribute:a == x y', orEnd, 17],
    ['attribute:a exists x', orEnd, 19],
    ['attribute:a == "x', 'a closing "', 17],
    ["attribute:a == 'x\\'", "a closing '", 19],
    // argument lists
    ['attribute:a in x', list, 15],
    ['attribute:a in', list, 14],
    ['attribute:a in ()', argument, 16],
    ['attribute:a in (x,)', argument, 18],
    ['attribute:a in (x y)', ', or )', 18],
    ['attribute:a in (x]', ', or )', 17],
    ['attribute:a in [x)', ', or ]', 17],
    ['attribute:a in (x', ', or )', 17],
    // regular expressions
    ['attribute:a =~', 'a regular expression', 14],
    ['attribute:a =~ ', 'a regular expression', 15],
    ['(attribute:a =~ )', 'a regular expression', 16],
    ['attribute:a =~ "(t2"', 'a valid regular expression', 15],
    ['attribute:a !~ [a-', 'a valid regular expression', 15],
    ['attribute:a =~ x{2,1}', 'a valid regular expression', 15],
    ['attribute:a =~ (a)\\1', 'a valid regular expression', 15], // RE2: no backreferences
    ['attribute:a =~ a(?=b)', 'a valid regular expression', 15], // nor lookaround
    // dates
    ['registeredAt > yesterday', date, 15],
    ['registeredAt > 2018-13-01', date, 15],
    ['registeredAt > 2018-02-30', date, 15],
    ['registeredAt == 2018-06-18T22:28:28+0000', date, 16],
    ['registeredAt in (2018-06-18, 18/06/2018)', date, 29],
    // parentheses and what follows a condition
    ['(attribute:a exists', orClose, 19],
    ['((attribute:a exists)', orClose, 21],
    ['(attribute:a exists x', orClose, 20],
    ['attribute:a exists)', orEnd, 18],
    ['attribute:a exists (attribute:b exists)', orEnd, 19],
    ['attribute:a =~ (a|b).*)', orEnd, 22],
    ['attribute:a exists & attribute:b exists', orEnd, 19],
    ['attribute:a exists | attribute:b exists', orEnd, 19],
    ['attribute:a exists $', orEnd, 19],
    // length
    [`attribute:a in (${'x,'.repeat(991)}xy)`, 'at most 2000 characters', 2000], // 2001 characters
  ];
  for (const [text, expected, position] of errors) {
    it(`rejects ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)} at ${position}`, () => {
      assert.throws(
        () => parseExpression(text),
        (error: unknown) => {
          assert.ok(error instanceof QueryParseError);
          assert.equal(error.position, position);
          assert.equal(error.expected, expected);
          assert.ok(error.message.startsWith(`Expected ${expected} at position ${position}`), error.message);
          return true;
        },
      );
    });
  }

  it('says exactly what it expected, with the position', () => {
    assert.throws(() => parseExpression('attribute:ecs.os-type = linux'), {
      name: 'QueryParseError',
      message: 'Expected an operator (==, !=, >, >=, <, <=, exists, !exists, in, not_in, =~, !~) at position 22',
    });
    assert.throws(() => parseExpression('attribute:a =~ "(t2"'), {
      message: 'Expected a valid regular expression at position 15: error parsing regexp: missing closing ): `(t2`',
    });
  });

  it('accepts an expression of exactly 2000 characters', () => {
    const text = `attribute:a in (${'x,'.repeat(990)}xyz)`;
    assert.equal(text.length, 2000);
    assert.equal(show(parseExpression(text)).length > 0, true);
  });
});
