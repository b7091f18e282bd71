import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAllowedPattern, compileAllowedPattern } from './allowed-pattern.ts';

describe('AllowedPattern', () => {
  it('accepts matching values and refuses the others with SSM errors', () => {
    assert.doesNotThrow(() => checkAllowedPattern('^\\d+$', '12345'));
    assert.throws(() => checkAllowedPattern('^\\d+$', '12a'), { code: 'ParameterPatternMismatchException' } as object);
    assert.throws(() => compileAllowedPattern('(unclosed'), { code: 'InvalidAllowedPatternException' } as object);
    assert.doesNotThrow(() => checkAllowedPattern(undefined, 'anything'));
  });

  it('runs in linear time: a catastrophic pattern for a backtracking engine answers at once', () => {
    // (a+)+$ against 40 a's and a b takes 2^40 steps on a backtracking RegExp.
    const started = performance.now();
    assert.throws(() => checkAllowedPattern('^(a+)+$', `${'a'.repeat(40)}b`), {
      code: 'ParameterPatternMismatchException',
    } as object);
    assert.ok(performance.now() - started < 1000);
  });
});
