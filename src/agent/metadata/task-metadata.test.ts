import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskAssignment } from '../../ecs/index.ts';
import type { RuntimeContainer } from '../runtime.ts';
import type { TaskWorkerSnapshot } from '../task-worker.ts';
import {
  containerMetadata,
  rfc3339,
  taskMetadata,
  taskMetadataSnapshot,
  type ContainerSnapshot,
  type TaskMetadataSnapshot,
} from './task-metadata.ts';

const TASK_ARN = 'arn:aws:ecs:us-west-2:000000000000:task/prod/8f03e41243824aea923aca126495f665';
const CLUSTER_ARN = 'arn:aws:ecs:us-west-2:000000000000:cluster/prod';
const DOCKER_ID = 'ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66';

function anAssignment(overrides: Partial<TaskAssignment> = {}): TaskAssignment {
  return {
    cluster: 'prod',
    clusterArn: CLUSTER_ARN,
    taskArn: TASK_ARN,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    launchType: 'FARGATE',
    family: 'curltest',
    revision: 24,
    networkMode: 'awsvpc',
    cpu: 256,
    memory: 512,
    containers: [
      {
        name: 'curl',
        image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest:latest',
        cpu: 10,
        memory: 128,
        portMappings: [{ containerPort: 80 }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/metadata', 'awslogs-region': 'us-west-2', 'awslogs-stream-prefix': 'ecs' },
        },
      },
    ],
    volumes: [],
    bindings: {},
    subnets: ['subnet-0123'],
    createdAt: '2020-10-02T00:15:06.000Z',
    containerArns: { curl: 'arn:aws:ecs:us-west-2:000000000000:container/prod/8f03e4/0206b271' },
    ...overrides,
  };
}

function aContainer(overrides: Partial<ContainerSnapshot> = {}): ContainerSnapshot {
  return {
    name: 'curl',
    status: 'RUNNING',
    runtimeId: DOCKER_ID,
    runtimeName: 'ecs-curltest-24-curl-cca48e8dcadd97805600',
    imageId: 'sha256:d691691e9652791a60114e67b365688d20d19940dde7c4736ea30e660d8d3553',
    createdAt: '2020-10-02T00:15:07.620912337Z',
    startedAt: '2020-10-02T00:15:08.062559351Z',
    bindings: [],
    ...overrides,
  };
}

function aSnapshot(overrides: Partial<TaskMetadataSnapshot> = {}): TaskMetadataSnapshot {
  return {
    task: anAssignment(),
    lastStatus: 'RUNNING',
    containers: [aContainer()],
    network: {
      ipv4: '10.0.2.100',
      mac: '0e:9e:32:c7:48:85',
      sandboxId: 'pause',
      subnet: '10.0.2.0/24',
      gateway: '10.0.2.1',
    },
    pullStartedAt: new Date('2020-10-02T00:43:06.202Z'),
    pullStoppedAt: new Date('2020-10-02T00:43:06.31Z'),
    availabilityZone: 'us-west-2d',
    ...overrides,
  };
}

