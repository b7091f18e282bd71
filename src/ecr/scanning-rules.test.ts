import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repositoryScanning, scanningFilterMatches } from './scanning-rules.ts';
import type { RegistryScanningConfiguration } from './shapes.generated.ts';

describe('scanning filters', () => {
  // ECR's user guide, "Filters to choose which repositories are scanned": filters down the side,
  // repository names across.
  const names = ['prod', 'repo-prod', 'prod-repo', 'repo-prod-repo', 'prodrepo'];
  const table: [string, boolean[]][] = [
    ['prod', [true, true, true, true, true]], // no wildcard: the name contains the filter
    ['*prod', [true, true, false, false, false]],
    ['prod*', [true, false, true, false, true]],
    ['*prod*', [true, true, true, true, true]],
    ['prod*repo', [false, false, true, false, true]],
  ];
  for (const [filter, expected] of table) {
    it(`${filter}: ${expected.map((e, i) => `${names[i]}=${e ? 'yes' : 'no'}`).join(' ')}`, () => {
      assert.deepEqual(
        names.map((name) => scanningFilterMatches(filter, name)),
        expected,
      );
    });
  }

  it('matches in linear time a filter that would make a backtracking RegExp hang', () => {
    const filter = `${'a*'.repeat(60)}b`;
    const started = performance.now();
    assert.equal(scanningFilterMatches(filter, 'a'.repeat(256)), false);
    assert.ok(performance.now() - started < 1000);
  });
});

describe('repositoryScanning', () => {
  const onPush = { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'prod', filterType: 'WILDCARD' }] };
  const config = (...rules: object[]) => ({ scanType: 'BASIC', rules }) as RegistryScanningConfiguration;

  it('scans a repository no filter matches manually, with no filter applied', () => {
    assert.deepEqual(repositoryScanning(config(onPush), 'dev/app'), {
      scanFrequency: 'MANUAL',
      appliedScanFilters: [],
    });
    assert.deepEqual(repositoryScanning(config(), 'prod'), { scanFrequency: 'MANUAL', appliedScanFilters: [] });
  });

  it("applies the matching rule's frequency and names the filters that matched", () => {
    const rule = {
      scanFrequency: 'SCAN_ON_PUSH',
      repositoryFilters: [
        { filter: 'prod', filterType: 'WILDCARD' },
        { filter: 'team/*', filterType: 'WILDCARD' },
      ],
    };
    assert.deepEqual(repositoryScanning(config(rule), 'team/prod-api'), {
      scanFrequency: 'SCAN_ON_PUSH',
      appliedScanFilters: rule.repositoryFilters,
    });
    assert.deepEqual(repositoryScanning(config(rule), 'team/web').appliedScanFilters, [rule.repositoryFilters[1]]);
  });

  it('prefers continuous scanning, then scan on push, over manual when rules overlap', () => {
    const manual = { scanFrequency: 'MANUAL', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] };
    const continuous = { ...onPush, scanFrequency: 'CONTINUOUS_SCAN' };
    assert.equal(repositoryScanning(config(manual, onPush), 'prod').scanFrequency, 'SCAN_ON_PUSH');
    assert.equal(repositoryScanning(config(onPush, continuous), 'prod').scanFrequency, 'CONTINUOUS_SCAN');
    assert.equal(repositoryScanning(config(manual, onPush), 'dev').scanFrequency, 'MANUAL');
  });
});
