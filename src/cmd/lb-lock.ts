import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { LB_PROTOCOL, type LbHello } from '../elb/index.ts';

/** Berth's version, as package.json says (the lb's hello carries it). */
export const BERTH_VERSION = '0.1.0';

/**
 * One `berth lb` per state folder: the lb listens on an abstract Unix socket (Linux) named after the
 * folder's real path. The kernel frees it when the process ends, however it ends, so there is no
 * stale lock to clean; whoever connects reads one JSON line, the LbHello (pid, protocol, version).
 */
export function lockName(stateDir: string): string {
  const hash = createHash('sha256').update(realpathSync(stateDir)).digest('hex').slice(0, 32);
  return `\0berth-lb-${hash}`;
}

export class LbAlreadyRunningError extends Error {
  readonly hello: LbHello | undefined;
  constructor(stateDir: string, hello: LbHello | undefined) {
    super(
      `another berth lb${hello ? ` (pid ${hello.pid}, version ${hello.version})` : ''} already runs with the state folder ${stateDir}`,
    );
    this.hello = hello;
  }
}

/** Takes the state folder's lock; rejects with LbAlreadyRunningError when another lb holds it. */
export async function takeLbLock(stateDir: string): Promise<Server> {
  const hello: LbHello = { pid: process.pid, protocol: LB_PROTOCOL, version: BERTH_VERSION, stateDir };
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end(`${JSON.stringify(hello)}\n`);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(lockName(stateDir), () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new LbAlreadyRunningError(stateDir, await probeLb(stateDir));
  }
  server.unref();
  return server;
}

/** The lb holding the state folder's lock, if one does (answers within 5 s). */
export async function probeLb(stateDir: string): Promise<LbHello | undefined> {
  let name: string;
  try {
    name = lockName(stateDir);
  } catch {
    return undefined; // no folder: no lb
  }
  return new Promise((resolve) => {
    const socket = createConnection(name);
    let text = '';
    const timer = setTimeout(() => finish(undefined), 5_000);
    const finish = (hello: LbHello | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(hello);
    };
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', () => {
      try {
        finish(JSON.parse(text) as LbHello);
      } catch {
        finish(undefined);
      }
    });
    socket.on('error', () => finish(undefined));
  });
}
