import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { aws, awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { freePort } from '../../testing/elb-proxy.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Json {
  [key: string]: unknown;
}
const first = (out: Json, key: string): Json => (out[key] as Json[])[0]!;

interface Seen {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  names?: string;
  serial?: string;
}

/** A GET through a listener; over TLS, with SNI and the Berth CA, noting the certificate's names. */
function get(
  url: string,
  options: { servername?: string; ca?: string; rejectUnauthorized?: boolean } = {},
): Promise<Seen> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, agent: false }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate?.();
      const names = peer?.subjectaltname;
      const serial = peer?.serialNumber;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, names, serial }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('AWS CLI v2: HTTPS listeners, SNI and redirects', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let target: Server;
  let targetPort: number;
  let elb: ReturnType<typeof awsCliFor>;
  let acm: (...args: string[]) => Promise<Json>;

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    elb = awsCliFor(server, 'elbv2');
    const env = {
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    acm = async (...args) => {
      const result = await aws(['--endpoint-url', server.url, '--output', 'json', 'acm', ...args], env);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout || '{}') as Json;
    };
    // The target answers with the headers it was sent.
    target = createServer((req, res) => res.end(JSON.stringify({ url: req.url, headers: req.headers })));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetPort = (target.address() as { port: number }).port;
  });
  after(async () => {
    target.close();
    await server.stop();
  });

  /** A load balancer and an ip target group holding the test's target, both named `name`. */
  const balanced = async (name: string): Promise<{ lbArn: string; tgArn: string }> => {
    const lb = first(await elb.json<Json>('create-load-balancer', '--name', name), 'LoadBalancers');
    const tg = first(
      await elb.json<Json>(
        'create-target-group',
        ...['--name', name, '--protocol', 'HTTP', '--port', String(targetPort)],
        ...['--vpc-id', String(lb.VpcId), '--target-type', 'ip'],
      ),
      'TargetGroups',
    );
    const tgArn = String(tg.TargetGroupArn);
    await elb.json<Json>(
      'register-targets',
      '--target-group-arn',
      tgArn,
      '--targets',
      `Id=127.0.0.1,Port=${targetPort}`,
    );
    return { lbArn: String(lb.LoadBalancerArn), tgArn };
  };

  it('terminates TLS with the certificate SNI picks, and redirects HTTP to HTTPS', async () => {
    const shop = String((await acm('request-certificate', '--domain-name', 'shop.example.test')).CertificateArn);
    const api = String((await acm('request-certificate', '--domain-name', '*.api.example.test')).CertificateArn);
    const { lbArn, tgArn } = await balanced('tls-web');

    const refused = await elb.run(
      'create-listener',
      ...['--load-balancer-arn', lbArn, '--protocol', 'HTTPS', '--port', String(await freePort())],
      ...['--certificates', `CertificateArn=${shop.replace(/[0-9a-f]{4}$/, '0000')}`],
      ...['--default-actions', `Type=forward,TargetGroupArn=${tgArn}`],
    );
    assert.match(refused.stderr, /CertificateNotFound/);
    const badPolicy = await elb.run(
      'create-listener',
      ...['--load-balancer-arn', lbArn, '--protocol', 'HTTPS', '--port', String(await freePort())],
      ...['--certificates', `CertificateArn=${shop}`, '--ssl-policy', 'ELBSecurityPolicy-Nope'],
      ...['--default-actions', `Type=forward,TargetGroupArn=${tgArn}`],
    );
    assert.match(badPolicy.stderr, /SSLPolicyNotFound/);

    const httpsPort = await freePort();
    const listener = first(
      await elb.json<Json>(
        'create-listener',
        ...['--load-balancer-arn', lbArn, '--protocol', 'HTTPS', '--port', String(httpsPort)],
        ...['--certificates', `CertificateArn=${shop}`, '--ssl-policy', 'ELBSecurityPolicy-TLS13-1-2-2021-06'],
        ...['--default-actions', `Type=forward,TargetGroupArn=${tgArn}`],
      ),
      'Listeners',
    );
    const listenerArn = String(listener.ListenerArn);
    assert.deepEqual(
      [listener.Protocol, listener.Certificates, listener.SslPolicy],
      ['HTTPS', [{ CertificateArn: shop }], 'ELBSecurityPolicy-TLS13-1-2-2021-06'],
    );
    await elb.json<Json>(
      'add-listener-certificates',
      '--listener-arn',
      listenerArn,
      '--certificates',
      `CertificateArn=${api}`,
    );
    assert.deepEqual(
      (await elb.json<Json>('describe-listener-certificates', '--listener-arn', listenerArn)).Certificates,
      [
        { CertificateArn: shop, IsDefault: true },
        { CertificateArn: api, IsDefault: false },
      ],
    );
    const policy = first(
      await elb.json<Json>('describe-ssl-policies', '--names', 'ELBSecurityPolicy-TLS13-1-2-2021-06'),
      'SslPolicies',
    );
    assert.deepEqual(policy.SslProtocols, ['TLSv1.2', 'TLSv1.3']);
    assert.deepEqual((policy.Ciphers as Json[])[0], { Name: 'TLS_AES_128_GCM_SHA256', Priority: 1 });

    const ca = readFileSync(join(server.dataDir, 'tls', 'berth-ca.pem'), 'utf8');
    const url = `https://127.0.0.1:${httpsPort}/orders?id=7`;
    const viaShop = await get(url, { servername: 'shop.example.test', ca });
    assert.equal(viaShop.status, 200);
    assert.equal(viaShop.names, 'DNS:shop.example.test');
    const headers = (JSON.parse(viaShop.body) as { headers: Record<string, string> }).headers;
    assert.equal(headers['x-forwarded-proto'], 'https');
    assert.equal(headers['x-forwarded-port'], String(httpsPort));
    const viaApi = await get(url, { servername: 'v1.api.example.test', ca });
    assert.equal(viaApi.names, 'DNS:*.api.example.test');
    // No matching name: the default certificate.
    assert.equal(
      (await get(url, { servername: 'other.example.test', rejectUnauthorized: false })).names,
      'DNS:shop.example.test',
    );

    const httpPort = await freePort();
    await elb.json<Json>(
      'create-listener',
      ...['--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', String(httpPort)],
      ...['--default-actions', `Type=redirect,RedirectConfig={Protocol=HTTPS,Port=${httpsPort},StatusCode=HTTP_301}`],
    );
    const redirected = await get(`http://127.0.0.1:${httpPort}/orders?id=7`);
    assert.equal(redirected.status, 301);
    assert.equal(redirected.headers.location, `https://127.0.0.1:${httpsPort}/orders?id=7`);

    const plain = first(
      await elb.json<Json>(
        'create-listener',
        ...['--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', String(await freePort())],
        ...['--default-actions', `Type=forward,TargetGroupArn=${tgArn}`],
      ),
      'Listeners',
    );
    const plainSeen = await get(`http://127.0.0.1:${String(plain.Port)}/`);
    assert.equal(
      (JSON.parse(plainSeen.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'],
      'http',
    );

    // ACM sees the load balancer as a user, and keeps the certificate while it is.
    const described = (await acm('describe-certificate', '--certificate-arn', api)).Certificate as Json;
    assert.deepEqual(described.InUseBy, [lbArn]);
    const inUse = await aws(['--endpoint-url', server.url, 'acm', 'delete-certificate', '--certificate-arn', api], {
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    assert.match(inUse.stderr, /ResourceInUseException/);

    // Removing the SNI certificate reaches the live listener: that name now gets the default.
    await elb.json<Json>(
      'remove-listener-certificates',
      '--listener-arn',
      listenerArn,
      '--certificates',
      `CertificateArn=${api}`,
    );
    const after = await get(url, { servername: 'v1.api.example.test', rejectUnauthorized: false });
    assert.equal(after.names, 'DNS:shop.example.test');
  });

  it('serves an imported certificate, and a re-import of it on the live listener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-reimport-'));
    try {
      const made = (name: string) => {
        const key = join(dir, `${name}.key`);
        const cert = join(dir, `${name}.pem`);
        execFileSync('openssl', [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-keyout', key, '-out', cert],
          ...['-subj', '/CN=imported.example.test', '-addext', 'subjectAltName=DNS:imported.example.test'],
        ]);
        return ['--certificate', `fileb://${cert}`, '--private-key', `fileb://${key}`];
      };
      const arn = String((await acm('import-certificate', ...made('first'))).CertificateArn);
      const { lbArn, tgArn } = await balanced('tls-imported');
      const port = await freePort();
      await elb.json<Json>(
        'create-listener',
        ...['--load-balancer-arn', lbArn, '--protocol', 'HTTPS', '--port', String(port)],
        ...['--certificates', `CertificateArn=${arn}`, '--default-actions', `Type=forward,TargetGroupArn=${tgArn}`],
      );
      const url = `https://127.0.0.1:${port}/`;
      const options = { servername: 'imported.example.test', rejectUnauthorized: false };
      const before = await get(url, options);
      assert.equal(before.status, 200);
      assert.equal(before.names, 'DNS:imported.example.test');
      await acm('import-certificate', '--certificate-arn', arn, ...made('second'));
      const after = await get(url, options);
      assert.equal(after.status, 200);
      assert.notEqual(after.serial, before.serial, 'the re-imported certificate is served');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
