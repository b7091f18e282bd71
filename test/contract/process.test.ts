import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { freePort } from '../../testing/elb-proxy.ts';
import { runServerExpectingFailure, spawnServer, type ServerProcess } from '../../testing/server-process.ts';
import { ECS_TARGET, signJsonCall } from '../../testing/signed-request.ts';

/**
 * Starts a signed ListClusters call whose body is only half sent, so the request stays in flight
 * until `finish` sends the rest; resolves with the HTTP status once the answer arrives.
 */
async function halfSentCall(server: ServerProcess, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const body = JSON.stringify({ maxResults: 10 });
  const signed = await signJsonCall(server.url, `${ECS_TARGET}.ListClusters`, body, { credentials });
  const { hostname, port } = new URL(server.url);
  const req = request({
    hostname,
    port,
    method: 'POST',
    path: '/',
    headers: { ...signed.headers, 'content-length': body.length },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 5));
  req.flushHeaders();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the server has the request now
  return { status, finish: () => req.end(body.slice(5)) };
}

const ROOT_KEYS = {
  BERTH_ROOT_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT0',
  BERTH_ROOT_SECRET_ACCESS_KEY: 'from-the-environment-secret',
};
const ROOT_CREDENTIALS = {
  accessKeyId: ROOT_KEYS.BERTH_ROOT_ACCESS_KEY_ID,
  secretAccessKey: ROOT_KEYS.BERTH_ROOT_SECRET_ACCESS_KEY,
};

/** stderr and stdout are separate pipes: give the credential lines a moment to arrive. */
async function printedCredentials(stderr: () => string) {
  for (let i = 0; i < 100 && !/AWS_SECRET_ACCESS_KEY=\S+\n/.test(stderr()); i++)
    await new Promise((r) => setTimeout(r, 50));
  return credentialsFrom(stderr());
}

function credentialsFrom(stderr: string) {
  const accessKeyId = /export AWS_ACCESS_KEY_ID=(\S+)/.exec(stderr)?.[1];
  const secretAccessKey = /export AWS_SECRET_ACCESS_KEY=(\S+)/.exec(stderr)?.[1];
  assert.ok(accessKeyId && secretAccessKey, `no credentials printed:\n${stderr}`);
  return { accessKeyId, secretAccessKey };
}

