import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HISTORY_LIMIT, withRetired } from './service-deployment-history.ts';

test('retired deployments go first in the history, which keeps the newest HISTORY_LIMIT', () => {
  const now = new Date(5000);
  assert.equal(withRetired({}, [], now), undefined);
  const first = withRetired({}, [{ id: 'a' }], now)!;
  assert.deepEqual(first, [{ id: 'a', retiredAt: now }]);
  const second = withRetired({ deploymentHistory: first }, [{ id: 'b' }, { id: 'c' }], now)!;
  assert.deepEqual(
    second.map((d) => d.id),
    ['b', 'c', 'a'],
  );
  let history = second;
  for (let i = 0; i < HISTORY_LIMIT; i++)
    history = withRetired({ deploymentHistory: history }, [{ id: `n${i}` }], now)!;
  assert.equal(history.length, HISTORY_LIMIT);
  assert.equal(history[0]!.id, `n${HISTORY_LIMIT - 1}`);
});
