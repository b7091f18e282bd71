import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteAccountSettingCommand,
  ECSClient,
  ListAccountSettingsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
} from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../../testing/server.ts';

describe('ECS account settings with the AWS SDK v3', () => {
  let server: TestServer;
  let ecs: ECSClient;
  const root = 'arn:aws:iam::000000000000:root';
  const bob = 'arn:aws:iam::000000000000:user/bob';
  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  it("reports AWS's defaults as aws_managed effective settings", async () => {
    const out = await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true, name: 'containerInsights' }));
    assert.deepEqual(out.settings, [
      { name: 'containerInsights', value: 'disabled', principalArn: root, type: 'aws_managed' },
    ]);
  });

  it('applies a principal setting over the account default, and removes it', async () => {
    await ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enabled' }));
    await ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enhanced', principalArn: bob }));
    const forBob = await ecs.send(
      new ListAccountSettingsCommand({ effectiveSettings: true, name: 'containerInsights', principalArn: bob }),
    );
    assert.equal(forBob.settings?.[0]?.value, 'enhanced');
    const forRoot = await ecs.send(
      new ListAccountSettingsCommand({ effectiveSettings: true, name: 'containerInsights' }),
    );
    assert.equal(forRoot.settings?.[0]?.value, 'enabled');
    const deleted = await ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights', principalArn: bob }));
    assert.equal(deleted.setting?.value, 'enhanced');
    const fallback = await ecs.send(
      new ListAccountSettingsCommand({ effectiveSettings: true, name: 'containerInsights', principalArn: bob }),
    );
    assert.deepEqual(fallback.settings?.[0], {
      name: 'containerInsights',
      value: 'enabled',
      principalArn: root,
      type: 'user',
    });
  });

  it('refuses a value the setting does not take, and pages the effective list by 10', async () => {
    await assert.rejects(ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'maybe' })), {
      name: 'InvalidParameterException',
    });
    const first = await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
    assert.equal(first.settings?.length, 10);
    const second = await ecs.send(
      new ListAccountSettingsCommand({ effectiveSettings: true, nextToken: first.nextToken }),
    );
    assert.equal(second.settings?.length, 1); // 11 settings in all
  });
});
