import assert from 'node:assert/strict';
import { CreateBucketCommand, PutObjectCommand, S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ServiceException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient, ECRServiceException } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, ECSServiceException } from '@aws-sdk/client-ecs';
import { startServer } from '../../src/cmd/server.ts';
import { parseServerConfig } from '../../src/shared/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { RegistryClient, sha256 } from '../../testing/registry-client.ts';
import type { TestServer } from '../../testing/server.ts';

/*
 * A full data volume, two ways. On a real one (an 8 MiB tmpfs: room for the store's schema and WAL
 * and, once freed, a 3 MiB layer) when this process may mount it: as root, which CI is; there (CI=true) a failed mount fails the test instead of skipping it, so CI
 * always proves the real thing. And always with ENOSPC and SQLITE_FULL injected where Node hands
 * them to Berth (FileHandle writes, node:sqlite write statements), which runs anywhere.
 */

const FULL = /data volume is full/;

interface Volume {
  readonly dir: string;
  fill(): void;
  free(): void;
  dispose(): void;
}

function mountTmpfs(): Volume | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'berth-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (process.env.CI === 'true') throw new Error('CI must run the tmpfs test, and mount failed', { cause: error });
    return undefined;
  }
  const filler = join(dir, 'filler');
  // If the suite never runs (filtered out) or dies half-way, the mount still goes with the process.
  process.once('exit', () => {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      // already unmounted
    }
  });
  return {
    dir,
    fill() {
      // Chunk by chunk until the volume refuses: it is then full to the last block.
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; ; i++) {
        try {
          writeFileSync(`${filler}-${i}`, chunk);
        } catch (error) {
          assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
          break;
        }
      }
      for (const size of [4096, 512, 1]) {
        try {
          for (let i = 0; ; i++) writeFileSync(`${filler}-tail-${size}-${i}`, Buffer.alloc(size));
        } catch {
          // full at this granularity
        }
      }
    },
    free() {
      for (const name of readdirSync(dir)) if (name.startsWith('filler')) rmSync(join(dir, name));
    },
    dispose() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** ENOSPC from every FileHandle write and SQLITE_FULL from every SQL write while `full` is set. */
