import { createServer } from 'node:net';

/**
 * A lock shared by the test files on this host: a listener on a fixed loopback port, held for as
 * long as the file's process wants it and released when it ends, even by a crash. Waits up to
 * `timeoutMs` for another file to let go; resolves with the release.
 */
export async function holdHostLock(port: number, what: string, timeoutMs = 15 * 60_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const server = createServer();
    const taken = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (taken) return () => new Promise<void>((resolve) => server.close(() => resolve()));
    if (Date.now() > deadline) throw new Error(`another test file held ${what} for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
