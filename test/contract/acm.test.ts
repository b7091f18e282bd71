import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACMClient, ListCertificatesCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { createAuthority, issueCertificate } from '../../src/pki/index.ts';

// ACM with the AWS CLI v2: certificates requested from the Berth CA and imported ones, described,
// listed, fetched, tagged and deleted.
describe('ACM through the AWS CLI v2', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  const work = mkdtempSync(join(tmpdir(), 'berth-acm-'));
  const cli = async <T>(...args: string[]): Promise<T> => {
    const result = await run(...args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout || '{}') as T;
  };
  const run = (...args: string[]) =>
    aws(['--endpoint-url', server.url, '--output', 'json', 'acm', ...args], {
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    });

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  interface Detail {
    Certificate: Record<string, unknown> & {
      DomainValidationOptions?: { ValidationStatus: string; ResourceRecord: { Type: string; Name: string } }[];
    };
  }

  it('issues a requested certificate at once, with DNS validation reported as done', async () => {
    const { CertificateArn: arn } = await cli<{ CertificateArn: string }>(
      'request-certificate',
      '--domain-name',
      'www.example.com',
      '--subject-alternative-names',
      'example.com',
      '*.example.com',
      '--validation-method',
      'DNS',
      '--tags',
      'Key=team,Value=web',
    );
    assert.match(arn, /^arn:aws:acm:us-east-1:000000000000:certificate\/[0-9a-f-]{36}$/);
    const { Certificate: detail } = await cli<Detail>('describe-certificate', '--certificate-arn', arn);
    assert.equal(detail.Status, 'ISSUED');
    assert.equal(detail.Type, 'AMAZON_ISSUED');
    assert.equal(detail.KeyAlgorithm, 'RSA_2048');
    assert.deepEqual(detail.SubjectAlternativeNames, ['www.example.com', 'example.com', '*.example.com']);
    assert.deepEqual(detail.InUseBy, []);
    const validations = detail.DomainValidationOptions!;
    assert.equal(validations.length, 3);
    for (const validation of validations) {
      assert.equal(validation.ValidationStatus, 'SUCCESS');
      assert.equal(validation.ResourceRecord.Type, 'CNAME');
    }
    // The wildcard's record is the base domain's (as ACM words it).
    assert.match(validations[2]!.ResourceRecord.Name, /^_[0-9a-f]{32}\.example\.com\.$/);

    const got = await cli<{ Certificate: string; CertificateChain: string }>(
      'get-certificate',
      '--certificate-arn',
      arn,
    );
    const leaf = new X509Certificate(got.Certificate);
    assert.ok(leaf.verify(new X509Certificate(got.CertificateChain).publicKey), 'signed by the Berth CA');
    assert.equal(leaf.checkHost('api.example.com'), '*.example.com');

    const tags = await cli<{ Tags: unknown[] }>('list-tags-for-certificate', '--certificate-arn', arn);
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'web' }]);
  });

  it('imports a certificate with its key and chain, and refuses a key that is not its own', async () => {
    const now = new Date();
    const ca = await createAuthority({ commonName: 'Corp CA', notBefore: now, notAfter: new Date(+now + 864e5 * 30) });
    const issued = await issueCertificate(ca, {
      names: ['shop.example.org'],
      notBefore: now,
      notAfter: new Date(+now + 864e5 * 10),
      keyAlgorithm: 'EC_prime256v1',
    });
    const other = await issueCertificate(ca, {
      names: ['x.example.org'],
      notBefore: now,
      notAfter: new Date(+now + 864e5),
      keyAlgorithm: 'EC_prime256v1',
    });
    const file = (name: string, text: string) => {
      writeFileSync(join(work, name), text);
      return `fileb://${join(work, name)}`;
    };
    const args = [
      '--certificate',
      file('cert.pem', issued.certificatePem),
      '--certificate-chain',
      file('chain.pem', ca.certificatePem),
    ];
    const imported = await cli<{ CertificateArn: string }>(
      'import-certificate',
      ...args,
      '--private-key',
      file('key.pem', issued.privateKeyPem),
    );
    const { Certificate: detail } = await cli<Detail>(
      'describe-certificate',
      '--certificate-arn',
      imported.CertificateArn,
    );
    assert.equal(detail.Type, 'IMPORTED');
    assert.equal(detail.DomainName, 'shop.example.org');
    assert.equal(detail.KeyAlgorithm, 'EC_prime256v1');
    assert.equal(detail.Issuer, 'CN=Corp CA,O=Berth');
    assert.equal(detail.DomainValidationOptions, undefined);

    const refused = await run('import-certificate', ...args, '--private-key', file('other.pem', other.privateKeyPem));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ValidationException.*does not match/);

    // ListCertificates shows RSA_2048 certificates unless asked for other key types.
    const listed = async (...more: string[]) =>
      (
        await cli<{ CertificateSummaryList: { CertificateArn: string }[] }>('list-certificates', ...more)
      ).CertificateSummaryList.map((summary) => summary.CertificateArn);
    assert.equal((await listed()).includes(imported.CertificateArn), false);
    assert.ok((await listed('--includes', 'keyTypes=EC_prime256v1')).includes(imported.CertificateArn));
  });

  it('pages ListCertificates with MaxItems and NextToken (SDK)', async () => {
    const acm = new ACMClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
    for (const name of ['a.page.test', 'b.page.test', 'c.page.test'])
      await acm.send(new RequestCertificateCommand({ DomainName: name }));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await acm.send(new ListCertificatesCommand({ MaxItems: 2, NextToken: token }));
      assert.ok((page.CertificateSummaryList ?? []).length <= 2);
      seen.push(...(page.CertificateSummaryList ?? []).map((summary) => summary.DomainName!));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(
      seen.filter((name) => name.endsWith('.page.test')),
      ['a.page.test', 'b.page.test', 'c.page.test'],
    );
    acm.destroy();
  });

  it('tags, untags and deletes; a deleted certificate is not found', async () => {
    const { CertificateArn: arn } = await cli<{ CertificateArn: string }>(
      'request-certificate',
      '--domain-name',
      'gone.example.net',
    );
    await cli('add-tags-to-certificate', '--certificate-arn', arn, '--tags', 'Key=a,Value=1', 'Key=b,Value=2');
    await cli('remove-tags-from-certificate', '--certificate-arn', arn, '--tags', 'Key=a');
    assert.deepEqual((await cli<{ Tags: unknown[] }>('list-tags-for-certificate', '--certificate-arn', arn)).Tags, [
      { Key: 'b', Value: '2' },
    ]);
    const reserved = await run('add-tags-to-certificate', '--certificate-arn', arn, '--tags', 'Key=aws:x,Value=1');
    assert.match(reserved.stderr, /InvalidTagException/);
    await cli('delete-certificate', '--certificate-arn', arn);
    const missing = await run('describe-certificate', '--certificate-arn', arn);
    assert.match(missing.stderr, /ResourceNotFoundException/);
    const invalid = await run('describe-certificate', '--certificate-arn', 'arn:aws:acm:us-east-1:000000000000:nope');
    assert.match(invalid.stderr, /InvalidArnException/);
  });
});
