import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession, runCommand } from '../../testing/docker.ts';
import { freePort } from '../../testing/elb-proxy.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

/**
 * The README's walkthrough, run as written: the ```sh blocks that follow a `<!-- walkthrough -->`
 * line, in order, in one bash (set -euo pipefail), with the AWS CLI v2, docker and busybox, against
 * a real server. Only the ports change: 4510 becomes the test server's, 8080 a free one.
 */
function walkthroughOf(readme: string): string[] {
  const blocks: string[] = [];
  const marker = /<!-- walkthrough -->\s*\n\s*```sh\n([\s\S]*?)\n```/g;
  for (const match of readme.matchAll(marker)) blocks.push(match[1]!);
  return blocks;
}

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();
const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('the README walkthrough', { skip }, () => {
  let server: TestServer;
  let home: string;
  const docker = new DockerSession();

  before(async () => {
    server = await startTestServer();
    home = mkdtempSync(join(tmpdir(), 'berth-readme-'));
  });
  after(async () => {
    await server?.stop();
    await removeClusterContainers(docker, 'web');
    await docker.docker(['rmi', '-f', 'my-web', `localhost:${server.port}/team/web:v1`]);
    await docker.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it('has its blocks', () => {
    assert.ok(walkthroughOf(README).length >= 3);
  });

  it('works as written', async () => {
    const listenerPort = await freePort();
    const script = ['cd "$HOME"', ...walkthroughOf(README)]
      .join('\n')
      .replaceAll(':4510', `:${server.port}`)
      .replaceAll('8080', String(listenerPort));
    const result = await runCommand('bash', ['-euo', 'pipefail', '-c', script], {
      env: {
        // Debian's AWS CLI v2 first, whatever else the machine has on its PATH.
        PATH: `/usr/bin:/bin:/usr/sbin:/sbin:${process.env.PATH ?? ''}`,
        HOME: home,
        DOCKER_CONFIG: join(home, '.docker'),
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: server.region,
        AWS_PAGER: '',
      },
      timeoutMs: 600_000,
    });
    assert.equal(result.code, 0, `exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /"RUNNING"/);
    assert.match(result.stdout, /<h1>hello from Berth<\/h1>/);
    assert.match(result.stdout, /"healthy",\s*"healthy",\s*"healthy"/);
    assert.match(result.stdout, /serving on port 80/);
  });
});
