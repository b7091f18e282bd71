import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../store/index.ts';
import { placeManagedCopies, runsOnCapacity, spreadOverCapacities } from './managed-capacities.ts';

/** A FARGATE task record as placement and polls read it: only its reservation matters here. */
const placedOn = (capacity?: string): TaskRecord =>
  ({ reservation: { cpu: 256, memory: 512, gpus: 0, tcpPorts: [], udpPorts: [], capacity } }) as never;

describe('managed capacities among several servers', () => {
  it('spreads copies to the capacity running the fewest, counting the copies placed before', () => {
    // a 2, b 0, c 1 → b (b 1); b and c tie at 1, b first → b (b 2); c 1 → c; a, b, c tie at 2 → a
    assert.deepEqual(
      spreadOverCapacities(
        ['a', 'b', 'c'],
        new Map([
          ['a', 2],
          ['c', 1],
        ]),
        4,
      ),
      ['b', 'b', 'c', 'a'],
    );
    assert.deepEqual(spreadOverCapacities(['a', 'b'], new Map(), 3), ['a', 'b', 'a']);
    assert.deepEqual(spreadOverCapacities([], new Map(), 2), []);
  });

  it('places nothing without a roster, or with no live capacity (the single server case)', async () => {
    const store = { tasks: { unstopped: async () => [placedOn('a'), placedOn('a'), placedOn()] } };
    assert.deepEqual(await placeManagedCopies({ store }, 2), [undefined, undefined]);
    const none = { live: () => [], lost: () => false };
    assert.deepEqual(await placeManagedCopies({ store, managedCapacities: none }, 1), [undefined]);
    const two = { live: () => ['a', 'b'], lost: () => false };
    assert.deepEqual(await placeManagedCopies({ store, managedCapacities: two }, 3), ['b', 'b', 'a']);
  });

  it('a capacity runs what was placed on it, and what was placed on none', () => {
    assert.equal(runsOnCapacity(placedOn('a'), 'a'), true);
    assert.equal(runsOnCapacity(placedOn('a'), 'b'), false);
    assert.equal(runsOnCapacity(placedOn(), 'b'), true);
    assert.equal(runsOnCapacity(placedOn('a'), undefined), true, 'a server alone runs every FARGATE task');
    assert.equal(runsOnCapacity(placedOn('a'), ''), false, 'a server whose engine is unavailable: unplaced only');
  });
});
