import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import {
  busyboxSkipReason,
  dockerSkipReason,
  DockerSession,
  skopeoSkipReason,
  type BuiltImage,
} from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// A user coming from ECR: CreateRepository, GetAuthorizationToken (or `aws ecr get-login-password`),
// `docker login --username AWS`, then docker push/pull/run and skopeo against localhost:<port>.
// Docker speaks plain HTTP to localhost without any daemon configuration.
describe(
  'docker and skopeo against the registry of a real server',
  { skip: dockerSkipReason() || busyboxSkipReason(), timeout: 600_000 },
  () => {
    const run = randomUUID().slice(0, 8);
    let server: TestServer;
    let ecr: ECRClient;
    let session: DockerSession;
    let registry: string;
    before(async () => {
      server = await startTestServer();
      registry = `localhost:${server.port}`;
      ecr = new ECRClient({
        endpoint: server.url,
        region: server.region,
        credentials: server.credentials,
        maxAttempts: 1,
      });
      session = new DockerSession();
    });
    after(async () => {
      await session?.cleanup();
      ecr?.destroy();
      await server?.stop();
    });

    /** CreateRepository, returning the repositoryUri a user would push to. */
    async function createRepository(name: string): Promise<string> {
      const out = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      assert.equal(out.repository?.repositoryUri, `${registry}/${name}`);
      return out.repository.repositoryUri;
    }

    /** The password in GetAuthorizationToken's token, which is base64 of "AWS:<password>". */
    async function ecrPassword(): Promise<string> {
      const out = await ecr.send(new GetAuthorizationTokenCommand({}));
      const token = out.authorizationData?.[0]?.authorizationToken;
      assert.ok(token, 'GetAuthorizationToken returned no authorizationToken');
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      assert.match(decoded, /^AWS:./);
      return decoded.slice('AWS:'.length);
    }

    function login(password: string, client = session) {
      return client.docker(['login', '--username', 'AWS', '--password-stdin', registry], { input: password });
    }

    interface Pushed {
      readonly image: BuiltImage;
      /** localhost:<port>/busybox:v1 */
      readonly reference: string;
      /** The manifest digest `docker push` printed. */
      readonly digest: string;
    }

    // One push shared by the pull, run and skopeo tests; each awaits it, so any of them runs alone.
    let pushed: Promise<Pushed> | undefined;
    function pushBusybox(): Promise<Pushed> {
      pushed ??= (async () => {
        const uri = await createRepository('busybox');
        const loggedIn = await login(await ecrPassword());
        assert.equal(loggedIn.code, 0, loggedIn.stderr);
        const image = await session.buildBusyboxImage(`berth-test/busybox:${run}`);
        const reference = `${uri}:v1`;
        const tagged = await session.tag(image.tag, reference);
        assert.equal(tagged.code, 0, tagged.stderr);
        const push = await session.docker(['push', reference]);
        assert.equal(push.code, 0, `docker push failed:\n${push.stdout}\n${push.stderr}`);
        // The classic push output ends with "v1: digest: sha256:<64 hex> size: <bytes>".
        const printed = /^v1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(push.stdout);
        assert.ok(printed, `no digest line in the docker push output:\n${push.stdout}`);
        return { image, reference, digest: printed[1]! };
      })();
      return pushed;
    }

    /** Removes every local copy of an image, so that using it again means downloading its blobs. */
    async function forgetLocally(image: BuiltImage): Promise<void> {
      await session.docker(['rmi', '--force', image.id]);
      const inspected = await session.docker(['image', 'inspect', image.id]);
      assert.notEqual(inspected.code, 0, `${image.id} is still in the local engine`);
    }

    async function imageId(reference: string): Promise<string> {
      const inspected = await session.docker(['image', 'inspect', '--format', '{{.Id}}', reference]);
      assert.equal(inspected.code, 0, inspected.stderr);
      return inspected.stdout.trim();
    }

    it('GetAuthorizationToken answers base64 "AWS:<password>" for the registry endpoint', async () => {
      const out = await ecr.send(new GetAuthorizationTokenCommand({}));
      const data = out.authorizationData?.[0];
      assert.equal(data?.proxyEndpoint, `http://${registry}`);
      assert.ok(data.expiresAt && data.expiresAt.getTime() > Date.now(), `expiresAt ${data.expiresAt} is not ahead`);
      const decoded = Buffer.from(data.authorizationToken ?? '', 'base64').toString('utf8');
      assert.match(decoded, /^AWS:.{16,}$/);
    });

    it('docker login --password-stdin accepts the GetAuthorizationToken password', async () => {
      const result = await login(await ecrPassword());
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Login Succeeded/);
      assert.ok(session.storedAuths()[registry], `docker stored no credentials for ${registry}`);
    });

    it('docker login accepts the password of `aws ecr get-login-password`', { skip: awsCliSkipReason() }, async () => {
      const printed = await aws(['--endpoint-url', server.url, 'ecr', 'get-login-password'], {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: server.region,
      });
      assert.equal(printed.code, 0, printed.stderr);
      const password = printed.stdout.trim();
      assert.ok(password.length > 0, 'get-login-password printed nothing');
      const fresh = new DockerSession();
      try {
        const result = await login(password, fresh);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /Login Succeeded/);
      } finally {
        await fresh.cleanup();
      }
    });

    it('docker login with a wrong password fails and stores nothing', async () => {
      const fresh = new DockerSession();
      try {
        const result = await login('not-the-password', fresh);
        assert.notEqual(result.code, 0, result.stdout);
        assert.match(result.stderr, /401|unauthorized/i);
        assert.equal(fresh.storedAuths()[registry], undefined);
      } finally {
        await fresh.cleanup();
      }
    });

    it('docker push sends a FROM-scratch busybox image to a repository made with CreateRepository', async () => {
      const { reference, digest } = await pushBusybox();
      const repoDigests = await session.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', reference]);
      assert.equal(repoDigests.code, 0, repoDigests.stderr);
      assert.ok(
        (JSON.parse(repoDigests.stdout) as string[]).includes(`${registry}/busybox@${digest}`),
        repoDigests.stdout,
      );
    });

    it('pushing the same image again finds every layer already in the registry', async () => {
      const { reference, digest } = await pushBusybox();
      const again = await session.docker(['push', reference]);
      assert.equal(again.code, 0, again.stderr);
      // Two layers (busybox, hello.txt): docker HEADs each blob and uploads none.
      assert.equal(again.stdout.match(/: Layer already exists$/gm)?.length, 2, again.stdout);
      assert.match(again.stdout, new RegExp(`^v1: digest: ${digest} size: \\d+$`, 'm'));
    });

    it('docker pull by tag downloads the image intact', async () => {
      const { image, reference, digest } = await pushBusybox();
      await forgetLocally(image);
      const pulled = await session.docker(['pull', reference]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, new RegExp(`^Digest: ${digest}$`, 'm'));
      assert.match(pulled.stdout, /Status: Downloaded newer image/);
      // The image id is the config blob's digest: same id, same config.
      assert.equal(await imageId(reference), image.id);
      const repoDigest = await session.docker(['inspect', '--format', '{{index .RepoDigests 0}}', reference]);
      assert.equal(repoDigest.stdout.trim(), `${registry}/busybox@${digest}`);
    });

    it('docker pull by digest downloads the same image', async () => {
      const { image, digest } = await pushBusybox();
      await forgetLocally(image);
      const byDigest = `${registry}/busybox@${digest}`;
      session.track(byDigest);
      const pulled = await session.docker(['pull', byDigest]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, new RegExp(`^Digest: ${digest}$`, 'm'));
      assert.equal(await imageId(byDigest), image.id);
    });

    it('docker run --rm runs busybox from the pulled image', async () => {
      const { image, reference } = await pushBusybox();
      await forgetLocally(image);
      // The image is not local, so `docker run` pulls it first.
      const hello = await session.docker(['run', '--rm', '--network', 'none', reference, 'echo', 'hello']);
      assert.equal(hello.code, 0, hello.stderr);
      assert.equal(hello.stdout, 'hello\n');
      assert.match(hello.stderr, /Unable to find image/);
      const layer = await session.docker(['run', '--rm', '--network', 'none', reference, 'cat', '/hello.txt']);
      assert.equal(layer.code, 0, layer.stderr);
      assert.equal(layer.stdout, image.hello);
    });

    it('an image pushed with docker is in DescribeImages with the same digest and the size of its layers', async () => {
      const { digest } = await pushBusybox();
      const described = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'busybox', imageIds: [{ imageTag: 'v1' }] }),
      );
      const detail = described.imageDetails?.[0];
      assert.equal(detail?.imageDigest, digest);
      const got = await ecr.send(
        new BatchGetImageCommand({ repositoryName: 'busybox', imageIds: [{ imageDigest: digest }] }),
      );
      const manifest = JSON.parse(got.images?.[0]?.imageManifest ?? '{}') as { layers: { size: number }[] };
      assert.equal(
        detail?.imageSizeInBytes,
        manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
      );
      assert.equal(detail?.imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    });

    it('an image deleted with BatchDeleteImage is gone for docker', async () => {
      const loggedIn = await login(await ecrPassword());
      assert.equal(loggedIn.code, 0, loggedIn.stderr);
      await createRepository('short-lived');
      const image = await session.buildBusyboxImage(`berth-test/short-lived:${run}`);
      const reference = `${registry}/short-lived:v1`;
      assert.equal((await session.tag(image.tag, reference)).code, 0);
      const push = await session.docker(['push', reference]);
      assert.equal(push.code, 0, push.stderr);
      const deleted = await ecr.send(
        new BatchDeleteImageCommand({ repositoryName: 'short-lived', imageIds: [{ imageTag: 'v1' }] }),
      );
      assert.equal(deleted.failures?.length, 0);
      await session.docker(['rmi', '--force', reference]);
      const pull = await session.docker(['pull', reference]);
      assert.notEqual(pull.code, 0, pull.stdout);
      assert.match(pull.stderr, /manifest unknown|not found/i);
    });

    it('docker push to a repository that was never created fails with NAME_UNKNOWN', async () => {
      const loggedIn = await login(await ecrPassword());
      assert.equal(loggedIn.code, 0, loggedIn.stderr);
      const image = await session.buildBusyboxImage(`berth-test/never-created:${run}`);
      const reference = `${registry}/never-created:v1`;
      const tagged = await session.tag(image.tag, reference);
      assert.equal(tagged.code, 0, tagged.stderr);
      const push = await session.docker(['push', reference]);
      assert.notEqual(push.code, 0, push.stdout);
      // Docker prints a registry error as its lower-cased code and the message: "name unknown: ...".
      assert.match(push.stderr, /name unknown/i);
    });

    describe('skopeo', { skip: skopeoSkipReason() }, () => {
      it('skopeo list-tags lists the pushed tag', async () => {
        await pushBusybox();
        const listed = await session.skopeo([
          'list-tags',
          '--creds',
          `AWS:${await ecrPassword()}`,
          '--tls-verify=false',
          `docker://${registry}/busybox`,
        ]);
        assert.equal(listed.code, 0, listed.stderr);
        assert.deepEqual(JSON.parse(listed.stdout), { Repository: `${registry}/busybox`, Tags: ['v1'] });
      });

      it('skopeo copy between two repositories keeps the manifest digest', async () => {
        const { digest } = await pushBusybox();
        await createRepository('busybox-copy');
        const creds = `AWS:${await ecrPassword()}`;
        const copied = await session.skopeo([
          'copy',
          '--src-creds',
          creds,
          '--dest-creds',
          creds,
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          `docker://${registry}/busybox:v1`,
          `docker://${registry}/busybox-copy:v1`,
        ]);
        assert.equal(copied.code, 0, copied.stderr);
        for (const repository of ['busybox', 'busybox-copy']) {
          const inspected = await session.skopeo([
            'inspect',
            '--creds',
            creds,
            '--tls-verify=false',
            `docker://${registry}/${repository}:v1`,
          ]);
          assert.equal(inspected.code, 0, inspected.stderr);
          const out = JSON.parse(inspected.stdout) as { Digest: string; Os: string; Architecture: string };
          assert.equal(out.Digest, digest, repository);
          assert.equal(out.Os, 'linux');
        }
        const tags = await session.skopeo([
          'list-tags',
          '--creds',
          creds,
          '--tls-verify=false',
          `docker://${registry}/busybox-copy`,
        ]);
        assert.equal(tags.code, 0, tags.stderr);
        assert.deepEqual(JSON.parse(tags.stdout).Tags, ['v1']);
      });
    });
  },
);
