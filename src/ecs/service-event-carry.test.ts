import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ServiceRecord } from '../store/index.ts';
import { replaceKeepingTaskEvents, taskEventsAdded } from './service-event-carry.ts';

const event = (id: string, message: string) => ({ id, createdAt: 0 as unknown as Date, message });
const old = event('e0', '(service web) has reached a steady state.');
const started = event('e1', '(service web) has started 1 tasks: (task a1).');
const completed = event('e2', '(service web) (deployment ecs-svc/1) deployment completed.');
const registered = event('e3', '(service web) registered 1 targets in (target-group arn:tg/web/1)');
const draining = event('e4', '(service web) has begun draining connections on 1 tasks.');

async function aService(): Promise<{ store: SqliteStore; record: ServiceRecord }> {
  const store = await SqliteStore.open(':memory:');
  const record: ServiceRecord = {
    cluster: 'c',
    name: 'web',
    arn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
    status: 'ACTIVE',
    createdAt: new Date(1_000),
    body: { desiredCount: 1, events: [old] },
  };
  await store.services.insert(record);
  return { store, record: (await store.services.get('c', ['web']))[0]! };
}

describe('a scheduler pass that loses its compare-and-set', () => {
  it('picks the events that tell of tasks and their targets among those the pass added', () => {
    assert.deepEqual(taskEventsAdded([old], [completed, started, old]), [started]);
    assert.deepEqual(taskEventsAdded([old, started], [started, old]), []);
    assert.deepEqual(taskEventsAdded([old], [registered, draining, completed, old]), [registered, draining]);
  });

  it('writes the pass whole when nothing changed meanwhile', async () => {
    const { store, record } = await aService();
    const next = { ...record, body: { desiredCount: 1, events: [started, old] } };
    assert.equal(await replaceKeepingTaskEvents(store.services, record, next), true);
    assert.deepEqual((await store.services.get('c', ['web']))[0]!.body, next.body);
  });

  it('keeps an UpdateService made during the pass, and adds the task events to it', async () => {
    const { store, record } = await aService();
    // UpdateService, between the pass's read and its write.
    await store.services.replace(record, { ...record, body: { desiredCount: 5, events: [old] } });
    const pass = { ...record, body: { desiredCount: 1, events: [completed, started, old] } };
    assert.equal(await replaceKeepingTaskEvents(store.services, record, pass), false);
    // The update stands; the started event is not lost; the rollout is left to the next pass.
    assert.deepEqual((await store.services.get('c', ['web']))[0]!.body, { desiredCount: 5, events: [started, old] });
  });

  it('adds nothing to another service created under the same name meanwhile', async () => {
    const { store, record } = await aService();
    await store.services.update({ ...record, status: 'INACTIVE' });
    const again = { ...record, createdAt: new Date(2_000), body: { desiredCount: 2, events: [] } };
    assert.equal(await store.services.insert(again), true);
    const pass = { ...record, body: { desiredCount: 1, events: [started, old] } };
    assert.equal(await replaceKeepingTaskEvents(store.services, record, pass), false);
    assert.deepEqual((await store.services.get('c', ['web']))[0]!.body, { desiredCount: 2, events: [] });
  });
});
