import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DeleteRegistryPolicyCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAccountSettingCommand,
  GetRegistryPolicyCommand,
  GetRegistryScanningConfigurationCommand,
  ListImageReferrersCommand,
  PutAccountSettingCommand,
  PutImageTagMutabilityCommand,
  PutRegistryPolicyCommand,
  PutRegistryScanningConfigurationCommand,
  PutReplicationConfigurationCommand,
  SetRepositoryPolicyCommand,
  type ImageTagMutability,
} from '@aws-sdk/client-ecr';
import { rejectsWith } from '../../testing/assertions.ts';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { OCI_MANIFEST, RegistryClient, sha256 } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

const ACCOUNT = '000000000000';
const policyText = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('ECR registry-wide settings (SDK)', () => {
  let server: TestServer;
  let root: ECRClient;
  let rootRegistry: RegistryClient;
  let bob: ECRClient;
  let bobRegistry: RegistryClient;
  let image: Awaited<ReturnType<RegistryClient['pushImage']>>;
  const bobArn = `arn:aws:iam::${ACCOUNT}:user/bob`;
  const repositoryArn = (name: string) => `arn:aws:ecr:${server.region}:${ACCOUNT}:repository/${name}`;
  const putRegistryPolicy = (...statements: object[]) =>
    root.send(new PutRegistryPolicyCommand({ policyText: policyText(...statements) }));

  before(async () => {
    server = await startTestServer();
    ({ client: rootRegistry, ecr: root } = await RegistryClient.forServer(server));
    await root.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    await root.send(new CreateRepositoryCommand({ repositoryName: 'other' }));
    image = await rootRegistry.pushImage('team/app', 'v1');
    bob = new ECRClient({
      endpoint: server.url,
      region: server.region,
      credentials: await createUser(server, 'bob', { statements: [allowStatement('ecr:GetAuthorizationToken')] }),
      maxAttempts: 1,
    });
    ({ client: bobRegistry } = await RegistryClient.forServer(server, bob));
  });
  after(async () => {
    root.destroy();
    bob.destroy();
    await server.stop();
  });

  it('stores, answers and deletes the registry policy, and refuses one it cannot enforce', async () => {
    await rejectsWith(root.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
    await rejectsWith(root.send(new DeleteRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
    await rejectsWith(
      putRegistryPolicy({ Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'ecr:ReplicateImage' }),
      'InvalidParameterException',
      /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided: .*Resource is required/,
    );
    const text = policyText({
      Sid: 'ReplicationAccessCrossAccount',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::210987654321:root' },
      Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
      Resource: repositoryArn('*'),
    });
    const put = await root.send(new PutRegistryPolicyCommand({ policyText: text }));
    assert.deepEqual([put.registryId, put.policyText], [ACCOUNT, text]);
    assert.equal((await root.send(new GetRegistryPolicyCommand({}))).policyText, text);
    assert.equal((await root.send(new DeleteRegistryPolicyCommand({}))).policyText, text);
    await rejectsWith(root.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
  });

  it('lets a user do what the registry policy allows, on the resources it names, in the API and the registry', async () => {
    await rejectsWith(
      bob.send(new DescribeImagesCommand({ repositoryName: 'team/app' })),
      'AccessDeniedException',
      new RegExp(`User: ${bobArn} is not authorized to perform: ecr:DescribeImages`),
    );
    assert.equal((await bobRegistry.request('GET', '/v2/team/app/manifests/v1')).errorCode, 'DENIED');

    await putRegistryPolicy({
      Sid: 'BobReadsTeam',
      Effect: 'Allow',
      Principal: { AWS: bobArn },
      Action: ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: repositoryArn('team/*'),
    });
    assert.equal((await bob.send(new DescribeImagesCommand({ repositoryName: 'team/app' }))).imageDetails?.length, 1);
    assert.equal((await bobRegistry.request('GET', '/v2/team/app/manifests/v1')).status, 200);
    const layer = await bobRegistry.request('GET', `/v2/team/app/blobs/${image.layerDigest}`);
    assert.deepEqual(layer.body, Buffer.from(image.layer));
    // Another repository, another action: not covered.
    await rejectsWith(bob.send(new DescribeImagesCommand({ repositoryName: 'other' })), 'AccessDeniedException');
    await rejectsWith(bob.send(new CreateRepositoryCommand({ repositoryName: 'team/bobs' })), 'AccessDeniedException');
    assert.equal((await bobRegistry.request('POST', '/v2/team/app/blobs/uploads/')).errorCode, 'DENIED');

    // An explicit Deny in the repository's own policy still wins over the registry's Allow.
    await root.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'team/app',
        policyText: policyText({ Effect: 'Deny', Principal: { AWS: bobArn }, Action: 'ecr:BatchGetImage' }),
      }),
    );
    assert.equal((await bobRegistry.request('GET', '/v2/team/app/manifests/v1')).errorCode, 'DENIED');
    await root.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'team/app' }));

    await root.send(new DeleteRegistryPolicyCommand({}));
    await rejectsWith(bob.send(new DescribeImagesCommand({ repositoryName: 'team/app' })), 'AccessDeniedException');
  });

  it("denies what the registry policy denies, over a repository policy's Allow", async () => {
    await root.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'other',
        policyText: policyText({ Effect: 'Allow', Principal: { AWS: bobArn }, Action: 'ecr:DescribeImages' }),
      }),
    );
    assert.ok(await bob.send(new DescribeImagesCommand({ repositoryName: 'other' })));
    await putRegistryPolicy({ Effect: 'Deny', Principal: { AWS: bobArn }, Action: 'ecr:Describe*', Resource: '*' });
    await rejectsWith(
      bob.send(new DescribeImagesCommand({ repositoryName: 'other' })),
      'AccessDeniedException',
      /with an explicit deny/,
    );
    await root.send(new DeleteRegistryPolicyCommand({}));
    await root.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'other' }));
  });

  it('can deny the root too, but never the calls that remove the policy', async () => {
    await putRegistryPolicy({ Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: '*' });
    await rejectsWith(root.send(new DescribeRepositoriesCommand({})), 'AccessDeniedException', /explicit deny/);
    assert.equal((await rootRegistry.request('GET', '/v2/team/app/manifests/v1')).errorCode, 'DENIED');
    await root.send(new DeleteRegistryPolicyCommand({}));
    assert.ok((await root.send(new DescribeRepositoriesCommand({}))).repositories?.length);
  });

  it('keeps the scanning configuration, answers it per repository, and scans on push where a rule says so', async () => {
    const initial = await root.send(new GetRegistryScanningConfigurationCommand({}));
    assert.deepEqual([initial.registryId, initial.scanningConfiguration], [ACCOUNT, { scanType: 'BASIC', rules: [] }]);
    const rules = [
      {
        scanFrequency: 'SCAN_ON_PUSH' as const,
        repositoryFilters: [{ filter: 'team/*', filterType: 'WILDCARD' as const }],
      },
    ];
    const put = await root.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules }));
    assert.deepEqual(put.registryScanningConfiguration, { scanType: 'BASIC', rules });
    assert.deepEqual((await root.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, {
      scanType: 'BASIC',
      rules,
    });

    const batch = await root.send(
      new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['team/app', 'other', 'missing'] }),
    );
    assert.deepEqual(batch.scanningConfigurations, [
      {
        repositoryArn: repositoryArn('team/app'),
        repositoryName: 'team/app',
        scanOnPush: false,
        scanFrequency: 'SCAN_ON_PUSH',
        appliedScanFilters: rules[0]!.repositoryFilters,
      },
      {
        repositoryArn: repositoryArn('other'),
        repositoryName: 'other',
        scanOnPush: false,
        scanFrequency: 'MANUAL',
        appliedScanFilters: [],
      },
    ]);
    assert.deepEqual(
      batch.failures?.map((f) => [f.repositoryName, f.failureCode]),
      [['missing', 'REPOSITORY_NOT_FOUND']],
    );

    const scanned = await rootRegistry.pushImage('team/app', 'scanned');
    const unscanned = await rootRegistry.pushImage('other', 'unscanned');
    const status = async (repositoryName: string, imageDigest: string) =>
      (await root.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest }] }))).imageDetails?.[0]
        ?.imageScanStatus?.status;
    assert.equal(await status('team/app', scanned.digest), 'COMPLETE');
    assert.equal(await status('other', unscanned.digest), undefined);

    await rejectsWith(
      root.send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED', rules })),
      'InvalidParameterException',
      /Amazon Inspector/,
    );
  });

  it('stores a replication configuration without destinations, and refuses destinations it cannot serve', async () => {
    assert.deepEqual((await root.send(new DescribeRegistryCommand({}))).replicationConfiguration, { rules: [] });
    await rejectsWith(
      root.send(
        new PutReplicationConfigurationCommand({
          replicationConfiguration: { rules: [{ destinations: [{ region: server.region, registryId: ACCOUNT }] }] },
        }),
      ),
      'InvalidParameterException',
      /Replication destination cannot be the same as the source registry/,
    );
    await rejectsWith(
      root.send(
        new PutReplicationConfigurationCommand({
          replicationConfiguration: {
            rules: [
              {
                destinations: [{ region: 'eu-west-3', registryId: '210987654321' }],
                repositoryFilters: [{ filter: 'team', filterType: 'PREFIX_MATCH' }],
              },
            ],
          },
        }),
      ),
      'InvalidParameterException',
      /Berth does not replicate to other registries yet: rule 1 names registry 210987654321 in eu-west-3/,
    );
    const empty = { rules: [] };
    const put = await root.send(new PutReplicationConfigurationCommand({ replicationConfiguration: empty }));
    assert.deepEqual(put.replicationConfiguration, empty);
    const described = await root.send(new DescribeRegistryCommand({}));
    assert.deepEqual([described.registryId, described.replicationConfiguration], [ACCOUNT, empty]);
  });

  it('lists the artifacts pushed with the image as their subject', async () => {
    const emptyConfig = await rootRegistry.pushBlob('team/app', '{}');
    const sbom = await rootRegistry.pushBlob('team/app', '{"spdxVersion":"SPDX-2.3"}');
    const artifact = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyConfig, size: 2 },
      layers: [{ mediaType: 'application/spdx+json', digest: sbom, size: 26 }],
      subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: Buffer.byteLength(image.body) },
      annotations: { 'org.opencontainers.image.created': '2026-12-03T00:00:00Z' },
    });
    assert.equal((await rootRegistry.putManifest('team/app', sha256(artifact), artifact)).status, 201);

    const out = await root.send(
      new ListImageReferrersCommand({ repositoryName: 'team/app', subjectId: { imageDigest: image.digest } }),
    );
    assert.deepEqual(out.referrers, [
      {
        digest: sha256(artifact),
        mediaType: OCI_MANIFEST,
        artifactType: 'application/spdx+json',
        size: Buffer.byteLength(artifact),
        annotations: { 'org.opencontainers.image.created': '2026-12-03T00:00:00Z' },
        artifactStatus: 'ACTIVE',
      },
    ]);
    const filtered = await root.send(
      new ListImageReferrersCommand({
        repositoryName: 'team/app',
        subjectId: { imageDigest: image.digest },
        filter: { artifactTypes: ['application/vnd.dev.sigstore.bundle.v0.3+json'] },
      }),
    );
    assert.deepEqual(filtered.referrers, []);
    // The API reference: listing referrers takes ecr:BatchGetImage.
    await rejectsWith(
      bob.send(new ListImageReferrersCommand({ repositoryName: 'team/app', subjectId: { imageDigest: image.digest } })),
      'AccessDeniedException',
      /ecr:BatchGetImage/,
    );
  });

  it("answers and keeps ECR's account settings, and acts on BLOB_MOUNTING", async () => {
    const get = async (name: string) => (await root.send(new GetAccountSettingCommand({ name }))).value;
    assert.deepEqual(
      [await get('BASIC_SCAN_TYPE_VERSION'), await get('REGISTRY_POLICY_SCOPE'), await get('BLOB_MOUNTING')],
      ['AWS_NATIVE', 'V2', 'ENABLED'],
    );
    await rejectsWith(
      root.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' })),
      'InvalidParameterException',
      /V1 is retired/,
    );
    await rejectsWith(root.send(new GetAccountSettingCommand({ name: 'COLOUR' })), 'InvalidParameterException');

    const mount = () =>
      rootRegistry.request('POST', `/v2/other/blobs/uploads/?mount=${image.layerDigest}&from=team/app`);
    const put = await root.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'DISABLED' }));
    assert.deepEqual([put.name, put.value], ['BLOB_MOUNTING', 'DISABLED']);
    assert.equal(await get('BLOB_MOUNTING'), 'DISABLED');
    assert.equal((await mount()).status, 202); // an upload instead of a mount
    await root.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' }));
    assert.equal((await mount()).status, 201);
  });

  it("words an input the model rejects in ECR's terms", async () => {
    await rejectsWith(
      root.send(
        new PutImageTagMutabilityCommand({
          repositoryName: 'team/app',
          imageTagMutability: 'SOMETIMES' as ImageTagMutability,
        }),
      ),
      'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: \[MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION\]'$/,
    );
  });
});

