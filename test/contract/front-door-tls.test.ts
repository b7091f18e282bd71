import assert from 'node:assert/strict';
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { createAuthority } from '../../src/pki/index.ts';
import { gatewayOfIpam } from '../../testing/role-probe.ts';

// The HTTPS front door with the Berth CA made on first start: the AWS CLI with --ca-bundle, the
// registry's realm, docker push and pull at a non-loopback address (docker0's gateway: docker
// treats 127.0.0.0/8 as insecure and would skip TLS) trusted through certs.d, and `berth agent`.
const dockerSkip = dockerSkipReason() || busyboxSkipReason();
/** The bridge network's gateway (docker0), an address of this machine that docker does not take as insecure. */
const gateway = dockerSkip ? undefined : bridgeGateway();

function bridgeGateway(): string | undefined {
  const format = '{{json .IPAM.Config}}';
  const out = execFileSync('docker', ['network', 'inspect', 'bridge', '--format', format], { encoding: 'utf8' });
  const gateway = gatewayOfIpam(out);
  return gateway && /^\d+\.\d+\.\d+\.\d+$/.test(gateway) ? gateway : undefined;
}

describe('TLS on the front door, with the Berth CA', { timeout: 300_000 }, () => {
  let server: TestServer;
  let tlsHost: string;
  let httpsUrl: string;
  let caPath: string;
  const work = mkdtempSync(join(tmpdir(), 'berth-tls-'));

  before(async () => {
    tlsHost = !dockerSkip && gateway ? gateway : '127.0.0.1';
    server = await startTestServer({ BERTH_TLS_PORT: '0', BERTH_TLS_HOST: tlsHost });
    assert.ok(server.httpsUrl && server.caCertificatePath);
    httpsUrl = server.httpsUrl;
    caPath = server.caCertificatePath;
  });
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const keys = () => ({
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
  });

  it('makes the CA once, its key private, and serves its certificate', async () => {
    assert.equal(statSync(join(server.dataDir, 'tls', 'berth-ca.key')).mode & 0o777, 0o600);
    const ca = new X509Certificate(readFileSync(caPath));
    assert.equal(ca.ca, true);
    assert.match(ca.subject, /CN=Berth CA/);
    const served = await fetch(`${server.url}/berth/ca.pem`);
    assert.equal(served.status, 200);
    assert.equal(await served.text(), readFileSync(caPath, 'utf8'));
  });

  it(
    'answers the AWS CLI with --ca-bundle over HTTPS, and fails it with another CA',
    { skip: awsCliSkipReason() },
    async () => {
      const listed = await aws(
        ['--ca-bundle', caPath, '--endpoint-url', httpsUrl, 'ecr', 'describe-repositories'],
        keys(),
      );
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(JSON.parse(listed.stdout), { repositories: [] });

      const now = new Date();
      const other = await createAuthority({ commonName: 'Other CA', notBefore: now, notAfter: new Date(+now + 864e5) });
      const otherPath = join(work, 'other-ca.pem');
      writeFileSync(otherPath, other.certificatePem);
      const refused = await aws(
        ['--ca-bundle', otherPath, '--endpoint-url', httpsUrl, 'ecr', 'describe-repositories'],
        keys(),
      );
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /SSL|certificate verify failed/i);
    },
  );

  it('gives the registry realm with the scheme and host the client used', async () => {
    const { host } = new URL(httpsUrl);
    const answer = await new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
      const sent = request(`${httpsUrl}/v2/`, { ca: readFileSync(caPath) }, (response) => {
        response.resume();
        resolve({ status: response.statusCode!, challenge: response.headers['www-authenticate'] });
      });
      sent.on('error', reject);
      sent.end();
    });
    assert.equal(answer.status, 401);
    assert.equal(answer.challenge, `Basic realm="https://${host}/",service="ecr.amazonaws.com"`);
    const plain = await fetch(`${server.url}/v2/`);
    assert.equal(
      plain.headers.get('www-authenticate'),
      `Basic realm="http://127.0.0.1:${server.port}/",service="ecr.amazonaws.com"`,
    );
  });

  describe(
    'docker push and pull over HTTPS at docker0’s gateway',
    { skip: dockerSkip || (!gateway && 'no docker0') },
    () => {
      const docker = new DockerSession();
      let certsDir: string;
      let registry: string;
      before(() => {
        registry = new URL(httpsUrl).host;
        certsDir = join('/etc/docker/certs.d', registry);
        mkdirSync(certsDir, { recursive: true });
        writeFileSync(join(certsDir, 'ca.crt'), readFileSync(caPath));
      });
      after(async () => {
        await docker.cleanup();
        rmSync(certsDir, { recursive: true, force: true });
      });

      it('logs in, pushes and pulls without insecure-registries', async () => {
        const ecr = new ECRClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
        await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tls/busybox' }));
        const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!;
        ecr.destroy();
        const password = Buffer.from(token, 'base64').toString('utf8').slice('AWS:'.length);
        const login = await docker.docker(['login', '--username', 'AWS', '--password-stdin', registry], {
          input: password,
        });
        assert.equal(login.code, 0, login.stderr);
        const image = await docker.buildBusyboxImage(`berth-test/tls:${randomUUID().slice(0, 8)}`);
        const reference = `${registry}/tls/busybox:v1`;
        assert.equal((await docker.tag(image.tag, reference)).code, 0);
        const push = await docker.docker(['push', reference]);
        assert.equal(push.code, 0, `${push.stdout}\n${push.stderr}`);
        await docker.docker(['rmi', '--force', image.id]);
        const pull = await docker.docker(['pull', reference]);
        assert.equal(pull.code, 0, `${pull.stdout}\n${pull.stderr}`);
        const hello = await docker.docker(['run', '--rm', reference, 'cat', '/hello.txt']);
        assert.equal(hello.stdout, image.hello);
      });
    },
  );

  describe('berth agent over HTTPS', { skip: dockerSkip }, () => {
    let agent: AgentProcess | undefined;
    after(async () => {
      agent?.child.kill('SIGTERM');
      await agent?.exited;
    });

    it('registers when it trusts the CA (--ca-bundle), and cannot start without it', async () => {
      const ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
      await ecs.send(new CreateClusterCommand({ clusterName: 'tls' }));
      ecs.destroy();
      const env = { ...keys(), BERTH_LOG_LEVEL: 'info' };
      const args = ['--endpoint', httpsUrl, '--cluster', 'tls', '--data-dir', join(work, 'agent')];
      await assert.rejects(spawnAgent(env, args), /exited \(1\) before registering[\s\S]*cannot start/);
      agent = await spawnAgent(env, [...args, '--ca-bundle', caPath]);
      assert.match(agent.containerInstanceArn, /:container-instance\/tls\//);
    });
  });
});
