import {
  oneOf,
  under,
  whereMember,
  type MemberRule,
  type MemberTable,
  type OperationMembers,
} from '../shared/member-classification.ts';
import { EPHEMERAL_STORAGE, registerTaskDefinitionMembers } from './task-definition-members.ts';
import { taskSetMembers } from './task-set-members.ts';
import { EXECUTE_COMMAND_CONFIGURATION, EXECUTE_COMMAND_LOGGING } from './execute-command-members.ts';

/*
 * What each ECS operation does with each input member (shared/member-classification.ts): the paths
 * its code acts on, the members it refuses (each naming the issue that will build it), and the
 * members that are accepted and stored with no effect by design. src/aws-protocol/ refuses, and a
 * test checks that every member of every implemented operation's input is classified here.
 */

const isTrue = (value: unknown): boolean => value === true;

// Members several operations share.

const TAGS = ['tags[].key', 'tags[].value'];

/** A service's tasks are registered in the Cloud Map service (service-registries.ts). */
const SERVICE_REGISTRIES = ['registryArn', 'port', 'containerName', 'containerPort'].map(
  (m) => `serviceRegistries[].${m}`,
);

const STRATEGY_SPLIT: MemberRule = {
  inert:
    'FARGATE and FARGATE_SPOT are the same managed capacity, and Auto Scaling groups are recorded, not scaled: how tasks split between providers changes nothing',
};

const AWSVPC: Record<string, MemberRule> = {
  'networkConfiguration.awsvpcConfiguration.subnets': {
    inert: 'no VPCs: an awsvpc task joins a Docker network, and its attachment echoes the first subnet',
  },
  'networkConfiguration.awsvpcConfiguration.securityGroups': {
    inert: "no security groups: nothing filters a task's traffic but the host's own firewall",
  },
  'networkConfiguration.awsvpcConfiguration.assignPublicIp': {
    inert: 'no public IPs: a task is reached at its Docker network address',
  },
};

const PLATFORM_VERSION: MemberRule = {
  inert: "FARGATE tasks run on the server's own Docker engine, which has one platform",
};

const MANAGED_TAGS: MemberRule = {
  refused: 'its tasks would not get the aws:ecs:clusterName and aws:ecs:serviceName tags',
  when: isTrue,
};

const EBS_VOLUMES: MemberRule = { refused: 'the task would get no Amazon EBS volume' };

const CONTAINER_OVERRIDES = under('overrides.containerOverrides[]', [
  'name',
  'command',
  'environment[].name',
  'environment[].value',
  'environmentFiles[].value',
  'environmentFiles[].type',
  'cpu',
  'memory',
  'memoryReservation',
]);

const OVERRIDE_RULES: Record<string, MemberRule> = {
  'overrides.containerOverrides[].resourceRequirements': {
    refused: "the container's GPU or accelerator requirements would not change",
  },
  'overrides.inferenceAcceleratorOverrides': { refused: 'Elastic Inference accelerators do not exist outside AWS' },
  'overrides.ephemeralStorage': EPHEMERAL_STORAGE,
};

/** RunTask and StartTask. */
const LAUNCH_RULES: Record<string, MemberRule> = {
  ...AWSVPC,
  ...OVERRIDE_RULES,
  enableECSManagedTags: MANAGED_TAGS,
  referenceId: { inert: 'ECS keeps it for itself ("not intended for use by customers")' },
  volumeConfigurations: EBS_VOLUMES,
};

const LAUNCH_ACTED = [
  'cluster',
  // ECS Exec (execute-command.ts): its containers' ExecuteCommandAgent, sessions through the task's agent.
  'enableExecuteCommand',
  'group',
  ...CONTAINER_OVERRIDES,
  'overrides.taskRoleArn',
  'overrides.executionRoleArn',
  'overrides.cpu',
  'overrides.memory',
  'propagateTags',
  'startedBy',
  ...TAGS,
  'taskDefinition',
];

const DEPLOYMENT_ACTED = under('deploymentConfiguration', [
  'deploymentCircuitBreaker.enable',
  'deploymentCircuitBreaker.rollback',
  'maximumPercent',
  'minimumHealthyPercent',
  'strategy',
  'bakeTimeInMinutes',
  'linearConfiguration.stepPercent',
  'linearConfiguration.stepBakeTimeInMinutes',
  'canaryConfiguration.canaryPercent',
  'canaryConfiguration.canaryBakeTimeInMinutes',
  'alarms.alarmNames',
  'alarms.enable',
  'alarms.rollback',
]);

