import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../store/index.ts';
import { registrationOf, registryProblem, ServiceRegistries, type ServiceDiscovery } from './service-registries.ts';
import type { Service } from './shapes.generated.ts';

const REGISTRY = 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-abc';
const at = { cluster: 'prod', service: 'web', region: 'us-east-1' };

function task(id: string, body: Record<string, unknown>, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    cluster: 'prod',
    arn: `arn:aws:ecs:us-east-1:000000000000:task/prod/${id}`,
    family: 'web',
    launchType: 'FARGATE',
    group: 'service:web',
    serviceName: 'web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date(0),
    reservation: { cpu: 0, memory: 0, ports: [], udpPorts: [] } as never,
    body,
    ...overrides,
  };
}

const awsvpcTask = (id: string, extra: Record<string, unknown> = {}) =>
  task(id, {
    berth: { networkMode: 'awsvpc' },
    availabilityZone: 'us-east-1b',
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '172.30.0.5' }] }],
    ...extra,
  });

describe('registrationOf', () => {
  it('registers an awsvpc task by its address, with the attributes ECS sets', () => {
    assert.deepEqual(registrationOf(awsvpcTask('t1'), { registryArn: REGISTRY }, at), {
      instanceId: 't1',
      attributes: {
        AWS_INSTANCE_IPV4: '172.30.0.5',
        AVAILABILITY_ZONE: 'us-east-1b',
        AWS_INIT_HEALTH_STATUS: 'HEALTHY',
        ECS_CLUSTER_NAME: 'prod',
        ECS_SERVICE_NAME: 'web',
        ECS_TASK_DEFINITION_FAMILY: 'web',
        REGION: 'us-east-1',
      },
    });
    const srv = registrationOf(awsvpcTask('t1'), { registryArn: REGISTRY, port: 8080 }, at);
    assert.equal(srv?.attributes.AWS_INSTANCE_PORT, '8080');
  });

  it("registers a bridge task at its instance's address and the host port of the named container port", () => {
    const bridge = task(
      't2',
      {
        berth: { networkMode: 'bridge' },
        containers: [{ name: 'app', networkBindings: [{ containerPort: 80, hostPort: 32768 }] }],
        healthStatus: 'UNHEALTHY',
      },
      { containerInstance: 'ci-1' },
    );
    const registry = { registryArn: REGISTRY, containerName: 'app', containerPort: 80 };
    const registration = registrationOf(bridge, registry, { ...at, hostAddress: '10.0.0.7' });
    assert.equal(registration?.attributes.AWS_INSTANCE_IPV4, '10.0.0.7');
    assert.equal(registration?.attributes.AWS_INSTANCE_PORT, '32768');
    assert.equal(registration?.attributes.AWS_INIT_HEALTH_STATUS, 'UNHEALTHY');
    // No host port reported yet, or no address: not yet.
    assert.equal(
      registrationOf(bridge, { ...registry, containerPort: 81 }, { ...at, hostAddress: '10.0.0.7' }),
      undefined,
    );
    assert.equal(registrationOf(bridge, registry, at), undefined);
  });
});

describe('registryProblem', () => {
  const check = (registries: object[], networkMode: string, types: readonly string[] | undefined) =>
    registryProblem(registries as never, { networkMode, recordTypes: () => types });

  it('takes what ECS takes', () => {
    assert.equal(check([{ registryArn: REGISTRY }], 'awsvpc', ['A']), undefined);
    assert.equal(check([{ registryArn: REGISTRY, port: 80 }], 'awsvpc', ['SRV']), undefined);
    assert.equal(
      check([{ registryArn: REGISTRY, containerName: 'app', containerPort: 80 }], 'bridge', ['SRV']),
      undefined,
    );
  });

  it('refuses what ECS refuses', () => {
    assert.match(check([{ registryArn: REGISTRY }, { registryArn: REGISTRY }], 'awsvpc', ['A'])!, /Only one/);
    assert.match(check([{ registryArn: REGISTRY }], 'awsvpc', undefined)!, /does not exist/);
    assert.equal(
      check([{ registryArn: REGISTRY, containerName: 'app', containerPort: 80 }], 'awsvpc', ['A']),
      "The values specified for serviceRegistries do not require a value for 'containerPort'. Remove the value and retry.",
    );
    assert.match(check([{ registryArn: REGISTRY }], 'awsvpc', ['SRV'])!, /require a value for 'port'/);
    assert.match(check([{ registryArn: REGISTRY, port: 80 }], 'bridge', ['SRV'])!, /containerName and containerPort/);
    assert.match(check([{ registryArn: REGISTRY }], 'bridge', ['A'])!, /awsvpc network mode/);
  });
});

