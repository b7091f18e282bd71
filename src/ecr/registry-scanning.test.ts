import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RequestContext } from '../shared/request-context.ts';
import { rootPrincipal } from '../shared/principal.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { InvalidParameterException } from './errors.ts';
import {
  batchGetRepositoryScanningConfiguration,
  getRegistryScanningConfiguration,
  putRegistryScanningConfiguration,
  scansOnPush,
} from './registry-scanning.ts';

const context: RequestContext = {
  requestId: 'r',
  accountId: '123456789012',
  region: 'eu-west-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('123456789012'),
};
const onPush = {
  scanFrequency: 'SCAN_ON_PUSH' as const,
  repositoryFilters: [{ filter: 'prod', filterType: 'WILDCARD' as const }],
};

describe('registry scanning configuration', () => {
  let store: SqliteStore;
  const repository = async (name: string, scanOnPush: boolean) =>
    (
      await store.repositories.insertIfAbsent({
        name,
        arn: `arn:aws:ecr:eu-west-1:123456789012:repository/${name}`,
        createdAt: new Date(0),
        details: { imageScanningConfiguration: { scanOnPush } },
      })
    ).record;
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
  });
  afterEach(() => store.close());

  it('is BASIC without rules until one is put, and answers what was put', async () => {
    assert.deepEqual(await getRegistryScanningConfiguration({ store }, context), {
      registryId: '123456789012',
      scanningConfiguration: { scanType: 'BASIC', rules: [] },
    });
    assert.deepEqual(await putRegistryScanningConfiguration({ store }, { scanType: 'BASIC', rules: [onPush] }), {
      registryScanningConfiguration: { scanType: 'BASIC', rules: [onPush] },
    });
    assert.deepEqual((await getRegistryScanningConfiguration({ store }, context)).scanningConfiguration, {
      scanType: 'BASIC',
      rules: [onPush],
    });
  });

  it('refuses ENHANCED scanning, which needs Amazon Inspector, and continuous scans with BASIC', async () => {
    await assert.rejects(
      putRegistryScanningConfiguration({ store }, { scanType: 'ENHANCED', rules: [onPush] }),
      (error: Error) =>
        error instanceof InvalidParameterException && /at 'scanType'.*Amazon Inspector/.test(error.message),
    );
    await assert.rejects(
      putRegistryScanningConfiguration({ store }, { rules: [{ ...onPush, scanFrequency: 'CONTINUOUS_SCAN' }] }),
      (error: Error) =>
        error instanceof InvalidParameterException && /at 'rules.1.member.scanFrequency'/.test(error.message),
    );
    assert.equal((await getRegistryScanningConfiguration({ store }, context)).scanningConfiguration?.rules?.length, 0);
  });

  it("answers each repository's frequency, filters and own scanOnPush, and the repositories it lacks", async () => {
    await repository('team/prod-api', false);
    await repository('dev', true);
    await putRegistryScanningConfiguration({ store }, { scanType: 'BASIC', rules: [onPush] });
    const out = await batchGetRepositoryScanningConfiguration(
      { store },
      { repositoryNames: ['team/prod-api', 'dev', 'missing'] },
      context,
    );
    assert.deepEqual(out.scanningConfigurations, [
      {
        repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/prod-api',
        repositoryName: 'team/prod-api',
        scanOnPush: false,
        scanFrequency: 'SCAN_ON_PUSH',
        appliedScanFilters: onPush.repositoryFilters,
      },
      {
        repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/dev',
        repositoryName: 'dev',
        scanOnPush: true,
        scanFrequency: 'MANUAL',
        appliedScanFilters: [],
      },
    ]);
    assert.deepEqual(out.failures, [
      {
        repositoryName: 'missing',
        failureCode: 'REPOSITORY_NOT_FOUND',
        failureReason: "The repository with name 'missing' does not exist in the registry with id '123456789012'",
      },
    ]);
  });

  it("scans on push where a SCAN_ON_PUSH rule matches or the repository's own setting says so", async () => {
    const prod = await repository('prod', false);
    const dev = await repository('dev', false);
    const own = await repository('own', true);
    assert.deepEqual(
      [await scansOnPush(store, prod), await scansOnPush(store, dev), await scansOnPush(store, own)],
      [false, false, true],
    );
    await putRegistryScanningConfiguration({ store }, { rules: [onPush] });
    assert.deepEqual(
      [await scansOnPush(store, prod), await scansOnPush(store, dev), await scansOnPush(store, own)],
      [true, false, true],
    );
  });
});