describe('berth server as a process', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-process-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fails on invalid configuration with one clear line and exit code 2', async () => {
    const result = await runServerExpectingFailure({ BERTH_DATA_DIR: dataDir, BERTH_PORT: 'eighty' });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "berth: invalid configuration: BERTH_PORT must be a port number from 0 to 65535 (got 'eighty')\n",
    );
  });

  it('prints generated credentials once, keeps them across restarts, and loses no acknowledged write to kill -9', async () => {
    const first = await spawnServer({ BERTH_DATA_DIR: dataDir });
    let credentials;
    try {
      credentials = await printedCredentials(first.stderr);
      assert.match(first.stderr(), new RegExp(`aws --endpoint-url ${first.url} ecs list-clusters`));
      const ecs = new ECSClient({ endpoint: first.url, region: 'us-east-1', credentials, maxAttempts: 1 });
      await ecs.send(new CreateClusterCommand({ clusterName: 'survivor' }));
      ecs.destroy();
    } finally {
      first.child.kill('SIGKILL'); // right after the 200
    }
    assert.equal(await first.exited, 'SIGKILL');

    const second = await spawnServer({ BERTH_DATA_DIR: dataDir });
    try {
      assert.doesNotMatch(second.stderr(), /AWS_SECRET_ACCESS_KEY/); // shown once only
      const again = new ECSClient({ endpoint: second.url, region: 'us-east-1', credentials, maxAttempts: 1 });
      const listed = await again.send(new ListClustersCommand({}));
      assert.deepEqual(listed.clusterArns, ['arn:aws:ecs:us-east-1:000000000000:cluster/survivor']);
      again.destroy();
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('shuts down cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const server = await spawnServer({ BERTH_DATA_DIR: dataDir });
      server.child.kill(signal);
      assert.equal(await server.exited, 0);
      assert.match(server.stdout(), /"msg":"berth server stopped"/);
    }
  });

  it('finishes a request in flight on SIGTERM before exiting', async () => {
    const server = await spawnServer({ BERTH_DATA_DIR: dataDir, ...ROOT_KEYS });
    const call = await halfSentCall(server, ROOT_CREDENTIALS);
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.child.exitCode, null); // still waiting for the request in flight
    call.finish();
    assert.equal(await call.status, 200);
    assert.equal(await server.exited, 0);
  });

  it('exits at once on a second signal', async () => {
    const server = await spawnServer({ BERTH_DATA_DIR: dataDir, ...ROOT_KEYS });
    const call = await halfSentCall(server, ROOT_CREDENTIALS);
    const outcome = call.status.then(
      () => 'answered',
      () => 'connection reset',
    );
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 130); // without waiting for the request in flight
    assert.equal(await outcome, 'connection reset');
  });

  it('uses the root keys from the environment when set, and writes none', async () => {
    const keys = {
      BERTH_ROOT_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT0',
      BERTH_ROOT_SECRET_ACCESS_KEY: 'from-the-environment-secret',
    };
    const server = await spawnServer({ BERTH_DATA_DIR: dataDir, ...keys });
    try {
      assert.doesNotMatch(server.stderr(), /AWS_SECRET_ACCESS_KEY/);
      const ecs = new ECSClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: keys.BERTH_ROOT_ACCESS_KEY_ID, secretAccessKey: keys.BERTH_ROOT_SECRET_ACCESS_KEY },
      });
      assert.deepEqual((await ecs.send(new ListClustersCommand({}))).clusterArns, []);
      ecs.destroy();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('berth gc', () => {
  it('collects registry garbage on a running server, signed with the root keys', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-gc-'));
    const server = await spawnServer({ BERTH_DATA_DIR: dataDir, ...ROOT_KEYS });
    try {
      const run = (env: Record<string, string>) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            [join(import.meta.dirname, '..', '..', 'bin', 'berth.js'), 'gc', '--endpoint', server.url],
            { env: { PATH: process.env.PATH ?? '', ...env } },
            (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
          );
        });
      const ok = await run({
        AWS_ACCESS_KEY_ID: ROOT_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT_CREDENTIALS.secretAccessKey,
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(JSON.parse(ok.stdout), { blobsDeleted: 0, uploadsDeleted: 0 });
      const refused = await run({
        AWS_ACCESS_KEY_ID: ROOT_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: 'wrong-secret-wrong-secret',
      });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /InvalidSignatureException/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const closedPort = await freePort();

describe('berth subcommands, used wrongly', () => {
  const berth = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(import.meta.dirname, '..', '..', 'bin', 'berth.js'), ...args],
        { env: { PATH: process.env.PATH ?? '', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', ...env } },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  // Each answer is one line (or a help text) and an exit code, never a stack trace.
  const cases: [string[], Record<string, string>, number, RegExp][] = [
    [
      ['gc'],
      { BERTH_PORT: String(closedPort) },
      1,
      new RegExp(`^berth gc: cannot reach the Berth server at http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\)`),
    ],
    [['gc', '--help'], {}, 0, /^Usage: berth gc/],
    [['lifecycle', '-h'], {}, 0, /^Usage: berth lifecycle/],
    [['gc', '--bogus'], {}, 2, /^berth gc: Unknown option '--bogus'/],
    [['iam', 'create-user'], {}, 2, /^berth: 'berth iam' is gone: manage users, keys and policies with the IAM API/],
    [['server', '--help'], {}, 0, /^Usage: berth server/],
    [['server', '--bogus'], {}, 2, /^berth: invalid configuration: Unknown option '--bogus'/],
    [['agent', '--help'], {}, 0, /^berth agent: join this host to a cluster/],
  ];
  for (const [args, env, code, output] of cases) {
    it(`berth ${args.join(' ')}${env.BERTH_PORT ? ` (BERTH_PORT=${env.BERTH_PORT})` : ''} → exit ${code}`, async () => {
      const result = await berth(args, env);
      assert.equal(result.code, code, result.stderr);
      assert.match(code === 0 ? result.stdout : result.stderr, output);
      assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /);
    });
  }
});
