import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresTestSchemas } from './postgres.ts';
import { spawnServer, type ServerProcess } from './server-process.ts';

/** The root keys every server of a group is started with. */
export const GROUP_CREDENTIALS = {
  accessKeyId: 'AKIAMULTISERVERTEST1',
  secretAccessKey: 'multi-server-test-secret-key',
} as const;

/** A loopback port free now (opened on port 0, then closed): a server restarted on it keeps its URL. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Several `berth server` processes on one PostgreSQL schema of their own (BERTH_MULTI_SERVER=on),
 * each with its data folder; the folders share the first one's keys (secrets are sealed with its
 * master key). A server can be killed and started again on the same port and folder.
 */
export class ServerGroup {
  readonly schemas: PostgresTestSchemas;
  readonly schema: string;
  readonly servers: (ServerProcess | undefined)[] = [];
  readonly #url: string;
  readonly #env: Record<string, string>;
  readonly #folders: string[] = [];
  readonly #ports: number[] = [];

  constructor(postgresUrl: string, env: Record<string, string> = {}) {
    this.#url = postgresUrl;
    this.#env = env;
    this.schemas = new PostgresTestSchemas(postgresUrl);
    this.schema = this.schemas.newSchema();
  }

  /** Creates the schema and starts `count` servers, one after the other (the first migrates). */
  async start(count: number): Promise<void> {
    await this.schemas.query(`create schema "${this.schema}"`);
    for (let index = 0; index < count; index++) await this.startServer(index);
  }

  /** Starts server `index` (again, after a kill: same folder and port). */
  async startServer(index: number): Promise<ServerProcess> {
    this.#folders[index] ??= mkdtempSync(join(tmpdir(), `berth-multi-${index}-`));
    this.#ports[index] ??= await freeLoopbackPort();
    const folder = this.#folders[index];
    if (index > 0 && !existsSync(join(folder, 'keys'))) {
      cpSync(join(this.#folders[0]!, 'keys'), join(folder, 'keys'), { recursive: true });
    }
    const store = new URL(this.#url);
    store.searchParams.set('options', `-c search_path=${this.schema}`);
    const server = await spawnServer({
      BERTH_STORE: store.toString(),
      BERTH_MULTI_SERVER: 'on',
      BERTH_DATA_DIR: folder,
      BERTH_PORT: String(this.#ports[index]),
      BERTH_MANAGED_CAPACITY: 'off',
      BERTH_ROOT_ACCESS_KEY_ID: GROUP_CREDENTIALS.accessKeyId,
      BERTH_ROOT_SECRET_ACCESS_KEY: GROUP_CREDENTIALS.secretAccessKey,
      BERTH_LOG_LEVEL: 'info',
      ...this.#env,
    });
    this.servers[index] = server;
    return server;
  }

  server(index: number): ServerProcess {
    const server = this.servers[index];
    assert.ok(server, `server ${index} is not running`);
    return server;
  }

  /** kill -9 of server `index`; resolves once it has exited. */
  async kill(index: number): Promise<void> {
    const server = this.server(index);
    server.child.kill('SIGKILL');
    await server.exited;
    this.servers[index] = undefined;
  }

  /** The lease's row (holder, epoch), if any. */
  async lease(name: string): Promise<{ holder: string; epoch: number } | undefined> {
    const [row] = await this.schemas.query<{ holder: string; epoch: string }>(
      `select holder, epoch from "${this.schema}".leases where name = $1 and expires_at > extract(epoch from clock_timestamp()) * 1000`,
      [name],
    );
    return row && { holder: row.holder, epoch: Number(row.epoch) };
  }

  /** Which running server holds the lease now (holders are named host:pid:random), or -1. */
  async holderOf(name: string): Promise<number> {
    const lease = await this.lease(name);
    const pid = lease && Number(lease.holder.split(':').at(-2));
    return this.servers.findIndex((server) => server !== undefined && server.child.pid === pid);
  }

  async close(): Promise<void> {
    for (const server of this.servers) server?.child.kill('SIGKILL');
    await Promise.all(this.servers.map((server) => server?.exited));
    await this.schemas.dropAll();
    for (const folder of this.#folders) rmSync(folder, { recursive: true, force: true });
  }
}
