import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SsmParameterVersionRecord } from '../store/index.ts';
import { isValidLabel, planLabels, planUnlabel, versionOf } from './labels.ts';

function v(version: number, labels: string[] = []): SsmParameterVersionRecord {
  return {
    version,
    value: 'x',
    labels,
    modifiedAt: new Date(0),
    details: { type: 'String', tier: 'Standard', dataType: 'text', lastModifiedUser: 'root' },
  };
}

describe('labels', () => {
  it('follows AWS label rules', () => {
    assert.equal(isValidLabel('prod'), true);
    assert.equal(isValidLabel('release-1.2_x'), true);
    assert.equal(isValidLabel('1st'), false); // starts with a digit
    assert.equal(isValidLabel('AWSlabel'), false);
    assert.equal(isValidLabel('ssm'), false);
    assert.equal(isValidLabel('has space'), false);
    assert.equal(isValidLabel('x'.repeat(101)), false);
  });

  it('moves a label from the version that had it, and reports invalid ones', () => {
    const plan = planLabels('/p', [v(1, ['prod']), v(2)], ['prod', '9bad'], 2);
    assert.equal(plan.version, 2);
    assert.deepEqual(plan.invalid, ['9bad']);
    assert.deepEqual(
      plan.changed.map((c) => [c.version, c.labels]),
      [
        [1, []],
        [2, ['prod']],
      ],
    );
  });

  it('labels the newest version when none is named, and at most 10 per version', () => {
    assert.equal(planLabels('/p', [v(1), v(2)], ['a'], undefined).version, 2);
    const ten = Array.from({ length: 10 }, (_, i) => `l${i}`);
    assert.throws(() => planLabels('/p', [v(1, ten)], ['eleven'], 1), {
      code: 'ParameterVersionLabelLimitExceeded',
    } as object);
    // 10 already there, one re-applied: still 10.
    assert.equal(planLabels('/p', [v(1, ten)], ['l3'], 1).changed.length, 0);
    assert.throws(() => planLabels('/p', [v(1)], ['a'], 7), { code: 'ParameterVersionNotFound' } as object);
  });

  it('unlabels what the version carries; the rest is invalid', () => {
    const plan = planUnlabel('/p', [v(1, ['a', 'b'])], ['a', 'zz'], 1);
    assert.deepEqual([plan.removed, plan.invalid, plan.changed[0]?.labels], [['a'], ['zz'], ['b']]);
  });

  it('selects versions by number or label', () => {
    const versions = [v(1, ['old']), v(2)];
    assert.equal(versionOf(versions, { kind: 'label', label: 'old' })?.version, 1);
    assert.equal(versionOf(versions, { kind: 'version', version: 2 })?.version, 2);
    assert.equal(versionOf(versions, { kind: 'version', version: 3 }), undefined);
  });
});
