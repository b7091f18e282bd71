import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionBudget, FALLBACK_MAX_CONNECTIONS, maxConnectionsFor, openFileLimit } from './connection-limits.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

test('the soft descriptor limit comes from /proc/self/limits', () => {
  assert.equal(openFileLimit(LIMITS), 20_000);
  assert.equal(
    openFileLimit(LIMITS.replace('20000                20000', 'unlimited            unlimited')),
    undefined,
  );
  assert.equal(openFileLimit('no such line'), undefined);
});

test('all listeners together leave a quarter of the descriptors (at least 256), two per connection', () => {
  const cases: [number | undefined, number][] = [
    [20_000, 7_500], // (20,000 - 5,000) / 2
    [1_048_576, 393_216], // (1,048,576 - 262,144) / 2
    [1_024, 384], // (1,024 - 256) / 2
    [256, 1], // (256 - 256) / 2 = 0, but never less than one
    [undefined, FALLBACK_MAX_CONNECTIONS],
  ];
  for (const [limit, expected] of cases) assert.equal(maxConnectionsFor(limit), expected, String(limit));
});

test('a connection budget hands out its places and takes them back', () => {
  const budget = new ConnectionBudget(2);
  assert.deepEqual([budget.take(), budget.take(), budget.take()], [true, true, false]);
  budget.give();
  assert.equal(budget.take(), true);
  assert.equal(budget.open, 2);
});
