import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from './shapes.generated.ts';
import { fargate, td, web } from '../../testing/task-definition-inputs.ts';
import { checkTaskDefinition, parseTaskCpu, parseTaskMemory, registeredVolumes } from './task-definition-rules.ts';

describe('checkTaskDefinition', () => {
  it('derives bridge mode, compatibilities and required attributes for a plain EC2 task', () => {
    const derived = checkTaskDefinition(td());
    assert.equal(derived.networkMode, 'bridge');
    assert.deepEqual(derived.compatibilities, ['EC2', 'EXTERNAL']);
    assert.deepEqual(derived.requiresAttributes, [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }]);
  });

  it('accepts every valid Fargate size and normalizes vCPU and GB', () => {
    assert.deepEqual(checkTaskDefinition(fargate('256', '512')).compatibilities, ['EC2', 'FARGATE']);
    const derived = checkTaskDefinition(fargate('1 vCPU', '2 GB'));
    assert.equal(derived.cpu, '1024');
    assert.equal(derived.memory, '2048');
    assert.equal(parseTaskCpu('.25 vcpu'), 256);
    assert.equal(parseTaskMemory('0.5GB'), 512);
  });

  const refused: [string, RegisterTaskDefinitionRequest, RegExp][] = [
    ['a family with a dot', td({ family: 'my.app' }), /Family contains invalid characters/],
    ['no containers', td({ containerDefinitions: [] }), /at least one container/],
    [
      '11 containers',
      td({ containerDefinitions: Array.from({ length: 11 }, (_, i) => ({ ...web, name: `c${i}` })) }),
      /at most 10/,
    ],
    ['duplicate names', td({ containerDefinitions: [web, web] }), /Duplicate container name 'web'/],
    [
      'no image',
      td({ containerDefinitions: [{ name: 'web', memory: 64 }] }),
      /Container.image should not be null or empty/,
    ],
    [
      'no memory anywhere',
      td({ containerDefinitions: [{ name: 'web', image: 'x' }] }),
      /At least one of 'memory' or 'memoryReservation' must be specified/,
    ],
    ['4 MiB of memory', td({ containerDefinitions: [{ ...web, memory: 4 }] }), /Minimum of 6 MiB/],
    [
      'a reservation above the limit',
      td({ containerDefinitions: [{ ...web, memoryReservation: 256 }] }),
      /'memoryReservation' must be less than or equal to 'memory'/,
    ],
    [
      'no essential container',
      td({ containerDefinitions: [{ ...web, essential: false }] }),
      /does not have any essential container/,
    ],
    [
      'Fargate in bridge mode',
      td({ requiresCompatibilities: ['FARGATE'], networkMode: 'bridge', cpu: '256', memory: '512' }),
      /Fargate only supports network mode 'awsvpc'/,
    ],
    [
      'Fargate without task size',
      td({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc' }),
      /'cpu' and 'memory' be defined at the task level/,
    ],
    [
      'Fargate 256 CPU with 4 GB',
      fargate('256', '4096'),
      /No Fargate configuration exists for given values: 256 CPU, 4096 memory/,
    ],
    [
      'awsvpc with another host port',
      td({
        networkMode: 'awsvpc',
        containerDefinitions: [{ ...web, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
      }),
      /host ports and container ports in port mappings must match/,
    ],
    [
      'links in awsvpc mode',
      td({
        networkMode: 'awsvpc',
        containerDefinitions: [
          { ...web, links: ['db'] },
          { name: 'db', image: 'x', memory: 64 },
        ],
      }),
      /Links are not supported when networkMode=awsvpc/,
    ],
    [
      'a dependency on a missing container',
      td({ containerDefinitions: [{ ...web, dependsOn: [{ containerName: 'db', condition: 'START' }] }] }),
      /not another container/,
    ],
    [
      'HEALTHY on a container without a health check',
      td({
        containerDefinitions: [
          { ...web, dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] },
          { name: 'db', image: 'x', memory: 64 },
        ],
      }),
      /has no health check/,
    ],
    [
      'a dependency cycle',
      td({
        containerDefinitions: [
          { ...web, dependsOn: [{ containerName: 'db', condition: 'START' }] },
          {
            name: 'db',
            image: 'x',
            memory: 64,
            essential: false,
            dependsOn: [{ containerName: 'web', condition: 'START' }],
          },
        ],
      }),
      /form a cycle/,
    ],
    [
      'a health check interval of 1 s',
      td({ containerDefinitions: [{ ...web, healthCheck: { command: ['CMD', 'true'], interval: 1 } }] }),
      /'interval' for container 'web': it must be from 5 to 300/,
    ],
    [
      'a health check without CMD',
      td({ containerDefinitions: [{ ...web, healthCheck: { command: ['true'] } }] }),
      /must start with CMD, CMD-SHELL or NONE/,
    ],
    [
      'a mount of an undeclared volume',
      td({ containerDefinitions: [{ ...web, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }] }),
      /'sourceVolume' 'data' is not a declared volume/,
    ],
    [
      'a soft ulimit above the hard one',
      td({ containerDefinitions: [{ ...web, ulimits: [{ name: 'nofile', softLimit: 10, hardLimit: 5 }] }] }),
      /softLimit must not exceed hardLimit/,
    ],
    ['tiny ephemeral storage', td({ ephemeralStorage: { sizeInGiB: 10 } }), /between 21 and 200 GiB/],
  ];
  for (const [what, input, message] of refused) {
    it(`refuses ${what} with ClientException`, () => {
      assert.throws(
        () => checkTaskDefinition(input),
        (error: { code?: string; message: string }) => error.code === 'ClientException' && message.test(error.message),
      );
    });
  }
});

describe('checkTaskDefinition on Fargate', () => {
  const onFargate = (container: Partial<ContainerDefinition>, task: Partial<RegisterTaskDefinitionRequest> = {}) => ({
    ...fargate('256', '512'),
    containerDefinitions: [{ name: 'web', image: 'busybox', ...container }],
    ...task,
  });
  const capabilities = (...add: string[]) => ({ linuxParameters: { capabilities: { add } } });

  // Each refusal, with ECS's whole message (fargate-rules.ts says where each wording comes from).
  const refused: [string, RegisterTaskDefinitionRequest, string][] = [
    [
      'a privileged container',
      onFargate({ privileged: true }),
      "Fargate requires that the 'privileged' setting be 'false'",
    ],
    ['SYS_ADMIN', onFargate(capabilities('SYS_PTRACE', 'SYS_ADMIN')), 'SYS_ADMIN is not allowed on Fargate.'],
    ['ALL capabilities', onFargate(capabilities('ALL')), 'ALL is not allowed on Fargate.'],
    [
      'a device',
      onFargate({ linuxParameters: { devices: [{ hostPath: '/dev/kvm' }] } }),
      'Fargate compatible task definitions do not support devices',
    ],
    [
      'sharedMemorySize',
      onFargate({ linuxParameters: { sharedMemorySize: 64 } }),
      'Fargate compatible task definitions do not support sharedMemorySize',
    ],
    [
      'a tmpfs',
      onFargate({ linuxParameters: { tmpfs: [{ containerPath: '/run', size: 64 }] } }),
      'Fargate compatible task definitions do not support tmpfs',
    ],
    [
      'maxSwap',
      onFargate({ linuxParameters: { maxSwap: 0 } }),
      'Fargate compatible task definitions do not support maxSwap',
    ],
    [
      'swappiness',
      onFargate({ linuxParameters: { swappiness: 10 } }),
      'Fargate compatible task definitions do not support swappiness',
    ],
    [
      'disableNetworking',
      onFargate({ disableNetworking: true }),
      'Fargate compatible task definitions do not support disableNetworking',
    ],
    [
      'dnsServers',
      onFargate({ dnsServers: ['1.1.1.1'] }),
      'Fargate compatible task definitions do not support dnsServers',
    ],
    [
      'dnsSearchDomains',
      onFargate({ dnsSearchDomains: ['corp'] }),
      'Fargate compatible task definitions do not support dnsSearchDomains',
    ],
    [
      'extraHosts',
      onFargate({ extraHosts: [{ hostname: 'db', ipAddress: '10.0.0.1' }] }),
      'Fargate compatible task definitions do not support extraHosts',
    ],
    [
      'dockerSecurityOptions',
      onFargate({ dockerSecurityOptions: ['seccomp=unconfined'] }),
      'Fargate compatible task definitions do not support dockerSecurityOptions',
    ],
    ['links', onFargate({ links: ['db'] }), 'Fargate compatible task definitions do not support links'],
    [
      'a GPU',
      onFargate({ resourceRequirements: [{ type: 'GPU', value: '1' }] }),
      'Tasks using the Fargate launch type do not support GPU resource requirements',
    ],
    [
      'pidMode host',
      onFargate({}, { pidMode: 'host' }),
      "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
    ],
    ['an ipcMode', onFargate({}, { ipcMode: 'host' }), 'Tasks using the Fargate launch type do not support ipcMode.'],
    [
      'a placement constraint',
      onFargate({}, { placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }] }),
      'Fargate compatible task definitions do not support constraints',
    ],
    [
      'a host path volume',
      onFargate({}, { volumes: [{ name: 'root', host: { sourcePath: '/' } }] }),
      'Fargate compatible task definitions do not support sourcePath',
    ],
    [
      'a Docker volume',
      onFargate({}, { volumes: [{ name: 'data', dockerVolumeConfiguration: { driver: 'local' } }] }),
      'Fargate compatible task definitions do not support dockerVolumeConfiguration',
    ],
  ];
  for (const [what, input, message] of refused) {
    it(`refuses ${what} with ClientException: ${message}`, () => {
      assert.throws(() => checkTaskDefinition(input), { code: 'ClientException', message });
    });
    // awsvpc alone refuses links, FARGATE or not.
    if (what === 'links') continue;
    it(`leaves FARGATE out of the compatibilities of an unrequired definition with ${what}`, () => {
      assert.deepEqual(checkTaskDefinition({ ...input, requiresCompatibilities: [] }).compatibilities, ['EC2']);
    });
  }

  it('accepts what Fargate takes: SYS_PTRACE, dropped capabilities, init, pidMode task, task-storage volumes', () => {
    const derived = checkTaskDefinition(
      onFargate(
        {
          privileged: false,
          disableNetworking: false,
          linuxParameters: { capabilities: { add: ['SYS_PTRACE'], drop: ['ALL'] }, initProcessEnabled: true },
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }],
        },
        { pidMode: 'task', volumes: [{ name: 'scratch', host: {} }] },
      ),
    );
    assert.deepEqual(derived.compatibilities, ['EC2', 'FARGATE']);
    assert.deepEqual(checkTaskDefinition(onFargate(capabilities('CAP_SYS_PTRACE'))).compatibilities, [
      'EC2',
      'FARGATE',
    ]);
  });

  it('still registers a privileged container for EC2', () => {
    assert.deepEqual(
      checkTaskDefinition(td({ containerDefinitions: [{ ...web, privileged: true, ...capabilities('SYS_ADMIN') }] }))
        .compatibilities,
      ['EC2', 'EXTERNAL'],
    );
  });
});

describe('registeredVolumes', () => {
  it('gives an EFS volume without a rootDirectory the default "/", and leaves the others as given', () => {
    assert.deepEqual(
      registeredVolumes([
        { name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-1234', transitEncryption: 'ENABLED' } },
        { name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1234', rootDirectory: '/data' } },
        { name: 'scratch', host: {} },
      ]),
      [
        {
          name: 'shared',
          efsVolumeConfiguration: { fileSystemId: 'fs-1234', transitEncryption: 'ENABLED', rootDirectory: '/' },
        },
        { name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1234', rootDirectory: '/data' } },
        { name: 'scratch', host: {} },
      ],
    );
    assert.deepEqual(registeredVolumes(undefined), []);
  });
});
