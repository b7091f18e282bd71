import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectInstances, shuffle } from './discover.ts';

/** A fixed sequence of draws: what makes the shuffles below repeatable. */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

const instances = [
  { id: 'a', attributes: { version: 'v1', az: '1a' }, health: 'HEALTHY' as const },
  { id: 'b', attributes: { version: 'v1', az: '1b' }, health: 'UNHEALTHY' as const },
  { id: 'c', attributes: { version: 'v2', az: '1a' }, health: 'HEALTHY' as const },
];
const ids = (list: readonly { id: string }[]) => list.map((i) => i.id).sort();

describe('DiscoverInstances selection', () => {
  it('keeps instances matching every query parameter, and prefers those matching the optional ones if any do', () => {
    const query = (more: object) => ids(selectInstances(instances, { healthChecked: true, ...more }, Math.random));
    assert.deepEqual(query({ queryParameters: { version: 'v1' } }), ['a', 'b']);
    assert.deepEqual(query({ queryParameters: { version: 'v1', az: '1b' } }), ['b']);
    assert.deepEqual(query({ queryParameters: { version: 'v1' }, optionalParameters: { az: '1a' } }), ['a']);
    // No instance matches the optional parameters: they are ignored.
    assert.deepEqual(query({ queryParameters: { version: 'v1' }, optionalParameters: { az: '1c' } }), ['a', 'b']);
  });

  it('filters by health, fails open on request, and ignores health for services without a health check', () => {
    const query = (healthStatus: string | undefined, healthChecked = true, from = instances) =>
      ids(selectInstances(from, { healthChecked, ...(healthStatus ? { healthStatus } : {}) } as never, Math.random));
    assert.deepEqual(query('HEALTHY'), ['a', 'c']);
    assert.deepEqual(query('UNHEALTHY'), ['b']);
    assert.deepEqual(query('ALL'), ['a', 'b', 'c']);
    assert.deepEqual(query(undefined), ['a', 'b', 'c']);
    const sick = instances.map((i) => ({ ...i, health: 'UNHEALTHY' as const }));
    assert.deepEqual(query('HEALTHY', true, sick), []);
    assert.deepEqual(query('HEALTHY_OR_ELSE_ALL', true, sick), ['a', 'b', 'c']);
    assert.deepEqual(query('HEALTHY', false, sick), ['a', 'b', 'c']);
  });

  it('returns MaxResults of them in random order', () => {
    assert.equal(selectInstances(instances, { healthChecked: false, maxResults: 2 }, Math.random).length, 2);
    // Fisher–Yates from the end: i=2 swaps with floor(0.9·3)=2, i=1 with floor(0·2)=0 → b, a, c.
    assert.deepEqual(shuffle(['a', 'b', 'c'], draws(0.9, 0)), ['b', 'a', 'c']);
  });
});