describe('containerMetadata', () => {
  it('writes an awsvpc container as ECS does, fields in ECS’s order', () => {
    const document = containerMetadata(aSnapshot(), 'curl');
    assert.deepEqual(document, {
      DockerId: DOCKER_ID,
      Name: 'curl',
      DockerName: 'ecs-curltest-24-curl-cca48e8dcadd97805600',
      Image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest:latest',
      ImageID: 'sha256:d691691e9652791a60114e67b365688d20d19940dde7c4736ea30e660d8d3553',
      Ports: [{ ContainerPort: 80, Protocol: 'tcp', HostPort: 80 }],
      Labels: {
        'com.amazonaws.ecs.cluster': CLUSTER_ARN,
        'com.amazonaws.ecs.container-name': 'curl',
        'com.amazonaws.ecs.task-arn': TASK_ARN,
        'com.amazonaws.ecs.task-definition-family': 'curltest',
        'com.amazonaws.ecs.task-definition-version': '24',
      },
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      Limits: { CPU: 10, Memory: 128 },
      CreatedAt: '2020-10-02T00:15:07.620912337Z',
      StartedAt: '2020-10-02T00:15:08.062559351Z',
      Type: 'NORMAL',
      // The stream prefix becomes the stream itself: PREFIX/CONTAINER/TASK-ID.
      LogDriver: 'awslogs',
      LogOptions: {
        'awslogs-group': '/ecs/metadata',
        'awslogs-region': 'us-west-2',
        'awslogs-stream': 'ecs/curl/8f03e41243824aea923aca126495f665',
      },
      ContainerARN: 'arn:aws:ecs:us-west-2:000000000000:container/prod/8f03e4/0206b271',
      Networks: [
        {
          NetworkMode: 'awsvpc',
          IPv4Addresses: ['10.0.2.100'],
          AttachmentIndex: 0,
          MACAddress: '0e:9e:32:c7:48:85',
          IPv4SubnetCIDRBlock: '10.0.2.0/24',
          PrivateDNSName: 'ip-10-0-2-100.us-west-2.compute.internal',
          SubnetGatewayIpv4Address: '10.0.2.1/24',
        },
      ],
    });
    assert.equal(
      Object.keys(document!).join(' '),
      'DockerId Name DockerName Image ImageID Ports Labels DesiredStatus KnownStatus Limits CreatedAt StartedAt Type LogDriver LogOptions ContainerARN Networks',
    );
  });

  it('is undefined for a container the task does not have', () => {
    assert.equal(containerMetadata(aSnapshot(), 'nginx'), undefined);
  });

  const bridge = anAssignment({
    launchType: 'EC2',
    networkMode: 'bridge',
    containers: [{ name: 'web', image: 'nginx', memory: 256, dockerLabels: { team: 'web' } }],
  });
  const published = [{ containerPort: 80, hostPort: 32768, protocol: 'tcp' as const, bindIP: '0.0.0.0' }];
  const cases: {
    name: string;
    snapshot: Partial<TaskMetadataSnapshot>;
    container: Partial<ContainerSnapshot>;
    expected: Record<string, unknown>;
  }[] = [
    {
      name: 'bridge: the host ports and the container’s bridge address; the cluster by name',
      snapshot: { task: bridge, network: undefined },
      container: { name: 'web', bindings: published, ipv4Addresses: ['172.17.0.2'] },
      expected: {
        Ports: [{ ContainerPort: 80, Protocol: 'tcp', HostPort: 32768, HostIp: '0.0.0.0' }],
        Networks: [{ NetworkMode: 'bridge', IPv4Addresses: ['172.17.0.2'] }],
        Limits: { CPU: 0, Memory: 256 },
        Labels: {
          team: 'web',
          'com.amazonaws.ecs.cluster': 'prod',
          'com.amazonaws.ecs.container-name': 'web',
          'com.amazonaws.ecs.task-arn': TASK_ARN,
          'com.amazonaws.ecs.task-definition-family': 'curltest',
          'com.amazonaws.ecs.task-definition-version': '24',
        },
      },
    },
    {
      name: 'host: the network mode alone',
      snapshot: { task: { ...bridge, networkMode: 'host' }, network: undefined },
      container: { name: 'web' },
      expected: { Ports: undefined, Networks: [{ NetworkMode: 'host' }] },
    },
    {
      name: 'none: no network',
      snapshot: { task: { ...bridge, networkMode: 'none' }, network: undefined },
      container: { name: 'web' },
      expected: { Networks: undefined },
    },
    {
      name: 'awsvpc in us-east-1: EC2’s ec2.internal names',
      snapshot: { task: anAssignment({ taskArn: TASK_ARN.replace('us-west-2', 'us-east-1') }) },
      container: {},
      expected: { PrivateDNSName: 'ip-10-0-2-100.ec2.internal' },
    },
    {
      name: 'created, not started: CREATED, no StartedAt',
      snapshot: { lastStatus: 'PENDING' },
      container: { status: 'PENDING', startedAt: undefined },
      expected: { KnownStatus: 'CREATED', StartedAt: undefined },
    },
    {
      name: 'not created yet, images pulled: PULLED, no Docker ID',
      snapshot: { lastStatus: 'PENDING' },
      container: { status: 'PENDING', runtimeId: undefined, runtimeName: undefined, imageId: undefined },
      expected: { KnownStatus: 'PULLED', DockerId: '', DockerName: '', ImageID: '' },
    },
    {
      name: 'not created, still pulling: NONE',
      snapshot: { lastStatus: 'PENDING', pullStoppedAt: undefined },
      container: { status: 'PENDING', runtimeId: undefined },
      expected: { KnownStatus: 'NONE' },
    },
    {
      name: 'exited: STOPPED with the exit code and FinishedAt; the task still runs the others',
      snapshot: {},
      container: { status: 'STOPPED', exitCode: 3, finishedAt: '2020-10-02T00:20:00.1Z' },
      expected: { KnownStatus: 'STOPPED', DesiredStatus: 'RUNNING', ExitCode: 3, FinishedAt: '2020-10-02T00:20:00.1Z' },
    },
    {
      name: 'the task is stopping: every container is desired STOPPED',
      snapshot: { task: anAssignment({ desiredStatus: 'STOPPED' }) },
      container: {},
      expected: { DesiredStatus: 'STOPPED', KnownStatus: 'RUNNING' },
    },
  ];
  for (const { name, snapshot, container, expected } of cases) {
    it(name, () => {
      const containerName = container.name ?? 'curl';
      const document = containerMetadata(
        aSnapshot({ ...snapshot, containers: [aContainer(container)] }),
        containerName,
      ) as unknown as Record<string, unknown>;
      const network = (document.Networks as Record<string, unknown>[] | undefined)?.[0] ?? {};
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(key in document ? document[key] : network[key], value, key);
      }
    });
  }

  it('reports health, with the latest check’s time, and its output and exit code when it failed', () => {
    const task = anAssignment({
      containers: [{ name: 'curl', image: 'curl', healthCheck: { command: ['CMD-SHELL', 'exit 1'] } }],
    });
    const failing = aContainer({
      health: 'UNHEALTHY',
      lastHealthCheck: { at: '2020-10-02T00:16:00.5Z', exitCode: 1, output: 'refused' },
    });
    assert.deepEqual(containerMetadata(aSnapshot({ task, containers: [failing] }), 'curl')?.Health, {
      status: 'UNHEALTHY',
      statusSince: '2020-10-02T00:16:00.5Z',
      exitCode: 1,
      output: 'refused',
    });
    const unknown = aContainer({ health: undefined });
    assert.deepEqual(containerMetadata(aSnapshot({ task, containers: [unknown] }), 'curl')?.Health, {
      status: 'UNKNOWN',
    });
    assert.equal(containerMetadata(aSnapshot(), 'curl')?.Health, undefined, 'no health check, no Health');
  });

  it('leaves out what v4 added when asked for v3', () => {
    const document = containerMetadata(aSnapshot(), 'curl', { version: 3 });
    assert.equal(document?.LogDriver, undefined);
    assert.equal(document?.ContainerARN, undefined);
    assert.deepEqual(document?.Networks, [{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.0.2.100'] }]);
  });
});

describe('taskMetadata', () => {
  it('writes a FARGATE task with its limits in vCPUs, its zone and its containers', () => {
    const document = taskMetadata(aSnapshot());
    assert.equal(
      Object.keys(document).join(' '),
      'Cluster TaskARN Family Revision DesiredStatus KnownStatus Limits PullStartedAt PullStoppedAt AvailabilityZone LaunchType Containers FaultInjectionEnabled',
    );
    assert.equal(document.Cluster, CLUSTER_ARN);
    assert.equal(document.Revision, '24');
    assert.equal(document.KnownStatus, 'RUNNING');
    assert.deepEqual(document.Limits, { CPU: 0.25, Memory: 512 }); // 256 / 1024 vCPU
    assert.equal(document.PullStartedAt, '2020-10-02T00:43:06.202Z');
    assert.equal(document.PullStoppedAt, '2020-10-02T00:43:06.31Z');
    assert.equal(document.AvailabilityZone, 'us-west-2d');
    assert.deepEqual(document.Containers, [containerMetadata(aSnapshot(), 'curl')]);
  });

  it('lists containers in definition order and has no task limits for EC2', () => {
    const task = anAssignment({
      launchType: 'EC2',
      networkMode: 'bridge',
      containers: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b' },
      ],
    });
    const snapshot = aSnapshot({
      task,
      network: undefined,
      containers: [aContainer({ name: 'b' }), aContainer({ name: 'a', status: 'PENDING' })],
    });
    const document = taskMetadata(snapshot);
    assert.deepEqual(
      document.Containers.map((c) => c.Name),
      ['a', 'b'],
    );
    assert.equal(document.Limits, undefined);
    assert.equal(document.Cluster, 'prod');
    assert.equal(document.LaunchType, 'EC2');
  });

  const statuses: { lastStatus: string; containers: Partial<ContainerSnapshot>[]; pulled: boolean; known: string }[] = [
    { lastStatus: 'PROVISIONING', containers: [{ runtimeId: undefined }], pulled: false, known: 'NONE' },
    { lastStatus: 'PENDING', containers: [{ runtimeId: undefined }], pulled: true, known: 'PULLED' },
    { lastStatus: 'PENDING', containers: [{ status: 'RUNNING' }], pulled: true, known: 'CREATED' },
    { lastStatus: 'RUNNING', containers: [{}], pulled: true, known: 'RUNNING' },
    { lastStatus: 'STOPPED', containers: [{ status: 'STOPPED' }], pulled: true, known: 'STOPPED' },
  ];
  for (const { lastStatus, containers, pulled, known } of statuses) {
    it(`a ${lastStatus} task ${pulled ? 'after' : 'before'} the pull is known as ${known}`, () => {
      const snapshot = aSnapshot({
        lastStatus,
        containers: containers.map((c) => aContainer(c)),
        pullStoppedAt: pulled ? new Date() : undefined,
      });
      assert.equal(taskMetadata(snapshot).KnownStatus, known);
    });
  }

  it('leaves out LaunchType and FaultInjectionEnabled for v3', () => {
    const document = taskMetadata(aSnapshot(), { version: 3 });
    assert.equal('LaunchType' in document, false);
    assert.equal('FaultInjectionEnabled' in document, false);
  });
});

describe('taskMetadataSnapshot', () => {
  const view: TaskWorkerSnapshot = {
    task: anAssignment({ networkMode: 'bridge', launchType: 'EC2' }),
    lastStatus: 'PENDING',
    containers: [
      { name: 'curl', status: 'PENDING', runtimeId: DOCKER_ID, bindings: [] },
      { name: 'sidecar', status: 'PENDING', bindings: [] },
    ],
    pullStartedAt: new Date(1),
    pullStoppedAt: new Date(2),
  };
  const seen: RuntimeContainer = {
    id: DOCKER_ID,
    name: 'curl',
    running: true,
    started: true,
    runtimeName: 'ecs-curltest-24-curl-1',
    imageId: 'sha256:1',
    createdAt: '2020-10-02T00:15:07.620912337Z',
    startedAt: '2020-10-02T00:15:08.062559351Z',
    publishedPorts: [{ containerPort: 80, hostPort: 32768, protocol: 'tcp', bindIP: '0.0.0.0' }],
    ipv4Addresses: ['172.17.0.2'],
  };

  it('joins the worker’s view with the runtime’s facts, by runtime id', () => {
    const snapshot = taskMetadataSnapshot(view, {
      inspected: new Map([[DOCKER_ID, seen]]),
      availabilityZone: 'us-west-2a',
    });
    const [curl, sidecar] = snapshot.containers;
    assert.equal(curl?.runtimeName, 'ecs-curltest-24-curl-1');
    assert.equal(curl?.imageId, 'sha256:1');
    assert.equal(curl?.startedAt, '2020-10-02T00:15:08.062559351Z');
    assert.deepEqual(curl?.ipv4Addresses, ['172.17.0.2']);
    // The worker has not recorded the published ports yet; the engine has them.
    assert.deepEqual(curl?.bindings, seen.publishedPorts);
    assert.equal(sidecar?.runtimeName, undefined);
    assert.deepEqual(sidecar?.bindings, []);
    assert.equal(snapshot.availabilityZone, 'us-west-2a');
    assert.equal(snapshot.network, undefined);
  });

  it('takes the awsvpc subnet and gateway from the host network', () => {
    const network = { sandboxId: 'pause', ipv4: '192.168.0.7', mac: '02:42:c0:a8:00:07', interfaceId: 'eni-1' };
    const snapshot = taskMetadataSnapshot(
      { ...view, network },
      {
        inspected: new Map(),
        awsvpc: { gateway: '192.168.0.1', subnet: '192.168.0.0/20' },
        availabilityZone: 'us-west-2a',
      },
    );
    assert.deepEqual(snapshot.network, {
      ipv4: '192.168.0.7',
      mac: '02:42:c0:a8:00:07',
      sandboxId: 'pause',
      subnet: '192.168.0.0/20',
      gateway: '192.168.0.1',
    });
  });
});

describe('rfc3339', () => {
  const cases: [string, string][] = [
    ['2020-10-02T00:43:06.202Z', '2020-10-02T00:43:06.202Z'],
    ['2020-10-02T00:43:06.310Z', '2020-10-02T00:43:06.31Z'],
    ['2020-10-02T00:43:06.000Z', '2020-10-02T00:43:06Z'],
    ['2020-10-02T00:43:10.000Z', '2020-10-02T00:43:10Z'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected} (Go's RFC3339Nano)`, () => assert.equal(rfc3339(new Date(input)), expected));
  }
});