describe('ServiceRegistries', () => {
  function fakeDiscovery() {
    const instances = new Map<string, Record<string, string>>();
    const calls: string[] = [];
    const discovery: ServiceDiscovery = {
      service: async () => ({ recordTypes: ['A'] }),
      register: async (_arn, id, attributes) => {
        calls.push(`register ${id}`);
        instances.set(id, { ...attributes });
      },
      deregister: async (_arn, id) => {
        calls.push(`deregister ${id}`);
        instances.delete(id);
      },
      setHealth: async (_arn, id, status) => void calls.push(`health ${id} ${status}`),
      instancesOf: async () => [...instances.keys()],
    };
    return { discovery, calls };
  }
  const service = { serviceName: 'web', serviceRegistries: [{ registryArn: REGISTRY }] } as Service;
  const sync = (registries: ServiceRegistries, tasks: TaskRecord[]) =>
    registries.sync({ cluster: 'prod', service, tasks, region: 'us-east-1', hostAddress: () => undefined });

  it('registers RUNNING tasks once, follows their health, and deregisters the ones that are gone', async () => {
    const { discovery, calls } = fakeDiscovery();
    const registries = new ServiceRegistries(discovery);
    await sync(registries, [awsvpcTask('t1'), awsvpcTask('t2', {}), task('t3', {}, { lastStatus: 'PENDING' })]);
    await sync(registries, [awsvpcTask('t1'), awsvpcTask('t2')]);
    assert.deepEqual(calls, ['register t1', 'register t2']);
    await sync(registries, [awsvpcTask('t1', { healthStatus: 'UNHEALTHY' })]);
    assert.deepEqual(calls.slice(2), ['health t1 UNHEALTHY', 'deregister t2']);
  });

  it('registers a task with health checks only once it is HEALTHY', async () => {
    const { discovery, calls } = fakeDiscovery();
    const registries = new ServiceRegistries(discovery);
    const checked = (healthStatus: string) =>
      awsvpcTask('t1', { healthStatus, containers: [{ name: 'web', healthStatus }] });
    await sync(registries, [checked('UNKNOWN')]);
    await sync(registries, [checked('UNHEALTHY')]);
    assert.deepEqual(calls, []);
    await sync(registries, [checked('HEALTHY')]);
    await sync(registries, [checked('UNHEALTHY')]);
    assert.deepEqual(calls, ['register t1', 'health t1 UNHEALTHY']);
  });

  it('takes a stopping task out at once', async () => {
    const { discovery, calls } = fakeDiscovery();
    const registries = new ServiceRegistries(discovery);
    await sync(registries, [awsvpcTask('t1')]);
    await registries.taskStopping(service, { id: 't1' });
    assert.deepEqual(calls, ['register t1', 'deregister t1']);
  });

  it("keeps each deployment's tasks in its own registries until they stop, as an UpdateService of serviceRegistries does", async () => {
    const NEW = `${REGISTRY}-new`;
    const registered = new Map<string, Set<string>>([
      [REGISTRY, new Set()],
      [NEW, new Set()],
    ]);
    const calls: string[] = [];
    const discovery: ServiceDiscovery = {
      service: async () => ({ recordTypes: ['A'] }),
      register: async (arn, id) => {
        calls.push(`register ${arn === NEW ? 'new' : 'old'} ${id}`);
        registered.get(arn)!.add(id);
      },
      deregister: async (arn, id) => {
        calls.push(`deregister ${arn === NEW ? 'new' : 'old'} ${id}`);
        registered.get(arn)!.delete(id);
      },
      setHealth: async () => {},
      instancesOf: async (arn) => [...registered.get(arn)!],
    };
    const registries = new ServiceRegistries(discovery);
    const updated = {
      serviceName: 'web',
      serviceRegistries: [{ registryArn: NEW }],
      deployments: [
        { id: 'ecs-svc/2', serviceRegistries: [{ registryArn: NEW }] },
        { id: 'ecs-svc/1', serviceRegistries: [{ registryArn: REGISTRY }] },
      ],
    } as unknown as Service;
    const passOf = (tasks: TaskRecord[]) =>
      registries.sync({ cluster: 'prod', service: updated, tasks, region: 'us-east-1', hostAddress: () => undefined });
    const oldTask = task('t1', awsvpcTask('t1').body as Record<string, unknown>, { startedBy: 'ecs-svc/1' });
    const newTask = task('t2', awsvpcTask('t2').body as Record<string, unknown>, { startedBy: 'ecs-svc/2' });
    await passOf([oldTask, newTask]);
    assert.deepEqual(calls, ['register old t1', 'register new t2']);
    await registries.taskStopping(updated, oldTask);
    assert.deepEqual(calls.slice(2), ['deregister old t1']);
    // The old deployment retired (its task gone): a leftover in its registry still goes.
    registered.get(REGISTRY)!.add('t9');
    await passOf([newTask]);
    assert.deepEqual(calls.slice(3), ['deregister old t9']);
    assert.deepEqual([...registered.get(NEW)!], ['t2']);
  });
});
