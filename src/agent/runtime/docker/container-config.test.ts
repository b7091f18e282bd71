import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '../../../ecs/shapes.generated.ts';
import {
  dockerContainerName,
  dockerCreateBody,
  ecsLabels,
  LOG_CONFIGURATION_LABEL,
  pauseContainerCreateBody,
} from './container-config.ts';
import type { DockerCreateBody, DockerHostConfig, TaskRuntimeContext } from './container-config.ts';

const MIB = 1024 * 1024;
const S = 1_000_000_000;
const TASK_ARN = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef';

const task: TaskRuntimeContext = {
  clusterName: 'default',
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
  taskArn: TASK_ARN,
  family: 'web',
  revision: 3,
  networkMode: 'bridge',
  containerCount: 1,
};
const web: ContainerDefinition = { name: 'web', image: 'localhost:4510/web:v1' };

type Expected = Partial<Omit<DockerCreateBody, 'HostConfig'>> & { HostConfig?: Partial<DockerHostConfig> };

interface Case {
  readonly name: string;
  readonly container?: ContainerDefinition;
  readonly task?: Partial<TaskRuntimeContext>;
  /** Only these keys are compared; a key set to undefined must be absent. */
  readonly expected: Expected;
}

const cases: Case[] = [
  {
    name: 'a bare definition: image, ECS labels, minimum CPU shares, json-file, default bridge',
    expected: {
      Image: 'localhost:4510/web:v1',
      Cmd: undefined,
      Entrypoint: undefined,
      Env: [],
      Labels: {
        'com.amazonaws.ecs.cluster': 'default',
        'com.amazonaws.ecs.task-arn': TASK_ARN,
        'com.amazonaws.ecs.container-name': 'web',
        'com.amazonaws.ecs.task-definition-family': 'web',
        'com.amazonaws.ecs.task-definition-version': '3',
      },
      Healthcheck: undefined,
      HostConfig: {
        NetworkMode: 'bridge',
        CpuShares: 2,
        Memory: undefined,
        NanoCpus: undefined,
        LogConfig: { Type: 'json-file', Config: {} },
      },
    },
  },
  {
    name: 'command, entryPoint, workingDirectory, user',
    container: { command: ['-c', 'echo hi'], entryPoint: ['/bin/sh'], workingDirectory: '/app', user: '1000:1000' },
    expected: { Cmd: ['-c', 'echo hi'], Entrypoint: ['/bin/sh'], WorkingDir: '/app', User: '1000:1000' },
  },
  {
    name: 'environment over environment files, the agent’s variables over both',
    container: {
      environment: [{ name: 'A', value: 'from-definition' }, { name: 'B', value: 'b' }, { name: 'EMPTY' }],
    },
    task: {
      environmentFileContents: { web: { A: 'from-file', F: 'f' }, other: { X: 'x' } },
      extraEnvironment: { web: { ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/abc', B: 'agent' } },
    },
    expected: {
      Env: [
        'A=from-definition',
        'F=f',
        'B=agent',
        'EMPTY=',
        'ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/abc',
      ],
    },
  },
  {
    name: 'cpu → CpuShares, memory (hard) and memoryReservation (soft) MiB → bytes',
    container: { cpu: 512, memory: 256, memoryReservation: 128 },
    expected: { HostConfig: { CpuShares: 512, Memory: 256 * MIB, MemoryReservation: 128 * MIB } },
  },
  {
    name: 'cpu 1 is raised to 2 shares (Linux rejects 1)',
    container: { cpu: 1, memoryReservation: 64 },
    expected: { HostConfig: { CpuShares: 2, Memory: undefined, MemoryReservation: 64 * MIB } },
  },
  {
    // 1024 units / 4 containers = 256 shares; 1024 units = 1e9 NanoCpus; no container memory → task's
    name: 'FARGATE task limits apply to a container that sets none',
    task: { taskCpu: 1024, taskMemory: 2048, containerCount: 4, launchType: 'FARGATE' },
    expected: {
      Labels: { ...ecsLabels('web', { ...task, launchType: 'FARGATE' }) },
      HostConfig: { CpuShares: 256, NanoCpus: 1 * S, Memory: 2048 * MIB },
    },
  },
  {
    name: 'a container’s own cpu and memory win over the task’s; NanoCpus still caps at the task',
    container: { cpu: 128, memory: 512 },
    task: { taskCpu: 512, taskMemory: 2048, containerCount: 2 },
    expected: { HostConfig: { CpuShares: 128, NanoCpus: S / 2, Memory: 512 * MIB } },
  },
  {
    name: 'maxSwap and swappiness: MemorySwap = memory + swap; swappiness 0 kept',
    container: { memory: 100, linuxParameters: { maxSwap: 50, swappiness: 0 } },
    expected: { HostConfig: { Memory: 100 * MIB, MemorySwap: 150 * MIB, MemorySwappiness: 0 } },
  },
  {
    name: 'ulimits',
    container: { ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }] },
    expected: { HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }] } },
  },
  {
    name: 'linuxParameters: init, capabilities, tmpfs (MiB), shared memory (MiB), devices',
    container: {
      linuxParameters: {
        initProcessEnabled: true,
        capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] },
        tmpfs: [{ containerPath: '/run', size: 64, mountOptions: ['noexec', 'mode=1777'] }],
        sharedMemorySize: 128,
        devices: [
          { hostPath: '/dev/fuse' },
          { hostPath: '/dev/null', containerPath: '/dev/mynull', permissions: ['read', 'write'] },
        ],
      },
    },
    expected: {
      HostConfig: {
        Init: true,
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['MKNOD'],
        Tmpfs: { '/run': 'size=64m,noexec,mode=1777' },
        ShmSize: 128 * MIB,
        Devices: [
          { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
          { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rw' },
        ],
      },
    },
  },
  {
    name: 'readonlyRootFilesystem, privileged, security options, system controls',
    container: {
      readonlyRootFilesystem: true,
      privileged: true,
      dockerSecurityOptions: ['no-new-privileges'],
      systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
    },
    expected: {
      HostConfig: {
        ReadonlyRootfs: true,
        Privileged: true,
        SecurityOpt: ['no-new-privileges'],
        Sysctls: { 'net.core.somaxconn': '1024' },
      },
    },
  },
  {
    name: 'dockerLabels kept, but never over the ECS labels',
    container: { dockerLabels: { team: 'blue', 'com.amazonaws.ecs.task-arn': 'spoofed' } },
    expected: { Labels: { team: 'blue', ...ecsLabels('web', task) } },
  },
  {
    name: 'mountPoints from host paths and Docker volumes; volumesFrom by Docker ID',
    container: {
      mountPoints: [
        { sourceVolume: 'data', containerPath: '/data' },
        { sourceVolume: 'cache', containerPath: '/cache', readOnly: true },
      ],
      volumesFrom: [{ sourceContainer: 'init', readOnly: true }, { sourceContainer: 'sidecar' }],
    },
    task: {
      volumes: { data: { hostPath: '/srv/data' }, cache: { volumeName: 'berth-task-cache' } },
      containerIdsByName: { init: 'id-init', sidecar: 'id-sidecar' },
    },
    expected: {
      HostConfig: {
        Binds: ['/srv/data:/data', 'berth-task-cache:/cache:ro'],
        VolumesFrom: ['id-init:ro', 'id-sidecar'],
      },
    },
  },
  {
    name: 'bridge: links by ID, hostname, DNS, extra hosts',
    container: {
      links: ['db', 'cache:redis'],
      hostname: 'web-1',
      dnsServers: ['10.0.0.2'],
      dnsSearchDomains: ['corp.example'],
      extraHosts: [{ hostname: 'api.local', ipAddress: '10.0.0.9' }],
    },
    task: { containerIdsByName: { db: 'id-db', cache: 'id-cache' } },
    expected: {
      Hostname: 'web-1',
      HostConfig: {
        Links: ['id-db:db', 'id-cache:redis'],
        Dns: ['10.0.0.2'],
        DnsSearch: ['corp.example'],
        ExtraHosts: ['api.local:10.0.0.9'],
      },
    },
  },
  {
    // hostPort 0 → the placed port; a fixed hostPort without a placement stays; unplaced dynamic → Docker picks
    name: 'bridge ports: placed host ports (including dynamic ones), fixed ports, UDP, ranges',
    container: {
      portMappings: [
        { containerPort: 80, hostPort: 0 },
        { containerPort: 53, hostPort: 5353, protocol: 'udp' },
        { containerPort: 9000 },
        { containerPortRange: '7000-7001' },
      ],
    },
    task: {
      hostIp: '127.0.0.1',
      hostPortBindings: [
        { containerName: 'web', containerPort: 80, protocol: 'tcp', hostPort: 49153 },
        { containerName: 'other', containerPort: 9000, protocol: 'tcp', hostPort: 1 },
        { containerName: 'web', containerPort: 7001, protocol: 'tcp', hostPort: 49160 },
      ],
    },
    expected: {
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '9000/tcp': {}, '7000/tcp': {}, '7001/tcp': {} },
      HostConfig: {
        PortBindings: {
          '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }],
          '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
          '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
          '7000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
          '7001/tcp': [{ HostIp: '127.0.0.1', HostPort: '49160' }],
        },
      },
    },
  },
  {
    name: 'host: no port publishing, no links, no hostname; DNS still allowed',
    container: {
      portMappings: [{ containerPort: 80, hostPort: 80 }],
      links: ['db'],
      hostname: 'h',
      dnsServers: ['1.1.1.1'],
    },
    task: { networkMode: 'host' },
    expected: {
      Hostname: undefined,
      ExposedPorts: undefined,
      HostConfig: { NetworkMode: 'host', PortBindings: undefined, Links: undefined, Dns: ['1.1.1.1'] },
    },
  },
  {
    name: 'awsvpc: joins the pause container; nothing Docker forbids with container: mode',
    container: {
      portMappings: [{ containerPort: 80 }],
      hostname: 'h',
      dnsServers: ['1.1.1.1'],
      extraHosts: [{ hostname: 'a', ipAddress: '10.0.0.1' }],
    },
    task: { networkMode: 'awsvpc', pauseContainerId: 'pause-id', awsvpcNetworkName: 'berth-task-net' },
    expected: {
      Hostname: undefined,
      ExposedPorts: undefined,
      NetworkingConfig: undefined,
      HostConfig: {
        NetworkMode: 'container:pause-id',
        PortBindings: undefined,
        Dns: undefined,
        ExtraHosts: undefined,
      },
    },
  },
  {
    name: 'none: its own empty stack keeps the hostname',
    container: { hostname: 'isolated' },
    task: { networkMode: 'none' },
    expected: { Hostname: 'isolated', HostConfig: { NetworkMode: 'none' } },
  },
  {
    // 10 s → 10e9 ns; unset timeout, retries and startPeriod take ECS's defaults 5 s, 3, 0 s
    name: 'healthCheck: seconds → nanoseconds, with ECS defaults',
    container: { healthCheck: { command: ['CMD-SHELL', 'wget -qO- localhost || exit 1'], interval: 10 } },
    expected: {
      Healthcheck: {
        Test: ['CMD-SHELL', 'wget -qO- localhost || exit 1'],
        Interval: 10 * S,
        Timeout: 5 * S,
        Retries: 3,
        StartPeriod: 0,
      },
    },
  },
  {
    name: 'healthCheck: every field given',
    container: {
      healthCheck: { command: ['CMD', '/bin/check'], interval: 5, timeout: 2, retries: 10, startPeriod: 60 },
    },
    expected: {
      Healthcheck: { Test: ['CMD', '/bin/check'], Interval: 5 * S, Timeout: 2 * S, Retries: 10, StartPeriod: 60 * S },
    },
  },
  {
    name: 'stopTimeout, disableNetworking, interactive, pseudoTerminal',
    container: { stopTimeout: 45, disableNetworking: true, interactive: true, pseudoTerminal: true },
    expected: { StopTimeout: 45, NetworkDisabled: true, OpenStdin: true, Tty: true },
  },
  {
    name: 'awslogs: json-file for the agent to read, the ECS options in a label',
    container: { logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } } },
    expected: {
      Labels: {
        ...ecsLabels('web', task),
        [LOG_CONFIGURATION_LABEL]: '{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/web"}}',
      },
      HostConfig: { LogConfig: { Type: 'json-file', Config: {} } },
    },
  },
  {
    name: 'json-file keeps its own options',
    container: { logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } } },
    expected: { HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } } } },
  },
];