async function injectedVolume(): Promise<Volume> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-full-'));
  let full = false;
  const enospc = (): Error =>
    Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    });
  const probe = await open(join(dir, 'probe'), 'w');
  const handle = Object.getPrototypeOf(probe) as Record<'write' | 'writev', (...args: unknown[]) => Promise<unknown>>;
  await probe.close();
  const statement = Object.getPrototypeOf(new DatabaseSync(':memory:').prepare('SELECT 1')) as StatementSync;
  const originals = { write: handle.write, writev: handle.writev, run: statement.run, all: statement.all };
  for (const name of ['write', 'writev'] as const) {
    const original = originals[name];
    handle[name] = function (this: unknown, ...args: unknown[]) {
      return full ? Promise.reject(enospc()) : original.apply(this, args);
    };
  }
  const isWrite = (sql: string): boolean => /^\s*(insert|update|delete|replace)\b/i.test(sql);
  const sqliteFull = (): Error =>
    Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
  for (const name of ['run', 'all'] as const) {
    const original = originals[name] as (...args: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[name] = function (this: StatementSync, ...args: unknown[]) {
      if (full && isWrite(this.sourceSQL)) throw sqliteFull();
      return original.apply(this, args);
    };
  }
  return {
    dir,
    fill: () => (full = true),
    free: () => (full = false),
    dispose() {
      Object.assign(handle, { write: originals.write, writev: originals.writev });
      Object.assign(statement, { run: originals.run, all: originals.all });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Total bytes of the registry's upload files: what pushes in progress hold on disk. */
function uploadBytes(dataDir: string): number {
  const uploads = join(dataDir, 'registry', 'uploads');
  try {
    return readdirSync(uploads).reduce((sum, name) => sum + statSync(join(uploads, name)).size, 0);
  } catch {
    return 0;
  }
}

function runScenario(volume: () => Promise<Volume>): void {
  let server: TestServer;
  let ecr: ECRClient;
  let ecs: ECSClient;
  let registry: RegistryClient;
  let dataDir: string;
  const readyz = async (): Promise<number> => (await fetch(`${server.url}/readyz`)).status;
  const clientOptions = () => ({
    endpoint: server.url,
    region: server.region,
    credentials: server.credentials,
    maxAttempts: 1,
  });

  before(async () => {
    const mounted = await volume();
    dataDir = join(mounted.dir, 'data');
    mkdirSync(dataDir);
    const config = parseServerConfig([], {
      BERTH_PORT: '0',
      BERTH_TLS_PORT: 'off',
      BERTH_DATA_DIR: dataDir,
      BERTH_MANAGED_CAPACITY: 'off',
      // The server's own storage is under test: no berth lb keeping its files open on the volume.
      BERTH_LB: 'in-process',
    });
    const options = { logger: createLogger('silent'), announce: () => {}, dataVolumeProbeMs: 50 };
    const running = await startServer(config, options).catch((error: unknown) => {
      mounted.dispose();
      throw error;
    });
    server = {
      ...running,
      dataDir,
      region: config.region,
      stop: async () => {
        await running.close();
        mounted.dispose();
      },
    };
    ecr = new ECRClient(clientOptions());
    ecs = new ECSClient(clientOptions());
    registry = (await RegistryClient.forServer(server, ecr)).client;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    const s3 = new S3Client({ ...clientOptions(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'files' }));
    s3.destroy();
    Object.assign(server, { fill: () => mounted.fill(), free: () => mounted.free() });
  });
  after(async () => {
    ecr?.destroy();
    ecs?.destroy();
    await server?.stop();
  });

  it('answers 503 with a clear message while full, keeps nothing partial, and recovers without a restart', async () => {
    const { fill, free } = server as unknown as { fill(): void; free(): void };
    assert.equal(await readyz(), 200);
    fill();

    // The registry: a push that cannot be stored is UNAVAILABLE (503), and leaves no bytes behind.
    const layer = randomBytes(3 * 1024 * 1024);
    const push = await registry.request('POST', `/v2/app/blobs/uploads/?digest=${sha256(layer)}`, {
      body: layer,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(push.status, 503);
    assert.equal(push.errorCode, 'UNAVAILABLE');
    assert.match(String((push.json?.errors as { message: string }[])[0]?.message), FULL);
    assert.equal(uploadBytes(dataDir), 0);

    // The AWS APIs: ServiceUnavailableException (503). SQLite may still fit a few small writes in
    // WAL space it already holds, so write until the volume is out of room for them too.
    const failureOf = async (call: (i: number) => Promise<unknown>): Promise<unknown> => {
      for (let i = 0; i < 1000; i++) {
        try {
          await call(i);
        } catch (error) {
          return error;
        }
      }
      assert.fail('never failed on a full volume');
    };
    const repositoryFailure = await failureOf((i) =>
      ecr.send(new CreateRepositoryCommand({ repositoryName: `while-full-${i}` })),
    );
    assert.ok(repositoryFailure instanceof ECRServiceException, String(repositoryFailure));
    assert.equal(repositoryFailure.name, 'ServiceUnavailableException');
    assert.equal(repositoryFailure.$metadata.httpStatusCode, 503);
    assert.match(repositoryFailure.message, FULL);
    const clusterFailure = await failureOf((i) => ecs.send(new CreateClusterCommand({ clusterName: `full-${i}` })));
    assert.ok(clusterFailure instanceof ECSServiceException, String(clusterFailure));
    assert.equal(clusterFailure.$metadata.httpStatusCode, 503);
    assert.match(clusterFailure.message, FULL);
    // S3 and the query protocol's ELBv2: their own names for it, ServiceUnavailable, with 503.
    const s3 = new S3Client({ ...clientOptions(), forcePathStyle: true });
    const objectFailure = await failureOf((i) =>
      s3.send(new PutObjectCommand({ Bucket: 'files', Key: `full-${i}`, Body: layer })),
    );
    assert.equal((objectFailure as S3ServiceException).name, 'ServiceUnavailable');
    assert.equal((objectFailure as S3ServiceException).$metadata.httpStatusCode, 503);
    const elb = new ElasticLoadBalancingV2Client(clientOptions());
    const groupFailure = await failureOf((i) =>
      elb.send(new CreateTargetGroupCommand({ Name: `full-${i}`, Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1' })),
    );
    assert.equal((groupFailure as ElasticLoadBalancingV2ServiceException).$metadata.httpStatusCode, 503);
    assert.match(String((groupFailure as Error).message), FULL);
    s3.destroy();
    elb.destroy();
    await until('/readyz says not ready', async () => (await readyz()) === 503);

    free();
    await until('/readyz says ready again', async () => (await readyz()) === 200);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'after' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'after' }));
    const digest = await registry.pushBlob('after', layer);
    assert.deepEqual((await registry.request('GET', `/v2/after/blobs/${digest}`)).body, layer);
  });
}

const tmpfs = mountTmpfs();
describe('a full data volume (tmpfs)', { skip: tmpfs ? false : 'cannot mount a tmpfs here (not root?)' }, () => {
  runScenario(async () => tmpfs!);
});

describe('a full data volume (ENOSPC and SQLITE_FULL injected)', () => {
  runScenario(() => injectedVolume());
});