describe('ECR registry-wide settings (AWS CLI v2)', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let cli: ReturnType<typeof awsCliFor>;
  before(async () => {
    server = await startTestServer();
    cli = awsCliFor(server, 'ecr');
    await cli.json('create-repository', '--repository-name', 'prod/api');
  });
  after(() => server.stop());

  it('puts, gets and deletes the registry policy', async () => {
    const text = policyText({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::210987654321:root' },
      Action: 'ecr:ReplicateImage',
      Resource: '*',
    });
    assert.equal(
      (await cli.json<{ policyText: string }>('put-registry-policy', '--policy-text', text)).policyText,
      text,
    );
    assert.equal((await cli.json<{ policyText: string }>('get-registry-policy')).policyText, text);
    await cli.json('delete-registry-policy');
    const missing = await cli.run('get-registry-policy');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(RegistryPolicyNotFoundException\)/);
  });

  it('puts and reads the scanning configuration, per registry and per repository', async () => {
    const rules = '[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"prod","filterType":"WILDCARD"}]}]';
    await cli.json('put-registry-scanning-configuration', '--scan-type', 'BASIC', '--rules', rules);
    const got = await cli.json<{ scanningConfiguration: { rules: unknown[] } }>('get-registry-scanning-configuration');
    assert.deepEqual(got.scanningConfiguration.rules, JSON.parse(rules));
    const batch = await cli.json<{ scanningConfigurations: { scanFrequency: string }[] }>(
      'batch-get-repository-scanning-configuration',
      '--repository-names',
      'prod/api',
    );
    assert.equal(batch.scanningConfigurations[0]!.scanFrequency, 'SCAN_ON_PUSH');
  });

  it('refuses a replication destination and describes the registry', async () => {
    const refused = await cli.run(
      'put-replication-configuration',
      '--replication-configuration',
      '{"rules":[{"destinations":[{"region":"us-west-2","registryId":"000000000000"}]}]}',
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(InvalidParameterException\).*Berth does not replicate to other registries yet/);
    const described = await cli.json<{ replicationConfiguration: unknown }>('describe-registry');
    assert.deepEqual(described.replicationConfiguration, { rules: [] });
  });

  it("answers an enum the model does not list in ECR's words", async () => {
    const result = await cli.run(
      'create-repository',
      '--repository-name',
      'cli/enum',
      '--image-tag-mutability',
      'SOMETIMES',
    );
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /\(InvalidParameterException\) when calling the CreateRepository operation: Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: \[MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION\]'/,
    );
  });
});
