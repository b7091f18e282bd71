import {
  noneOf,
  under,
  whereMember,
  type MemberRule,
  type MemberScope,
  type OperationMembers,
} from '../shared/member-classification.ts';

/*
 * RegisterTaskDefinition's members, for ecsMembers (members.ts): what the agent gives Docker
 * (agent/runtime/docker/container-config.ts), what placement reserves, what the agent watches
 * (dependsOn, health, essential, timeouts), and what a task would silently go without.
 */

const isTrue = (value: unknown): boolean => value === true;
const TAGS = ['tags[].key', 'tags[].value'];
const requiresFargate = (scope: MemberScope): boolean =>
  Array.isArray(scope.input.requiresCompatibilities) && scope.input.requiresCompatibilities.includes('FARGATE');

/** Whether a container of the task definition mounts the volume that holds this member. */
function isMounted(_value: unknown, scope: MemberScope, volume: unknown): boolean {
  const name = (volume as { name?: unknown } | undefined)?.name;
  const containers = Array.isArray(scope.input.containerDefinitions) ? scope.input.containerDefinitions : [];
  return containers.some((c: { mountPoints?: { sourceVolume?: unknown }[] }) =>
    (c.mountPoints ?? []).some((m) => m.sourceVolume === name),
  );
}

export const EPHEMERAL_STORAGE: MemberRule = {
  inert: "containers write to the host's Docker storage, which no task size bounds",
};

const CONTAINER_ACTED = under('containerDefinitions[]', [
  'name',
  'image',
  'cpu',
  'memory',
  'memoryReservation',
  'links',
  'portMappings[].containerPort',
  'portMappings[].hostPort',
  'portMappings[].protocol',
  'portMappings[].containerPortRange',
  'essential',
  'entryPoint',
  'command',
  'environment[].name',
  'environment[].value',
  'environmentFiles[].value',
  'environmentFiles[].type',
  // Resolved by the agent with the execution role's credentials; checked by task-definition-rules.ts.
  'secrets[].name',
  'secrets[].valueFrom',
  'repositoryCredentials.credentialsParameter',
  'mountPoints[].sourceVolume',
  'mountPoints[].containerPath',
  'mountPoints[].readOnly',
  'volumesFrom[].sourceContainer',
  'volumesFrom[].readOnly',
  'linuxParameters.capabilities.add',
  'linuxParameters.capabilities.drop',
  'linuxParameters.devices[].hostPath',
  'linuxParameters.devices[].containerPath',
  'linuxParameters.devices[].permissions',
  'linuxParameters.initProcessEnabled',
  'linuxParameters.sharedMemorySize',
  'linuxParameters.tmpfs[].containerPath',
  'linuxParameters.tmpfs[].size',
  'linuxParameters.tmpfs[].mountOptions',
  'linuxParameters.maxSwap',
  'linuxParameters.swappiness',
  'dependsOn[].containerName',
  'dependsOn[].condition',
  'startTimeout',
  'stopTimeout',
  'hostname',
  'user',
  'workingDirectory',
  'disableNetworking',
  'privileged',
  'readonlyRootFilesystem',
  'dnsServers',
  'dnsSearchDomains',
  'extraHosts[].hostname',
  'extraHosts[].ipAddress',
  'dockerSecurityOptions',
  'interactive',
  'pseudoTerminal',
  'dockerLabels',
  'ulimits[].name',
  'ulimits[].softLimit',
  'ulimits[].hardLimit',
  // awslogs is shipped to Berth's CloudWatch Logs, json-file stays with Docker; the rest are refused.
  'logConfiguration.logDriver',
  'logConfiguration.options',
  'logConfiguration.secretOptions[].name',
  'logConfiguration.secretOptions[].valueFrom',
  'healthCheck.command',
  'healthCheck.interval',
  'healthCheck.timeout',
  'healthCheck.retries',
  'healthCheck.startPeriod',
  'systemControls[].namespace',
  'systemControls[].value',
  // GPU counts are reserved by placement, but the type itself is refused below.
  'resourceRequirements[].value',
  'resourceRequirements[].type',
]);