/** CreateService and UpdateService. */
const SERVICE_RULES: Record<string, MemberRule> = {
  ...AWSVPC,
  'capacityProviderStrategy[].weight': STRATEGY_SPLIT,
  'capacityProviderStrategy[].base': STRATEGY_SPLIT,
  availabilityZoneRebalancing: { inert: "no availability zones: nothing spreads a service's tasks over zones" },
  platformVersion: PLATFORM_VERSION,
  'deploymentConfiguration.lifecycleHooks': {
    refused: 'a deployment would not stop at its lifecycle hooks (AWS Lambda functions or pauses)',
  },
  'loadBalancers[].loadBalancerName': {
    refused: 'Classic Load Balancers do not exist in Berth: the service would get no load balancer',
  },
  serviceConnectConfiguration: {
    refused: 'its tasks would get no Service Connect proxy, names or endpoints',
    when: whereMember('enabled', isTrue),
  },
  enableECSManagedTags: MANAGED_TAGS,
  volumeConfigurations: EBS_VOLUMES,
  vpcLatticeConfigurations: { refused: 'no VPC Lattice: the tasks would be registered with no target group' },
};

const SERVICE_ACTED = [
  'cluster',
  'enableExecuteCommand',
  'taskDefinition',
  'desiredCount',
  'capacityProviderStrategy[].capacityProvider',
  ...DEPLOYMENT_ACTED,
  'placementConstraints[].type',
  'placementConstraints[].expression',
  'placementStrategy[].type',
  'placementStrategy[].field',
  'healthCheckGracePeriodSeconds',
  // ECS, EXTERNAL and CODE_DEPLOY (task sets: code-deploy-controller.ts).
  'deploymentController.type',
  'propagateTags',
];

const AUTO_SCALING_GROUP: MemberRule = {
  inert: 'no Auto Scaling groups: Berth records the provider and scales nothing',
};

const CAPACITY_PROVIDER_CLUSTER: MemberRule = {
  refused: "capacity providers are the account's, not one cluster's (Managed Instances)",
};

const MANAGED_INSTANCES: MemberRule = { refused: 'no instances would be launched for it (ECS Managed Instances)' };

const CLUSTER_CONFIGURATION: Record<string, MemberRule> = {
  settings: { inert: 'no CloudWatch metrics: Container Insights collects nothing (the setting is only described)' },
  ...EXECUTE_COMMAND_CONFIGURATION,
  'configuration.managedStorageConfiguration': {
    inert: "no KMS: task storage is the host's Docker storage, which Berth does not encrypt",
  },
  serviceConnectDefaults: { inert: 'the default namespace for Service Connect, which no service can turn on' },
};

