import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../src/cmd/server.ts';
import { parseServerConfig } from '../src/shared/config.ts';
import { createLogger, type Logger } from '../src/shared/logger.ts';
import type { Clock } from '../src/shared/clock.ts';
import type { DataPlane } from '../src/elb/index.ts';

export interface TestServer extends RunningServer {
  readonly dataDir: string;
  readonly region: string;
  /** Closes the server and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * A real server on 127.0.0.1:<random port> with a fresh data folder and silent logs, unless
 * `logger` is given (a test that reads what the server logs).
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: Clock; dataDir?: string; dataPlane?: DataPlane; logger?: Logger; alarmEvaluationMs?: number } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-test-'));
  const config = parseServerConfig([], {
    BERTH_PORT: '0',
    BERTH_DATA_DIR: dataDir,
    BERTH_LOG_LEVEL: 'silent',
    // Port 53 on the Docker networks is one per host: only a test that resolves names asks for it.
    BERTH_DNS_PORT: 'off',
    // The HTTPS front door's default port is one per host too: only TLS tests ask for it (port 0).
    BERTH_TLS_PORT: 'off',
    // The proxy in the test's own process: a `berth lb` would outlive the test (test/contract/elb-process.test.ts
    // runs one). BERTH_TEST_LB=process runs a file's servers with one (it stops when stop() removes the data folder).
    BERTH_LB: process.env.BERTH_TEST_LB ?? 'in-process',
    ...env,
  });
  const server = await startServer(config, {
    logger: options.logger ?? createLogger('silent'),
    announce: () => {},
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.dataPlane ? { dataPlane: options.dataPlane } : {}),
    ...(options.alarmEvaluationMs ? { alarmEvaluationMs: options.alarmEvaluationMs } : {}),
  });
  return {
    ...server,
    close: () => server.close(),
    dataDir,
    region: config.region,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