function assertSubset(actual: object, expected: object, path: string): void {
  for (const [key, value] of Object.entries(expected)) {
    const here = `${path}.${key}`;
    if (value === undefined) assert.ok(!(key in actual), `${here} should be absent`);
    else if (key === 'HostConfig') assertSubset((actual as Record<string, object>)[key]!, value as object, here);
    else assert.deepEqual((actual as Record<string, unknown>)[key], value, here);
  }
}

describe('dockerCreateBody', () => {
  for (const c of cases) {
    it(c.name, () => {
      const body = dockerCreateBody({ ...web, ...c.container }, { ...task, ...c.task });
      assertSubset(body, c.expected, 'body');
    });
  }

  const failures: [string, ContainerDefinition, Partial<TaskRuntimeContext>, RegExp][] = [
    ['no image', { name: 'web' }, {}, /missing image of container web/],
    ['awsvpc without a pause container', web, { networkMode: 'awsvpc' }, /missing pauseContainerId/],
    [
      'a mount of an unknown volume',
      { ...web, mountPoints: [{ sourceVolume: 'x', containerPath: '/x' }] },
      {},
      /task volume x/,
    ],
    ['a link to a container not created yet', { ...web, links: ['db'] }, {}, /Docker ID of container db/],
  ];
  for (const [name, container, overrides, message] of failures) {
    it(`refuses ${name}`, () => assert.throws(() => dockerCreateBody(container, { ...task, ...overrides }), message));
  }
});

describe('pauseContainerCreateBody', () => {
  it('puts the pause image on the task network, stopped by SIGKILL, labelled as the ECS agent does', () => {
    const body = pauseContainerCreateBody({ ...task, networkMode: 'awsvpc', awsvpcNetworkName: 'berth-awsvpc' });
    assert.equal(body.Image, 'berth/pause:1');
    assert.equal(body.StopSignal, 'SIGKILL');
    assert.equal(body.HostConfig.NetworkMode, 'berth-awsvpc');
    assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { 'berth-awsvpc': {} } });
    assert.equal(body.Labels['com.amazonaws.ecs.container-name'], '~internal~ecs~pause');
  });
});

describe('dockerContainerName', () => {
  it('is ecs-<family>-<revision>-<name with only [0-9A-Za-z-]>-<suffix>', () => {
    assert.equal(dockerContainerName(task, 'my_app.v2', 'a1b2'), 'ecs-web-3-myappv2-a1b2');
  });
});
