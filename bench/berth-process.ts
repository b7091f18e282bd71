import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The root keys every benchmark's server runs with. */
export const BENCH_CREDENTIALS = {
  accessKeyId: 'AKIABENCHMARK0000000',
  secretAccessKey: 'benchmark-secret-access-key-0000000000',
};

/**
 * Starts `berth server` as its own process on a free port and resolves with its URL once it
 * listens. Its request logs keep being drained (as a log shipper would), never accumulated.
 */
export async function startBerthProcess(
  dataDir: string,
  options: { onSpawn?: (child: ChildProcess) => void; env?: Readonly<Record<string, string>> } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'berth.js'), 'server'], {
    env: {
      PATH: process.env.PATH ?? '',
      BERTH_PORT: '0',
      BERTH_DNS_PORT: 'off',
      BERTH_DATA_DIR: dataDir,
      BERTH_ROOT_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
      BERTH_ROOT_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  options.onSpawn?.(child); // e.g. to be killed on interruption, even before it listens
  // The listening URL is announced in an info-level log line, so the log level stays at its default.
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`berth server exited with ${code}`)));
  });
  return { child, url };
}