export const ecsMembers: MemberTable = {
  CreateCluster: {
    acted: [
      'clusterName',
      ...TAGS,
      'capacityProviders',
      'defaultCapacityProviderStrategy[].capacityProvider',
      ...EXECUTE_COMMAND_LOGGING,
    ],
    rules: {
      ...CLUSTER_CONFIGURATION,
      'defaultCapacityProviderStrategy[].weight': STRATEGY_SPLIT,
      'defaultCapacityProviderStrategy[].base': STRATEGY_SPLIT,
    },
  },
  DescribeClusters: { acted: ['clusters', 'include'] },
  ListClusters: { acted: ['nextToken', 'maxResults'] },
  UpdateCluster: { acted: ['cluster', ...EXECUTE_COMMAND_LOGGING], rules: CLUSTER_CONFIGURATION },
  UpdateClusterSettings: { acted: ['cluster'], rules: { settings: CLUSTER_CONFIGURATION.settings! } },
  PutClusterCapacityProviders: {
    acted: ['cluster', 'capacityProviders', 'defaultCapacityProviderStrategy[].capacityProvider'],
    rules: {
      'defaultCapacityProviderStrategy[].weight': STRATEGY_SPLIT,
      'defaultCapacityProviderStrategy[].base': STRATEGY_SPLIT,
    },
  },
  DeleteCluster: { acted: ['cluster'] },

  RegisterTaskDefinition: registerTaskDefinitionMembers,
  DescribeTaskDefinition: { acted: ['taskDefinition', 'include'] },
  ListTaskDefinitions: { acted: ['familyPrefix', 'status', 'sort', 'nextToken', 'maxResults'] },
  ListTaskDefinitionFamilies: { acted: ['familyPrefix', 'status', 'nextToken', 'maxResults'] },
  DeregisterTaskDefinition: { acted: ['taskDefinition'] },
  DeleteTaskDefinitions: { acted: ['taskDefinitions'] },

  RegisterContainerInstance: {
    acted: [
      'cluster',
      'instanceIdentityDocument',
      ...under('totalResources[]', ['name', 'type', 'doubleValue', 'longValue', 'integerValue', 'stringSetValue']),
      'versionInfo.agentVersion',
      'versionInfo.agentHash',
      'versionInfo.dockerVersion',
      'containerInstanceArn',
      'attributes[].name',
      'attributes[].value',
      ...TAGS,
    ],
    rules: {
      instanceIdentityDocumentSignature: {
        inert: 'no EC2: agents authenticate with SigV4, and the identity document is taken as given',
      },
      'attributes[].targetType': { inert: "the attributes are the registering instance's own" },
      'attributes[].targetId': { inert: "the attributes are the registering instance's own" },
      platformDevices: { inert: 'GPU device ids: Berth gives no GPUs to containers (GPU requirements are refused)' },
    },
  },
  DescribeContainerInstances: { acted: ['cluster', 'containerInstances', 'include'] },
  ListContainerInstances: { acted: ['cluster', 'filter', 'nextToken', 'maxResults', 'status'] },
  UpdateContainerInstancesState: { acted: ['cluster', 'containerInstances', 'status'] },
  DeregisterContainerInstance: { acted: ['cluster', 'containerInstance', 'force'] },
  PutAttributes: { acted: ['cluster', ...under('attributes[]', ['name', 'value', 'targetType', 'targetId'])] },
  DeleteAttributes: { acted: ['cluster', ...under('attributes[]', ['name', 'value', 'targetType', 'targetId'])] },
  // targetType has one value, container-instance.
  ListAttributes: { acted: ['cluster', 'targetType', 'attributeName', 'attributeValue', 'nextToken', 'maxResults'] },
  PutAccountSetting: { acted: ['name', 'value', 'principalArn'] },
  PutAccountSettingDefault: { acted: ['name', 'value'] },
  DeleteAccountSetting: { acted: ['name', 'principalArn'] },
  ListAccountSettings: { acted: ['name', 'value', 'principalArn', 'effectiveSettings', 'nextToken', 'maxResults'] },

  RunTask: {
    acted: [
      ...LAUNCH_ACTED,
      'capacityProviderStrategy[].capacityProvider',
      'count',
      'launchType',
      'placementConstraints[].type',
      'placementConstraints[].expression',
      'placementStrategy[].type',
      'placementStrategy[].field',
      'clientToken',
    ],
    rules: {
      ...LAUNCH_RULES,
      'capacityProviderStrategy[].weight': STRATEGY_SPLIT,
      'capacityProviderStrategy[].base': STRATEGY_SPLIT,
      platformVersion: PLATFORM_VERSION,
    },
  },
  StartTask: { acted: [...LAUNCH_ACTED, 'containerInstances'], rules: LAUNCH_RULES },
  StopTask: { acted: ['cluster', 'task', 'reason'] },
  UpdateTaskProtection: { acted: ['cluster', 'tasks', 'protectionEnabled', 'expiresInMinutes'] },
  GetTaskProtection: { acted: ['cluster', 'tasks'] },
  DescribeTasks: { acted: ['cluster', 'tasks', 'include'] },
  ExecuteCommand: { acted: ['cluster', 'container', 'command', 'interactive', 'task'] },
  ListTasks: {
    acted: [
      'cluster',
      'containerInstance',
      'family',
      'nextToken',
      'maxResults',
      'startedBy',
      'serviceName',
      'desiredStatus',
      'launchType',
    ],
    rules: { daemonName: { refused: 'the listing would not be filtered by daemon' } },
  },

  // The agent's API.
  SubmitTaskStateChange: {
    acted: [
      'cluster',
      'task',
      'status',
      'reason',
      ...under('containers[]', [
        'containerName',
        'imageDigest',
        'runtimeId',
        'exitCode',
        'networkBindings[].bindIP',
        'networkBindings[].containerPort',
        'networkBindings[].hostPort',
        'networkBindings[].protocol',
        'networkBindings[].containerPortRange',
        'networkBindings[].hostPortRange',
        'reason',
        'status',
      ]),
      'pullStartedAt',
      'pullStoppedAt',
      'executionStoppedAt',
    ],
    rules: {
      attachments: { inert: "a task's network attachment changes through SubmitAttachmentStateChanges" },
      managedAgents: {
        inert:
          "Berth derives a container's ExecuteCommandAgent from its state and its host's execute-command capability",
      },
    },
  },
  SubmitContainerStateChange: {
    acted: [
      'cluster',
      'task',
      'containerName',
      'runtimeId',
      'status',
      'exitCode',
      'reason',
      ...under('networkBindings[]', [
        'bindIP',
        'containerPort',
        'hostPort',
        'protocol',
        'containerPortRange',
        'hostPortRange',
      ]),
    ],
  },
  SubmitAttachmentStateChanges: { acted: ['cluster', 'attachments[].attachmentArn', 'attachments[].status'] },
  DiscoverPollEndpoint: {
    acted: [],
    rules: {
      containerInstance: { inert: "one endpoint, the server's, serves every instance" },
      cluster: { inert: "one endpoint, the server's, serves every cluster" },
    },
  },

  CreateService: {
    acted: [
      ...SERVICE_ACTED,
      'serviceName',
      'loadBalancers[].targetGroupArn',
      'loadBalancers[].containerName',
      'loadBalancers[].containerPort',
      'loadBalancers[].advancedConfiguration.alternateTargetGroupArn',
      'loadBalancers[].advancedConfiguration.productionListenerRule',
      'loadBalancers[].advancedConfiguration.testListenerRule',
      ...SERVICE_REGISTRIES,
      'clientToken',
      'launchType',
      'schedulingStrategy',
      ...TAGS,
    ],
    rules: {
      ...SERVICE_RULES,
      'loadBalancers[].advancedConfiguration.roleArn': {
        inert: 'Berth moves traffic between target groups without assuming a role',
        issue: 17,
      },
      role: { refused: 'the role would not be assumed to register the targets', issue: 17 },
    },
  },
  UpdateService: {
    acted: [
      ...SERVICE_ACTED,
      'service',
      'forceNewDeployment',
      // UpdateService: a new deployment, whose tasks join them.
      ...SERVICE_REGISTRIES,
    ],
    rules: {
      ...SERVICE_RULES,
      loadBalancers: { refused: 'the service would keep the load balancers it was created with' },
    },
  },
  DeleteService: { acted: ['cluster', 'service', 'force'] },
  DescribeServices: { acted: ['cluster', 'services', 'include'] },
  ListServices: {
    acted: ['cluster', 'nextToken', 'maxResults', 'launchType', 'schedulingStrategy', 'resourceManagementType'],
    rules: {
      resourceManagementType: {
        refused: "Berth has no ECS-managed services: the listing would hold the customer's",
        when: oneOf('ECS'),
      },
    },
  },
  // No namespaces exist: every call answers NamespaceNotFoundException.
  ListServicesByNamespace: { acted: ['namespace', 'nextToken', 'maxResults'] },
  ListServiceDeployments: {
    acted: ['service', 'cluster', 'status', 'nextToken', 'maxResults'],
    rules: { createdAt: { refused: 'the listing would not be filtered by creation time' } },
  },
  DescribeServiceDeployments: { acted: ['serviceDeploymentArns'] },
  DescribeServiceRevisions: { acted: ['serviceRevisionArns'] },
  StopServiceDeployment: { acted: ['serviceDeploymentArn', 'stopType'] },
  ...taskSetMembers({ TAGS, AWSVPC, STRATEGY_SPLIT, PLATFORM_VERSION }),

  CreateCapacityProvider: {
    acted: ['name', 'autoScalingGroupProvider.autoScalingGroupArn', ...TAGS],
    rules: {
      'autoScalingGroupProvider.managedScaling': AUTO_SCALING_GROUP,
      'autoScalingGroupProvider.managedTerminationProtection': AUTO_SCALING_GROUP,
      'autoScalingGroupProvider.managedDraining': AUTO_SCALING_GROUP,
      cluster: CAPACITY_PROVIDER_CLUSTER,
      managedInstancesProvider: MANAGED_INSTANCES,
    },
  },
  DescribeCapacityProviders: {
    acted: ['capacityProviders', 'include', 'maxResults', 'nextToken'],
    rules: { cluster: CAPACITY_PROVIDER_CLUSTER },
  },
  UpdateCapacityProvider: {
    acted: ['name'],
    rules: {
      autoScalingGroupProvider: AUTO_SCALING_GROUP,
      cluster: CAPACITY_PROVIDER_CLUSTER,
      managedInstancesProvider: MANAGED_INSTANCES,
    },
  },
  DeleteCapacityProvider: { acted: ['capacityProvider'], rules: { cluster: CAPACITY_PROVIDER_CLUSTER } },

  TagResource: { acted: ['resourceArn', ...TAGS] },
  UntagResource: { acted: ['resourceArn', 'tagKeys'] },
  ListTagsForResource: { acted: ['resourceArn'] },
} satisfies Record<string, OperationMembers>;
