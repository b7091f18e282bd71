import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateExpression, parseExpression, type EvaluationTarget } from './index.ts';

const instance = (
  attributes: Record<string, string | undefined> = {},
  fields: Partial<Omit<EvaluationTarget, 'attributes'>> = {},
): EvaluationTarget => ({
  attributes: new Map(Object.entries(attributes)),
  agentConnected: true,
  runningTasksCount: 0,
  taskGroups: [],
  ...fields,
});

const t2 = instance({
  'ecs.instance-type': 't2.micro',
  'ecs.availability-zone': 'us-east-1a',
  'ecs.os-type': 'linux',
  'ecs.capability.task-eni': undefined, // exists without a value
  stack: 'prod',
  gpus: '8',
  weight: '10',
});
const bare = instance({}, { agentConnected: false });
const full = instance(
  {},
  {
    agentVersion: '1.14.5',
    ec2InstanceId: 'i-0abc',
    registeredAt: new Date('2018-06-18T22:28:28Z'),
    runningTasksCount: 3,
    taskGroups: ['service:web', 'family:batch', 'service:web'],
  },
);

describe('evaluateExpression', () => {
  const table: [expression: string, target: EvaluationTarget, expected: boolean][] = [
    // == and != are string (in)equality; * is a wildcard
    ['attribute:ecs.instance-type == t2.micro', t2, true],
    ['attribute:ecs.instance-type == t2.small', t2, false],
    ['attribute:ecs.instance-type == T2.MICRO', t2, false], // values are case-sensitive
    ['attribute:ecs.instance-type == t2.*', t2, true],
    ['attribute:ecs.instance-type == *.micro', t2, true],
    ['attribute:ecs.instance-type == t*o', t2, true],
    ['attribute:ecs.instance-type == *', t2, true],
    ['attribute:ecs.instance-type == t3.*', t2, false],
    ['attribute:ecs.instance-type == t2', t2, false], // no implicit prefix match
    ['attribute:ecs.instance-type == "t2.*"', t2, true], // quoting does not escape *
    ['attribute:ecs.instance-type == "t2?micro*"', t2, false], // only * is special
    ['attribute:ecs.instance-type != t2.micro', t2, false],
    ['attribute:ecs.instance-type != t3.*', t2, true],
    ['attribute:weight == 10.0', t2, false], // string equality for attributes
    // ordering: numbers numerically, otherwise by code unit
    ['attribute:gpus > 4', t2, true], // 8 > 4 (lexically "8" > "4" too)
    ['attribute:weight > 9', t2, true], // 10 > 9 numerically; lexically "10" < "9"
    ['attribute:weight >= 10', t2, true],
    ['attribute:weight < 10', t2, false],
    ['attribute:weight <= 1e1', t2, true],
    ['attribute:stack > alpha', t2, true], // "prod" > "alpha"
    ['attribute:stack < prod', t2, false],
    ['attribute:stack <= prod', t2, true],
    ['attribute:weight > abc', t2, false], // "10" < "abc": one side is not a number
    ['attribute:stack > 5', t2, true], // "prod" > "5"
    // in / not_in
    ['attribute:ecs.availability-zone in (us-east-1a, us-east-1b)', t2, true],
    ['attribute:ecs.availability-zone in [us-east-1b, us-east-1c]', t2, false],
    ['attribute:ecs.availability-zone in (us-west-*, us-east-*)', t2, true],
    ['attribute:ecs.availability-zone not_in (us-east-1b)', t2, true],
    ['attribute:ecs.availability-zone !in (us-east-1a, us-east-1b)', t2, false],
    // =~ / !~ match the whole value
    ['attribute:ecs.instance-type =~ t2\\..*', t2, true],
    ['attribute:ecs.instance-type =~ t2', t2, false],
    ['attribute:ecs.instance-type =~ micro', t2, false],
    ['attribute:ecs.instance-type =~ .*micro', t2, true],
    ['attribute:ecs.instance-type =~ ^(t2|t3)\\.(micro|nano)$', t2, true],
    ['attribute:ecs.instance-type =~ t3.*|t2.*', t2, true], // alternation stays inside the anchors
    ["attribute:ecs.instance-type !~ 'm5.*'", t2, true],
    ['attribute:ecs.instance-type !~ t2.*', t2, false],
    // exists
    ['attribute:ecs.os-type exists', t2, true],
    ['attribute:ecs.os-type !exists', t2, false],
    // an attribute without a value exists, but has no value to compare
    ['attribute:ecs.capability.task-eni exists', t2, true],
    ['attribute:ecs.capability.task-eni not_exists', t2, false],
    ['attribute:ecs.capability.task-eni == x', t2, false],
    ['attribute:ecs.capability.task-eni != x', t2, true],
    ['attribute:ecs.capability.task-eni == ""', t2, false],
    ['attribute:ecs.capability.task-eni =~ .*', t2, false],
    // a missing attribute satisfies only the negative operators
    ['attribute:missing exists', t2, false],
    ['attribute:missing !exists', t2, true],
    ['attribute:missing == x', t2, false],
    ['attribute:missing == *', t2, false],
    ['attribute:missing != x', t2, true],
    ['attribute:missing in (x)', t2, false],
    ['attribute:missing not_in (x)', t2, true],
    ['attribute:missing > 0', t2, false],
    ['attribute:missing >= 0', t2, false],
    ['attribute:missing < 0', t2, false],
    ['attribute:missing <= 0', t2, false],
    ['attribute:missing =~ .*', t2, false],
    ['attribute:missing !~ .*', t2, true],
    // agentConnected reads as true / false
    ['agentConnected == true', t2, true],
    ['agentConnected == false', bare, true],
    ['agentConnected != true', bare, true],
    ['agentConnected in (false)', bare, true],
    ['agentConnected =~ t.*', t2, true],
    ['agentConnected exists', bare, true],
    // agentVersion compares as a dotted version
    ['agentVersion > 1.9.0', full, true], // 14 > 9, although "1.14.5" < "1.9.0" lexically
    ['agentVersion >= 1.14.5', full, true],
    ['agentVersion >= 1.14', full, true], // 1.14 = 1.14.0 <= 1.14.5
    ['agentVersion < 1.14.10', full, true],
    ['agentVersion <= 1.14.4', full, false],
    ['agentVersion < 2', full, true],
    ['agentVersion == 1.14.5', full, true],
    ['agentVersion == 1.14.*', full, true],
    ['agentVersion != 1.14.5', full, false],
    ['agentVersion exists', bare, false],
    ['agentVersion < 2', bare, false],
    ['agentVersion != 1.14.5', bare, true],
    // ec2InstanceId
    ['ec2InstanceId == i-0abc', full, true],
    ["ec2InstanceId in ['i-1', 'i-0abc']", full, true],
    ['ec2InstanceId =~ i-0[a-f0-9]+', full, true],
    ['ec2InstanceId not_in (i-0abc)', full, false],
    ['ec2InstanceId exists', bare, false],
    ['ec2InstanceId not_in (i-0abc)', bare, true],
    // registeredAt compares instants, whatever format the argument uses
    ['registeredAt == 2018-06-18T22:28:28Z', full, true],
    ['registeredAt == 2018-06-19T00:28:28+02:00', full, true], // the same instant
    ['registeredAt == 1529360908', full, true], // epoch seconds
    ['registeredAt != 2018-06-18T22:28:28', full, false],
    ['registeredAt > 2018-06-18', full, true],
    ['registeredAt < 2018-06-19', full, true],
    ['registeredAt >= 2018-06-18T22:28:29Z', full, false],
    ['registeredAt <= 2018-06-18T22:28:28.000Z', full, true],
    ['registeredAt in (2018-01-01, 2018-06-18T22:28:28Z)', full, true],
    ['registeredAt =~ 2018-06-18T.*', full, true], // matches the ISO 8601 text
    ['registeredAt > 2018-01-01', bare, false],
    ['registeredAt !exists', bare, true],
    ['registeredAt > 2018-01-01', instance({}, { registeredAt: new Date(Number.NaN) }), false],
    // runningTasksCount compares numerically
    ['runningTasksCount == 3', full, true],
    ['runningTasksCount == 3.0', full, true],
    ['runningTasksCount == 03', full, true],
    ['runningTasksCount > 2', full, true],
    ['runningTasksCount > 20', full, false], // "3" > "20" lexically, 3 < 20 numerically
    ['runningTasksCount <= 3', full, true],
    ['runningTasksCount < 1', bare, true],
    ['runningTasksCount in (0, 1)', bare, true],
    ['runningTasksCount exists', bare, true],
    ['runningTasksCount == *', full, true],
    // task:group holds when any task's group satisfies the condition
    ['task:group == service:web', full, true],
    ['task:group == family:batch', full, true],
    ['task:group == service:api', full, false],
    ['task:group == service:*', full, true],
    ['task:group != service:web', full, true], // family:batch != service:web
    ['task:group != service:web', instance({}, { taskGroups: ['service:web'] }), false],
    ['task:group in (service:api, family:batch)', full, true],
    ['task:group not_in (service:web, family:batch)', full, false],
    ['task:group =~ service:.*', full, true],
    ['task:group !~ service:.*', full, true], // family:batch does not match
    ['task:group exists', full, true],
    ['task:group !exists', full, false],
    ['not (task:group == service:web)', full, false],
    // no tasks: a missing subject
    ['task:group exists', bare, false],
    ['task:group !exists', bare, true],
    ['task:group == service:web', bare, false],
    ['task:group != service:web', bare, true],
    ['task:group not_in (service:web)', bare, true],
    ['not (task:group == service:web)', bare, true],
    // compound expressions
    ['attribute:ecs.os-type == linux and attribute:stack == prod', t2, true],
    ['attribute:ecs.os-type == linux && attribute:stack == dev', t2, false],
    ['attribute:ecs.os-type == windows or attribute:stack == prod', t2, true],
    ['attribute:ecs.os-type == windows || attribute:stack == dev', t2, false],
    ['not attribute:ecs.os-type == windows', t2, true],
    ['!attribute:ecs.os-type == linux', t2, false],
    // not binds tighter than and, and tighter than or
    ['not attribute:stack == dev and attribute:gpus > 16', t2, false], // (not false) and false
    ['not (attribute:stack == dev and attribute:gpus > 16)', t2, true],
    ['attribute:stack == prod or attribute:gpus > 16 and attribute:stack == dev', t2, true], // true or (false and false)
    ['(attribute:stack == prod or attribute:gpus > 16) and attribute:stack == dev', t2, false],
    [
      'attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone in [us-east-1a, us-east-1b] and not(task:group == service:web)',
      t2,
      true,
    ],
  ];
  for (const [text, target, expected] of table) {
    const name = target === t2 ? 't2' : target === bare ? 'bare' : target === full ? 'full' : 'instance';
    it(`${text} → ${expected} (${name})`, () =>
      assert.equal(evaluateExpression(parseExpression(text), target), expected));
  }

  it('matches in linear time: =~ on RE2, * without backtracking', () => {
    // Each would take longer than a lifetime as a backtracking RegExp on this value.
    const long = instance({ a: 'a'.repeat(64 * 1024) + '!' });
    assert.equal(evaluateExpression(parseExpression('attribute:a =~ (a+)+b'), long), false);
    assert.equal(evaluateExpression(parseExpression('attribute:a =~ (a|aa)*!'), long), true);
    assert.equal(evaluateExpression(parseExpression(`attribute:a == ${'*a'.repeat(20)}*b`), long), false);
    assert.equal(evaluateExpression(parseExpression(`attribute:a == "${'*a'.repeat(20)}*!"`), long), true);
  });

  it('evaluates one parsed expression against many instances', () => {
    const expression = parseExpression(
      'attribute:ecs.instance-type == t2.* and runningTasksCount < 5 and not (task:group == service:web)',
    );
    const instances = Array.from({ length: 5000 }, (_, i) =>
      instance(
        { 'ecs.instance-type': i % 2 === 0 ? 't2.micro' : 'm5.large' },
        { runningTasksCount: i % 10, taskGroups: i % 3 === 0 ? ['service:web'] : [] },
      ),
    );
    // even, i % 10 < 5, and not a multiple of 3
    const expected = instances.filter((_, i) => i % 2 === 0 && i % 10 < 5 && i % 3 !== 0).length;
    assert.equal(instances.filter((target) => evaluateExpression(expression, target)).length, expected);
  });
});
