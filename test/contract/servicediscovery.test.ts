import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/*
 * AWS Cloud Map with the AWS CLI v2 (/usr/bin/aws). DiscoverInstances and DiscoverInstancesRevision
 * have the host prefix "data-": the CLI sends them to data-<endpoint host>, which does not resolve
 * for 127.0.0.1. Written with a user part (http://berth@127.0.0.1:PORT), the endpoint's host stays
 * 127.0.0.1 and the prefix goes on the user part, which the CLI does not send.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Cloud Map with the AWS CLI v2', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  const as = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const endpoint = () => server.url.replace('http://', 'http://berth@');
    const run = (...args: string[]) =>
      aws(['--endpoint-url', endpoint(), '--output', 'json', 'servicediscovery', ...args], env);
    const json = async (...args: string[]): Promise<Json> => {
      const result = await run(...args);
      assert.equal(result.code, 0, `aws servicediscovery ${args.join(' ')}: ${result.stderr}`);
      return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as Json;
    };
    const fails = async (pattern: RegExp, ...args: string[]) => {
      const result = await run(...args);
      assert.notEqual(result.code, 0, `aws servicediscovery ${args.join(' ')} succeeded`);
      assert.match(result.stderr, pattern);
    };
    return { run, json, fails };
  };
  let root: ReturnType<typeof as>;
  /** The operation an asynchronous call started, as GetOperation reports it. */
  const operationOf = async (answer: Json): Promise<Json> =>
    (await root.json('get-operation', '--operation-id', answer.OperationId)).Operation as Json;

  before(async () => {
    server = await startTestServer();
    root = as(server.credentials);
  });
  after(() => server.stop());

  let namespaceId: string;
  let serviceId: string;

  it('creates namespaces as asynchronous operations and reports them as Cloud Map does', async () => {
    const created = await root.json('create-private-dns-namespace', '--name', 'local', '--vpc', 'vpc-1');
    assert.match(created.OperationId, /^[a-z0-9]{32}-[a-z0-9]{8}$/);
    const operation = await operationOf(created);
    assert.equal(operation.Status, 'SUCCESS');
    assert.equal(operation.Type, 'CREATE_NAMESPACE');
    assert.match(operation.CreateDate, /^\d{4}-\d\d-\d\dT/); // the CLI shows timestamps in ISO 8601
    namespaceId = operation.Targets.NAMESPACE;
    assert.match(namespaceId, /^ns-[a-z0-9]{16}$/);
    const { Namespace } = await root.json('get-namespace', '--id', namespaceId);
    assert.equal(Namespace.Arn, `arn:aws:servicediscovery:us-east-1:000000000000:namespace/${namespaceId}`);
    assert.equal(Namespace.Type, 'DNS_PRIVATE');
    assert.equal(Namespace.ServiceCount, 0);
    assert.match(Namespace.Properties.DnsProperties.HostedZoneId, /^Z[A-Z0-9]{20}$/);
    assert.deepEqual(Namespace.Properties.DnsProperties.SOA, { TTL: 15 });
    assert.deepEqual(Namespace.Properties.HttpProperties, { HttpName: 'local' });
    // The ARN names it as well as the id does.
    assert.equal((await root.json('get-namespace', '--id', Namespace.Arn)).Namespace.Id, namespaceId);

    await root.json('create-http-namespace', '--name', 'apis', '--description', 'by API only');
    await root.fails(
      /NamespaceAlreadyExists.*Namespace already exists: ns-/,
      'create-http-namespace',
      '--name',
      'LOCAL',
    );
    // A private namespace within another of the same VPC: Route 53 would refuse its hosted zone.
    const inner = await operationOf(
      await root.json('create-private-dns-namespace', '--name', 'x.local', '--vpc', 'vpc-1'),
    );
    assert.equal(inner.Status, 'FAIL');
    assert.equal(inner.ErrorCode, 'CANNOT_CREATE_HOSTED_ZONE');
    assert.match(inner.ErrorMessage, /ConflictingDomainExists/);

    const privates = await root.json('list-namespaces', '--filters', 'Name=TYPE,Values=DNS_PRIVATE');
    assert.deepEqual(
      privates.Namespaces.map((n: Json) => n.Name),
      ['local'],
    );
    const named = await root.json('list-namespaces', '--filters', 'Name=NAME,Values=ap,Condition=BEGINS_WITH');
    assert.deepEqual(
      named.Namespaces.map((n: Json) => [n.Name, n.Type, n.Description]),
      [['apis', 'HTTP', 'by API only']],
    );
    await root.fails(
      /InvalidInput.*The TYPE filter takes the condition EQ or IN, not BEGINS_WITH/,
      'list-namespaces',
      '--filters',
      'Name=TYPE,Values=HTTP,Condition=BEGINS_WITH',
    );

    const updated = await operationOf(
      await root.json(
        'update-private-dns-namespace',
        '--id',
        namespaceId,
        '--namespace',
        'Description=tasks,Properties={DnsProperties={SOA={TTL=60}}}',
      ),
    );
    assert.deepEqual([updated.Type, updated.Status], ['UPDATE_NAMESPACE', 'SUCCESS']);
    const after = (await root.json('get-namespace', '--id', namespaceId)).Namespace;
    assert.deepEqual([after.Description, after.Properties.DnsProperties.SOA.TTL], ['tasks', 60]);
  });

  it('creates services with DNS records and custom health, and refuses what Cloud Map refuses', async () => {
    const { Service } = await root.json(
      'create-service',
      '--name',
      'api',
      '--namespace-id',
      namespaceId,
      '--dns-config',
      'RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=A,TTL=10},{Type=SRV,TTL=10}]',
      '--health-check-custom-config',
      'FailureThreshold=1',
      '--tags',
      'Key=team,Value=core',
    );
    serviceId = Service.Id;
    assert.match(serviceId, /^srv-[a-z0-9]{16}$/);
    assert.equal(Service.Arn, `arn:aws:servicediscovery:us-east-1:000000000000:service/${serviceId}`);
    assert.deepEqual(
      [Service.Type, Service.NamespaceId, Service.InstanceCount, Service.HealthCheckCustomConfig],
      ['DNS_HTTP', namespaceId, 0, { FailureThreshold: 1 }],
    );
    // In a DNS namespace, API and api are one DNS name.
    await root.fails(
      /ServiceAlreadyExists/,
      'create-service',
      '--name',
      'API',
      '--namespace-id',
      namespaceId,
      '--dns-config',
      'DnsRecords=[{Type=A,TTL=10}]',
    );
    await root.fails(
      /InvalidInput.*CNAME record must use the WEIGHTED routing policy/,
      'create-service',
      '--name',
      'alias',
      '--namespace-id',
      namespaceId,
      '--dns-config',
      'DnsRecords=[{Type=CNAME,TTL=10}]',
    );
    await root.fails(
      /InvalidInput.*HealthCheckConfig is for public DNS and HTTP namespaces only/,
      'create-service',
      '--name',
      'checked',
      '--namespace-id',
      namespaceId,
      '--dns-config',
      'DnsRecords=[{Type=A,TTL=10}]',
      '--health-check-config',
      'Type=HTTP,ResourcePath=/',
    );
    await root.fails(
      /NamespaceNotFound.*Namespace not found/,
      'create-service',
      '--name',
      'x',
      '--namespace-id',
      'ns-nope',
    );
    const listed = await root.json('list-services', '--filters', `Name=NAMESPACE_ID,Values=${namespaceId}`);
    assert.deepEqual(
      listed.Services.map((s: Json) => s.Name),
      ['api'],
    );
    assert.equal((await root.json('get-namespace', '--id', namespaceId)).Namespace.ServiceCount, 1);
    const update = await operationOf(
      await root.json(
        'update-service',
        '--id',
        serviceId,
        '--service',
        'DnsConfig={DnsRecords=[{Type=A,TTL=30},{Type=SRV,TTL=30}]}',
      ),
    );
    assert.deepEqual([update.Type, update.Targets], ['UPDATE_SERVICE', { SERVICE: serviceId }]);
    const service = (await root.json('get-service', '--id', serviceId)).Service;
    assert.deepEqual(service.DnsConfig.DnsRecords, [
      { Type: 'A', TTL: 30 },
      { Type: 'SRV', TTL: 30 },
    ]);
    assert.deepEqual((await root.json('list-tags-for-resource', '--resource-arn', Service.Arn)).Tags, [
      { Key: 'team', Value: 'core' },
    ]);
  });

  it('registers instances with the attributes their records need, and discovers them by health', async () => {
    await root.fails(
      /InvalidInput.*AWS_INSTANCE_IPV4 is required because the service has an A record/,
      'register-instance',
      '--service-id',
      serviceId,
      '--instance-id',
      'i-1',
      '--attributes',
      'AWS_INSTANCE_PORT=80',
    );
    await root.fails(
      /InvalidInput.*Berth does not support Attributes: AWS_ALIAS_DNS_NAME/,
      'register-instance',
      '--service-id',
      serviceId,
      '--instance-id',
      'i-1',
      '--attributes',
      'AWS_EC2_INSTANCE_ID=i-0123456789abcdef0',
    );
    const first = await operationOf(
      await root.json(
        'register-instance',
        '--service-id',
        serviceId,
        '--instance-id',
        'i-1',
        '--attributes',
        'AWS_INSTANCE_IPV4=10.0.0.1,AWS_INSTANCE_PORT=8080,version=v1',
      ),
    );
    assert.deepEqual(
      [first.Type, first.Status, first.Targets],
      ['REGISTER_INSTANCE', 'SUCCESS', { INSTANCE: 'i-1', SERVICE: serviceId }],
    );
    await root.json(
      'register-instance',
      '--service-id',
      serviceId,
      '--instance-id',
      'i-2',
      '--attributes',
      'AWS_INSTANCE_IPV4=10.0.0.2,AWS_INSTANCE_PORT=8080,version=v2,AWS_INIT_HEALTH_STATUS=UNHEALTHY',
    );
    const instance = await root.json('get-instance', '--service-id', serviceId, '--instance-id', 'i-1');
    assert.deepEqual(instance.Instance.Attributes, {
      AWS_INSTANCE_IPV4: '10.0.0.1',
      AWS_INSTANCE_PORT: '8080',
      version: 'v1',
    });
    assert.deepEqual(
      (await root.json('list-instances', '--service-id', serviceId)).Instances.map((i: Json) => i.Id),
      ['i-1', 'i-2'],
    );
    assert.deepEqual((await root.json('get-instances-health-status', '--service-id', serviceId)).Status, {
      'i-1': 'HEALTHY',
      'i-2': 'UNHEALTHY',
    });
    const discover = async (...args: string[]) =>
      (await root.json('discover-instances', '--namespace-name', 'local', '--service-name', 'api', ...args)) as Json;
    const healthy = await discover('--health-status', 'HEALTHY');
    assert.deepEqual(
      healthy.Instances.map((i: Json) => [i.InstanceId, i.NamespaceName, i.ServiceName, i.HealthStatus]),
      [['i-1', 'local', 'api', 'HEALTHY']],
    );
    assert.deepEqual(
      (await discover('--query-parameters', 'version=v2')).Instances.map((i: Json) => i.InstanceId),
      ['i-2'],
    );
    // Optional parameters that no instance matches are ignored.
    assert.equal((await discover('--optional-parameters', 'version=v9')).Instances.length, 2);
    await root.json(
      'update-instance-custom-health-status',
      '--service-id',
      serviceId,
      '--instance-id',
      'i-1',
      '--status',
      'UNHEALTHY',
    );
    const failingOpen = await discover('--health-status', 'HEALTHY_OR_ELSE_ALL');
    assert.deepEqual(
      failingOpen.Instances.map((i: Json) => i.HealthStatus),
      ['UNHEALTHY', 'UNHEALTHY'],
    );
    await root.fails(/ServiceNotFound/, 'discover-instances', '--namespace-name', 'local', '--service-name', 'web');
    await root.fails(/NamespaceNotFound/, 'discover-instances', '--namespace-name', 'other', '--service-name', 'api');
  });

  it('refuses to delete what is in use, deregisters as an operation, and deletes the namespace last', async () => {
    await root.fails(
      /ResourceInUse.*Service contains registered instances; delete the instances before deleting the service/,
      'delete-service',
      '--id',
      serviceId,
    );
    await root.fails(/ResourceInUse/, 'delete-namespace', '--id', namespaceId);
    for (const id of ['i-1', 'i-2']) {
      const gone = await operationOf(
        await root.json('deregister-instance', '--service-id', serviceId, '--instance-id', id),
      );
      assert.deepEqual([gone.Type, gone.Status], ['DEREGISTER_INSTANCE', 'SUCCESS']);
    }
    await root.fails(/InstanceNotFound/, 'deregister-instance', '--service-id', serviceId, '--instance-id', 'i-1');
    const registrations = await root.json(
      'list-operations',
      '--filters',
      'Name=TYPE,Values=REGISTER_INSTANCE,DEREGISTER_INSTANCE,Condition=IN',
      `Name=SERVICE_ID,Values=${serviceId}`,
    );
    assert.equal(registrations.Operations.length, 4);
    assert.ok(registrations.Operations.every((o: Json) => o.Status === 'SUCCESS'));
    await root.json('delete-service', '--id', serviceId);
    await root.fails(/ServiceNotFound.*Service not found/, 'get-service', '--id', serviceId);
    const deleted = await operationOf(await root.json('delete-namespace', '--id', namespaceId));
    assert.deepEqual([deleted.Type, deleted.Targets], ['DELETE_NAMESPACE', { NAMESPACE: namespaceId }]);
    await root.fails(/NamespaceNotFound/, 'get-namespace', '--id', namespaceId);
    await root.fails(/OperationNotFound/, 'get-operation', '--operation-id', 'nope');
  });

  it('asks IAM for servicediscovery actions: a reader may discover but not create', async () => {
    const reader = as(
      await createUser(server, 'sd-reader', {
        statements: [
          allowStatement('servicediscovery:Get*', 'servicediscovery:List*', 'servicediscovery:DiscoverInstances'),
        ],
      }),
    );
    await reader.json('list-namespaces');
    await reader.fails(
      /AccessDeniedException.*user\/sd-reader is not authorized to perform: servicediscovery:CreateHttpNamespace/,
      'create-http-namespace',
      '--name',
      'mine',
    );
  });
});
