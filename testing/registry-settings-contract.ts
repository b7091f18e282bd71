import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../src/store/index.ts';

/** The MetadataStore's `registrySettings` contract; runStoreContract calls it once per backend. */
export function describeRegistrySettings(store: () => MetadataStore): void {
  describe('registry settings', () => {
    it('answers undefined for a setting never put', async () => {
      assert.equal(await store().registrySettings.get('contract/unset'), undefined);
    });

    it('puts, replaces and gets JSON values', async () => {
      const settings = store().registrySettings;
      await settings.put('contract/value', { scanType: 'BASIC', rules: [{ filters: ['a*'] }] });
      assert.deepEqual(await settings.get('contract/value'), { scanType: 'BASIC', rules: [{ filters: ['a*'] }] });
      await settings.put('contract/value', 'text');
      assert.equal(await settings.get('contract/value'), 'text');
    });

    it('hands out copies: changing what get returned changes nothing stored', async () => {
      const settings = store().registrySettings;
      await settings.put('contract/copy', { rules: [] });
      const value = (await settings.get('contract/copy')) as { rules: unknown[] };
      value.rules.push('changed');
      assert.deepEqual(await settings.get('contract/copy'), { rules: [] });
    });

    it('deletes a setting and answers the value it had, undefined the second time', async () => {
      const settings = store().registrySettings;
      await settings.put('contract/deleted', { policy: 'p' });
      assert.deepEqual(await settings.delete('contract/deleted'), { policy: 'p' });
      assert.equal(await settings.get('contract/deleted'), undefined);
      assert.equal(await settings.delete('contract/deleted'), undefined);
    });
  });
}
