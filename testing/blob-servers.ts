import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { spawnServer, type ServerProcess } from './server-process.ts';

export const BLOB_TEST_CREDENTIALS = {
  accessKeyId: 'AKIABLOBSERVERSTEST1',
  secretAccessKey: 'blob-servers-test-secret-key',
};

/** A server process of a group sharing one PostgreSQL schema, with its own data folder. */
export interface BlobServer {
  readonly process: ServerProcess;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
}

/**
 * Starts `count` server processes on one PostgreSQL schema (BERTH_MULTI_SERVER=on), each with its
 * own data folder but the first one's keys/ and registry-token.key (docs/multi-server.md), for the blob tests. `stop()`
 * kills them and removes their folders.
 */
export async function startBlobServers(
  count: number,
  options: { postgresUrl: string; schema: string; env?: Record<string, string> },
): Promise<{ servers: BlobServer[]; stop: () => Promise<void> }> {
  const url = new URL(options.postgresUrl);
  url.searchParams.set('options', `-c search_path=${options.schema}`);
  const servers: BlobServer[] = [];
  const folders: string[] = [];
  const stop = async (): Promise<void> => {
    for (const server of servers) server.process.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.process.exited));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), `berth-blobs-${i}-`));
      folders.push(dataDir);
      if (i > 0) {
        cpSync(join(folders[0]!, 'keys'), join(dataDir, 'keys'), { recursive: true });
        // Registry passwords and the servers' peer calls are MACs under this key.
        cpSync(join(folders[0]!, 'registry-token.key'), join(dataDir, 'registry-token.key'));
      }
      const process = await spawnServer({
        BERTH_STORE: url.toString(),
        BERTH_MULTI_SERVER: 'on',
        BERTH_DATA_DIR: dataDir,
        BERTH_MANAGED_CAPACITY: 'off',
        BERTH_ROOT_ACCESS_KEY_ID: BLOB_TEST_CREDENTIALS.accessKeyId,
        BERTH_ROOT_SECRET_ACCESS_KEY: BLOB_TEST_CREDENTIALS.secretAccessKey,
        BERTH_LOG_LEVEL: 'info',
        ...options.env,
      });
      servers.push({ process, url: process.url, port: Number(new URL(process.url).port), dataDir });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { servers, stop };
}

/** The registry password GetAuthorizationToken gives (any server's works on every server: shared keys). */
export async function registryPassword(endpoint: string): Promise<string> {
  const ecr = new ECRClient({ endpoint, region: 'us-east-1', credentials: BLOB_TEST_CREDENTIALS, maxAttempts: 1 });
  try {
    const out = await ecr.send(new GetAuthorizationTokenCommand({}));
    return Buffer.from(out.authorizationData![0]!.authorizationToken!, 'base64').toString('utf8').slice('AWS:'.length);
  } finally {
    ecr.destroy();
  }
}
