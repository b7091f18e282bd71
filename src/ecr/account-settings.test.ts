import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { getAccountSetting, putAccountSetting } from './account-settings.ts';
import { InvalidParameterException } from './errors.ts';

describe('ECR account settings', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
  });
  afterEach(() => store.close());

  it('answers the defaults until a value is put', async () => {
    const values = await Promise.all(
      ['BASIC_SCAN_TYPE_VERSION', 'REGISTRY_POLICY_SCOPE', 'BLOB_MOUNTING'].map((name) =>
        getAccountSetting({ store }, { name }),
      ),
    );
    assert.deepEqual(values, [
      { name: 'BASIC_SCAN_TYPE_VERSION', value: 'AWS_NATIVE' },
      { name: 'REGISTRY_POLICY_SCOPE', value: 'V2' },
      { name: 'BLOB_MOUNTING', value: 'ENABLED' },
    ]);
  });

  it('stores the values ECR accepts', async () => {
    assert.deepEqual(await putAccountSetting({ store }, { name: 'BLOB_MOUNTING', value: 'DISABLED' }), {
      name: 'BLOB_MOUNTING',
      value: 'DISABLED',
    });
    assert.deepEqual(await getAccountSetting({ store }, { name: 'BLOB_MOUNTING' }), {
      name: 'BLOB_MOUNTING',
      value: 'DISABLED',
    });
    await putAccountSetting({ store }, { name: 'REGISTRY_POLICY_SCOPE', value: 'V2' });
  });

  const refused: [string, string, RegExp][] = [
    ['NOT_A_SETTING', 'x', /at 'name'.*\[BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING\]/],
    ['REGISTRY_POLICY_SCOPE', 'V1', /at 'value'.*V1 is retired/],
    ['BASIC_SCAN_TYPE_VERSION', 'CLAIR', /at 'value'.*Clair is retired/],
    ['BLOB_MOUNTING', 'MAYBE', /at 'value'.*enum value set: \[ENABLED, DISABLED\]/],
  ];
  for (const [name, value, message] of refused) {
    it(`refuses ${name}=${value}`, async () => {
      await assert.rejects(
        putAccountSetting({ store }, { name, value }),
        (error: Error) => error instanceof InvalidParameterException && message.test(error.message),
      );
    });
  }
});
