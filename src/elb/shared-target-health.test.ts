import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { postgresTestUrl, PostgresTestSchemas } from '../../testing/postgres.ts';
import { SecretBox } from '../shared/secret-box.ts';
import type { TargetHealthView } from './data-plane-contract.ts';
import { chooseHealth, SharedTargetHealth } from './shared-target-health.ts';

const healthy: TargetHealthView[] = [{ id: '10.0.0.1', port: 80, state: 'healthy' }];
const unhealthy: TargetHealthView[] = [
  { id: '10.0.0.1', port: 80, state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' },
];

async function until<T>(read: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('chooseHealth', () => {
  it('takes, per target group, the report of the lb connected longest (rows come oldest lb first)', () => {
    const chosen = chooseHealth([
      { lbId: 'old', targetGroupArn: 'tg-1', targets: healthy, firstSeen: 1 },
      { lbId: 'new', targetGroupArn: 'tg-1', targets: unhealthy, firstSeen: 2 },
      { lbId: 'new', targetGroupArn: 'tg-2', targets: unhealthy, firstSeen: 2 },
    ]);
    assert.deepEqual(chosen.get('tg-1'), healthy);
    assert.deepEqual(chosen.get('tg-2'), unhealthy);
    assert.equal(chosen.get('tg-3'), undefined);
  });
});

const target = postgresTestUrl();

describe('SharedTargetHealth on PostgreSQL: two servers, one health', { skip: 'skip' in target && target.skip }, () => {
  const schemas = 'url' in target ? new PostgresTestSchemas(target.url) : undefined;
  after(() => schemas?.dropAll());

  it("shows on one server what an lb reported to the other, keeps the longest connected lb's, and drops a silent lb's", async () => {
    const schema = schemas!.newSchema();
    const secretBox = SecretBox.ephemeral();
    const a = await schemas!.open({ schema, secretBox, multiServer: true });
    const b = await schemas!.open({ schema, secretBox, multiServer: true });
    const options = { liveMs: 1_500, rewriteMs: 300, refreshMs: 100 };
    const sharedA = new SharedTargetHealth(a.targetHealth, a.changes, options);
    const sharedB = new SharedTargetHealth(b.targetHealth, b.changes, options);
    try {
      // lb-1 reports to A, again and again (as an lb does), until it goes silent below.
      const lb1 = () => sharedA.record('lb-1', { 'tg-1': healthy });
      lb1();
      const lb1Reporting = setInterval(lb1, 100).unref();
      await until(() => sharedB.lookup('tg-1'), 'server B sees the health lb-1 reported to A');
      assert.deepEqual(sharedB.lookup('tg-1'), healthy);
      assert.equal(sharedB.lookup('tg-2'), undefined);

      // A second lb, connected later to B, sees the target otherwise: lb-1's report stands while it is live.
      sharedB.record('lb-2', { 'tg-1': unhealthy });
      const rows = async () => (await b.targetHealth.live(60_000)).map((r) => r.lbId);
      for (let i = 0; i < 200 && (await rows()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await rows(), ['lb-1', 'lb-2']);
      await sharedA.refresh();
      assert.deepEqual(sharedA.lookup('tg-1'), healthy);

      // lb-1 goes silent (its server died with it); lb-2 keeps reporting, and its health is chosen.
      clearInterval(lb1Reporting);
      const keepReporting = setInterval(() => sharedB.record('lb-2', { 'tg-1': unhealthy }), 100);
      try {
        await until(
          () => (sharedA.lookup('tg-1')?.[0]?.state === 'unhealthy' ? true : undefined),
          "server A takes lb-2's health once lb-1's is stale",
        );
      } finally {
        clearInterval(keepReporting);
      }
      // An lb that stops reporting a target group no longer answers for it.
      sharedB.record('lb-2', {});
      await until(() => (sharedA.lookup('tg-1') === undefined ? true : undefined), 'tg-1 unknown again');
    } finally {
      await sharedA.close();
      await sharedB.close();
      await a.close();
      await b.close();
    }
  });
});
