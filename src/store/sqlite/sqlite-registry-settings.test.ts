import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SecretBox } from '../../shared/secret-box.ts';
import { SqliteStore } from './sqlite-store.ts';

describe('SqliteRegistrySettings', () => {
  it('keeps settings across a reopen: the in-memory copy is only a cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-registry-settings-'));
    const secretBox = SecretBox.ephemeral();
    try {
      const path = join(dir, 'berth.sqlite');
      const store = await SqliteStore.open(path, { secretBox });
      await store.registrySettings.put('registry-policy', { policyText: '{}' });
      await store.registrySettings.put('gone', 1);
      await store.registrySettings.delete('gone');
      await store.close();
      const reopened = await SqliteStore.open(path, { secretBox });
      assert.deepEqual(await reopened.registrySettings.get('registry-policy'), { policyText: '{}' });
      assert.equal(await reopened.registrySettings.get('gone'), undefined);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
