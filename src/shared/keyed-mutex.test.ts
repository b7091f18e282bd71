import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedMutex } from './keyed-mutex.ts';

describe('KeyedMutex', () => {
  it('runs work on one key one at a time, in arrival order, and other keys freely', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const step = (name: string) => async () => {
      events.push(`${name}:start`);
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`${name}:end`);
    };
    await Promise.all([mutex.run('a', step('a1')), mutex.run('a', step('a2')), mutex.run('b', step('b1'))]);
    assert.ok(events.indexOf('a1:end') < events.indexOf('a2:start'));
    assert.ok(events.indexOf('b1:start') < events.indexOf('a1:end')); // b did not wait for a
  });

  it('releases the key when the work fails', async () => {
    const mutex = new KeyedMutex();
    await assert.rejects(mutex.run('a', async () => Promise.reject(new Error('boom'))));
    assert.equal(await mutex.run('a', async () => 'next'), 'next');
  });

  it('takes several keys in sorted order, so crossing callers cannot deadlock', async () => {
    const mutex = new KeyedMutex();
    const results = await Promise.all([
      mutex.runAll(['x', 'y'], async () => 1),
      mutex.runAll(['y', 'x'], async () => 2),
      mutex.runAll([], async () => 3),
    ]);
    assert.deepEqual(results, [1, 2, 3]);
  });
});