const CONTAINER_RULES: Record<string, MemberRule> = {
  'containerDefinitions[].logConfiguration.logDriver': {
    refused:
      "only awslogs (to Berth's CloudWatch Logs) and json-file are kept: the output would stay in Docker's json-file log",
    when: noneOf('awslogs', 'json-file'),
  },
  'containerDefinitions[].firelensConfiguration': { refused: 'the logs would not be routed through FireLens' },
  'containerDefinitions[].credentialSpecs': {
    refused: 'the container would get no Active Directory credentials (gMSA)',
  },
  'containerDefinitions[].restartPolicy': {
    refused: 'a container that exits would not be restarted in place',
    when: whereMember('enabled', isTrue),
  },
  'containerDefinitions[].resourceRequirements[].type': {
    refused: 'placement would reserve the devices, but the agent would not give them to the container',
    // On FARGATE the definition's own check answers first, with ECS's message.
    when: (value, scope) => value === 'InferenceAccelerator' || (value === 'GPU' && !requiresFargate(scope)),
  },
  'containerDefinitions[].portMappings[].name': {
    inert: 'names a port for Service Connect and VPC Lattice, which Berth does not support',
  },
  'containerDefinitions[].portMappings[].appProtocol': {
    inert: 'the protocol Service Connect would proxy, which Berth does not support',
  },
  'containerDefinitions[].versionConsistency': {
    inert: 'Berth does not pin an image tag to a digest: each task pulls the tag as it is then',
  },
};

export const registerTaskDefinitionMembers: OperationMembers = {
  acted: [
    'family',
    'networkMode',
    // The task's containers get the task role's credentials; the agent pulls, logs and reads
    // secrets as the execution role (agent/task-roles.ts).
    'taskRoleArn',
    'executionRoleArn',
    ...CONTAINER_ACTED,
    'volumes[].name',
    'volumes[].host.sourcePath',
    'volumes[].dockerVolumeConfiguration.scope',
    'volumes[].dockerVolumeConfiguration.driver',
    'volumes[].dockerVolumeConfiguration.driverOpts',
    'volumes[].dockerVolumeConfiguration.labels',
    'placementConstraints[].type',
    'placementConstraints[].expression',
    'requiresCompatibilities',
    'cpu',
    'memory',
    ...TAGS,
    // Checked against Fargate's rules; otherwise refused below.
    'pidMode',
    'ipcMode',
    'runtimePlatform.cpuArchitecture',
    'runtimePlatform.operatingSystemFamily',
  ],
  rules: {
    ...CONTAINER_RULES,
    'volumes[].dockerVolumeConfiguration.autoprovision': {
      inert: 'Docker creates a missing shared volume either way',
    },
    'volumes[].efsVolumeConfiguration': {
      refused: 'the containers would mount an empty local Docker volume instead of the EFS file system',
      when: isMounted,
    },
    'volumes[].fsxWindowsFileServerVolumeConfiguration': {
      refused: 'the containers would mount an empty local Docker volume instead of the FSx file system',
      when: isMounted,
    },
    'volumes[].s3filesVolumeConfiguration': {
      refused: 'the containers would mount an empty local Docker volume instead of the S3 Files file system',
      when: isMounted,
    },
    'volumes[].configuredAtLaunch': {
      refused: 'the containers would mount an empty local Docker volume instead of the EBS volume given at launch',
      when: isTrue,
    },
    pidMode: {
      refused: 'the containers would each keep their own process namespace',
      // FARGATE's own check refuses 'host' with ECS's message.
      when: (value, scope) => !(value === 'host' && requiresFargate(scope)),
    },
    ipcMode: {
      refused: 'the containers would each keep their own IPC namespace',
      when: (_value, scope) => !requiresFargate(scope),
    },
    proxyConfiguration: { refused: "no App Mesh: nothing would route the task's traffic through its proxy" },
    inferenceAccelerators: { refused: 'Elastic Inference accelerators do not exist outside AWS' },
    ephemeralStorage: EPHEMERAL_STORAGE,
    enableFaultInjection: { inert: 'no AWS Fault Injection Service: nothing injects faults into the task' },
  },
};
