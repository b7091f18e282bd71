import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { LifecyclePolicyPreviewInProgressException } from './errors.ts';
import { getLifecyclePolicyPreview, startLifecyclePolicyPreview, type LifecycleDeps } from './lifecycle.ts';

const policy = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
      action: { type: 'expire' },
    },
  ],
});
const context = { accountId: '000000000000', region: 'us-east-1' } as RequestContext;

async function aRepository(details: Record<string, unknown>): Promise<LifecycleDeps> {
  const store = await SqliteStore.open(':memory:');
  await store.repositories.insertIfAbsent({
    name: 'app',
    arn: 'arn:aws:ecr:us-east-1:000000000000:repository/app',
    createdAt: new Date(0),
    details,
  });
  return { store, clock: new FakeClock(new Date(0)) };
}

/** Polls as a client would, each poll a turn of the event loop; the statuses seen, in order. */
async function pollUntilDone(deps: LifecycleDeps): Promise<string[]> {
  const seen: string[] = [];
  for (let polls = 0; polls < 100; polls++) {
    const { status } = await getLifecyclePolicyPreview(deps, { repositoryName: 'app' }, context);
    if (seen.at(-1) !== status) seen.push(status!);
    if (status !== 'IN_PROGRESS') return seen;
    await nextTurn();
  }
  return seen;
}

describe('lifecycle policy previews', () => {
  it('answers IN_PROGRESS, evaluates after the response, then shows COMPLETE', async () => {
    const deps = await aRepository({ lifecyclePolicyText: policy });
    const started = await startLifecyclePolicyPreview(deps, { repositoryName: 'app' }, context);
    assert.equal(started.status, 'IN_PROGRESS');
    // Not evaluated yet: a second preview must wait, in ECR's words.
    await assert.rejects(
      startLifecyclePolicyPreview(deps, { repositoryName: 'app' }, context),
      (error) =>
        error instanceof LifecyclePolicyPreviewInProgressException &&
        error.message === 'The previous lifecycle policy preview request has not completed. Wait and try again.',
    );
    assert.deepEqual(await pollUntilDone(deps), ['IN_PROGRESS', 'COMPLETE']);
    // Done: a new preview may start.
    assert.equal((await startLifecyclePolicyPreview(deps, { repositoryName: 'app' }, context)).status, 'IN_PROGRESS');
  });

  it('evaluates again a preview left IN_PROGRESS by a server that stopped mid-evaluation', async () => {
    const orphan = { id: 'evaluated-by-a-stopped-server', text: policy, status: 'IN_PROGRESS', results: [] };
    const deps = await aRepository({ lifecyclePolicyText: policy, lifecyclePreview: orphan });
    assert.deepEqual(await pollUntilDone(deps), ['IN_PROGRESS', 'COMPLETE']);
    const preview = await getLifecyclePolicyPreview(deps, { repositoryName: 'app' }, context);
    assert.deepEqual(preview.summary, { expiringImageTotalCount: 0 });
    assert.equal(preview.lifecyclePolicyText, policy);
  });

  it('shows a preview stored by an older Berth (no status) as COMPLETE', async () => {
    const deps = await aRepository({ lifecyclePreview: { text: policy, results: [] } });
    assert.deepEqual(await pollUntilDone(deps), ['COMPLETE']);
  });
});
