import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateLogGroupCommand, CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createUser } from '../../testing/iam-users.ts';
import { RegistryClient } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/** Every folder and file under `dir` (not following symbolic links), with its permission bits. */
function modes(dir: string): Map<string, { mode: number; kind: 'dir' | 'file' | 'link' }> {
  const found = new Map<string, { mode: number; kind: 'dir' | 'file' | 'link' }>();
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const entry = join(path, name);
      const stats = lstatSync(entry);
      const kind = stats.isSymbolicLink() ? 'link' : stats.isDirectory() ? 'dir' : 'file';
      found.set(entry.slice(dir.length + 1), { mode: stats.mode & 0o7777, kind });
      if (kind === 'dir') walk(entry);
    }
  };
  walk(dir);
  return found;
}

function assertPrivate(dir: string): void {
  assert.equal(lstatSync(dir).mode & 0o7777, 0o700, 'the data folder');
  const entries = modes(dir);
  assert.ok(entries.size > 5);
  for (const [path, { mode, kind }] of entries) {
    if (kind === 'link') continue;
    assert.equal(mode.toString(8), (kind === 'dir' ? 0o700 : 0o600).toString(8), `${kind} ${path}`);
  }
}

/** Writes through every store the server has: metadata, registry blobs, S3 objects, logs, a user. */
async function useEveryStore(server: TestServer): Promise<{ userSecret: string }> {
  const ecr = new ECRClient({ endpoint: server.url, region: server.region, credentials: server.credentials });
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'private' }));
  const { client } = await RegistryClient.forServer(server, ecr);
  await client.pushBlob('private', 'layer bytes');
  const started = await client.request('POST', '/v2/private/blobs/uploads/'); // left open: an upload file
  assert.equal(started.status, 202);
  ecr.destroy();
  const logs = new CloudWatchLogsClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.credentials,
  });
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'private' }));
  logs.destroy();
  const s3 = new S3Client({
    endpoint: server.url,
    region: server.region,
    forcePathStyle: true,
    credentials: server.credentials,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'private' }));
  await s3.send(new PutObjectCommand({ Bucket: 'private', Key: 'k', Body: 'object bytes' }));
  s3.destroy();
  const created = await createUser(server, 'alice');
  return { userSecret: created.secretAccessKey };
}

describe('the data folder', () => {
  let server: TestServer;
  let userSecret: string;
  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    ({ userSecret } = await useEveryStore(server));
  });
  after(async () => {
    await server.stop();
  });

  it('holds only 0700 folders and 0600 files', () => {
    assertPrivate(server.dataDir);
    assert.ok(modes(server.dataDir).has(join('keys', 'master.key')));
  });

  it('holds no secret access key in plain text outside keys/ (root or user)', () => {
    for (const [path, { kind }] of modes(server.dataDir)) {
      if (kind !== 'file' || path.startsWith('keys')) continue;
      const bytes = readFileSync(join(server.dataDir, path));
      for (const secret of [server.credentials.secretAccessKey, userSecret])
        assert.equal(bytes.indexOf(secret), -1, `a secret in ${path}`);
    }
  });
});

describe('a data folder an older version left open to everyone', () => {
  let dataDir: string;
  let outside: string;
  before(async () => {
    const first = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    await useEveryStore(first);
    await first.close();
    dataDir = first.dataDir;
    for (const [path, { kind }] of modes(dataDir)) chmodSync(join(dataDir, path), kind === 'dir' ? 0o755 : 0o644);
    chmodSync(dataDir, 0o755);
    // A link to a file elsewhere: the repair must neither follow nor change it.
    outside = mkdtempSync(join(tmpdir(), 'berth-outside-'));
    writeFileSync(join(outside, 'shared.txt'), 'not ours', { mode: 0o644 });
    chmodSync(join(outside, 'shared.txt'), 0o644);
    symlinkSync(join(outside, 'shared.txt'), join(dataDir, 'link-to-elsewhere'));
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('is made private again on start, without following symbolic links', async () => {
    const server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { dataDir });
    try {
      assertPrivate(dataDir);
      assert.equal(lstatSync(join(outside, 'shared.txt')).mode & 0o777, 0o644);
    } finally {
      await server.close();
    }
  });
});
