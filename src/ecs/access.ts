import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import {
  capacityProviders,
  defined,
  definitionConditions,
  launchConditions,
  list,
  requestTags,
  tagOnCreate,
  text,
  type Input,
} from './access-conditions.ts';
import { passRole } from './access-pass-role.ts';

/**
 * What each ECS operation asks the access control for, after AWS's Service Authorization Reference
 * for ECS: the action is `ecs:<Operation>`, the resource the ARN the input names (a cluster, a
 * service, a task definition...) or `*` where ECS takes none, with the condition keys the reference
 * lists for the action (access-conditions.ts), ecs:TagResource when a create sets tags, and
 * iam:PassRole for the roles the input names. Built from the input alone: no store reads, so a
 * declaration never fails and never tells a caller whether a resource exists.
 */

type Declare = (input: Input, context: RequestContext) => AccessRequest[];

const DEFAULT_CLUSTER = 'default';

function arn(context: RequestContext, resource: string): string {
  return formatArn('ecs', context, resource);
}

/** The last path element of an ARN or the name itself ("arn:…:cluster/web" and "web" → "web"). */
function lastName(reference: string): string {
  return reference.startsWith('arn:') ? reference.slice(reference.lastIndexOf('/') + 1) : reference;
}

function clusterName(input: Input): string {
  return lastName(text(input.cluster) ?? DEFAULT_CLUSTER);
}

function clusterArn(context: RequestContext, input: Input): string {
  const given = text(input.cluster);
  return given?.startsWith('arn:') ? given : arn(context, `cluster/${clusterName(input)}`);
}

/** A resource inside a cluster: task/CLUSTER/ID, container-instance/CLUSTER/ID, service/CLUSTER/NAME. */
function inCluster(context: RequestContext, input: Input, kind: string, reference: string): string {
  return reference.startsWith('arn:') ? reference : arn(context, `${kind}/${clusterName(input)}/${reference}`);
}

function taskDefinitionArn(context: RequestContext, reference: string): string {
  if (reference.startsWith('arn:')) return reference;
  // A bare family means its latest ACTIVE revision: the policy sees family:* as in ECS.
  return arn(context, `task-definition/${reference.includes(':') ? reference : `${reference}:*`}`);
}

function onCluster(action: string): Declare {
  return (input, context) => [
    { action, resource: clusterArn(context, input), conditions: { 'ecs:cluster': clusterArn(context, input) } },
  ];
}

function onAccount(action: string): Declare {
  return () => [{ action, resource: '*' }];
}

function within(action: string, kind: string, member: string): Declare {
  return (input, context) => {
    const cluster = clusterArn(context, input);
    const names = typeof input[member] === 'string' ? [input[member] as string] : list(input[member]);
    // An empty list still asks for the action, on every such resource of the cluster, so that the
    // operation itself answers it (ECS: "Tasks cannot be empty.").
    return (names.length > 0 ? names : ['*']).map((name) => ({
      action,
      resource: inCluster(context, input, kind, name),
      conditions: { 'ecs:cluster': cluster },
    }));
  };
}

/** CreateCluster's and UpdateCluster's configuration.managedStorageConfiguration.fargateEphemeralStorageKmsKeyId. */
function fargateStorageKey(input: Input): string | undefined {
  const configuration = (input.configuration ?? {}) as Input;
  const storage = (configuration.managedStorageConfiguration ?? {}) as Input;
  return text(storage.fargateEphemeralStorageKmsKeyId);
}

function capacityProviderArn(context: RequestContext): (name: string) => string {
  return (name) => (name.startsWith('arn:') ? name : arn(context, `capacity-provider/${name}`));
}

/** RunTask and StartTask: on the task definition, tagging the new tasks, passing override roles. */
function launching(operation: 'RunTask' | 'StartTask'): Declare {
  return (input, context) => {
    const taskDefinition = text(input.taskDefinition);
    const instances = list(input.containerInstances);
    const overrides = (input.overrides ?? {}) as Input;
    const conditions = launchConditions(input, {
      creating: true,
      service: false,
      capacityProviderArn: capacityProviderArn(context),
    });
    if (operation === 'StartTask') delete conditions['ecs:capacity-provider'];
    return [
      {
        action: `ecs:${operation}`,
        resource: taskDefinition === undefined ? '*' : taskDefinitionArn(context, taskDefinition),
        conditions: {
          'ecs:cluster': clusterArn(context, input),
          ...conditions,
          ...(instances.length > 0
            ? { 'ecs:container-instances': instances.map((i) => inCluster(context, input, 'container-instance', i)) }
            : {}),
        },
      },
      ...tagOnCreate(operation, inCluster(context, input, 'task', '*'), input.tags),
      ...passRole(overrides.taskRoleArn, 'ecs-tasks.amazonaws.com', context.accountId),
      ...passRole(overrides.executionRoleArn, 'ecs-tasks.amazonaws.com', context.accountId),
    ];
  };
}

/** CreateService and UpdateService: the service, its launch keys, and the roles it is given. */
function servicing(operation: 'CreateService' | 'UpdateService'): Declare {
  return (input, context) => {
    const creating = operation === 'CreateService';
    const service = inCluster(context, input, 'service', text(input.serviceName) ?? text(input.service) ?? '*');
    const taskDefinition = text(input.taskDefinition);
    return [
      {
        action: `ecs:${operation}`,
        resource: service,
        conditions: {
          'ecs:cluster': clusterArn(context, input),
          ...launchConditions(input, { creating, service: true, capacityProviderArn: capacityProviderArn(context) }),
          ...(taskDefinition !== undefined
            ? { 'ecs:task-definition': taskDefinitionArn(context, taskDefinition) }
            : {}),
        },
      },
      ...(creating ? tagOnCreate(operation, service, input.tags) : []),
      ...passRole(input.role, 'ecs.amazonaws.com', context.accountId),
    ];
  };
}

/** TagResource, UntagResource and ListTagsForResource: the tags set, the keys removed. */
function onResourceArn(action: string): Declare {
  return (input) => [
    {
      action,
      resource: text(input.resourceArn) ?? '*',
      conditions: defined({ ...requestTags(input.tags), 'aws:TagKeys': list(input.tagKeys) }),
    },
  ];
}

function onCapacityProvider(action: string, member: string): Declare {
  return (input, context) => [{ action, resource: capacityProviderArn(context)(text(input[member]) ?? '*') }];
}

/** An account setting's calls carry its name (ecs:account-setting). */
function onAccountSetting(action: string): Declare {
  return (input) => [{ action, resource: '*', conditions: defined({ 'ecs:account-setting': text(input.name) }) }];
}

/** service-deployment/CLUSTER/SERVICE/ID and service-revision/...: their cluster and service keys. */
function onServiceChild(action: string, member: string): Declare {
  return (input) => {
    const value = input[member];
    const arns = typeof value === 'string' ? [value] : list(value);
    if (arns.length === 0) return [{ action, resource: '*' }];
    return arns.map((resource): AccessRequest => {
      const [, cluster, service] = (resource.split(':')[5] ?? '').split('/');
      const scope = resource.split(':').slice(0, 5).join(':');
      return {
        action,
        resource,
        conditions:
          cluster && service
            ? { 'ecs:cluster': `${scope}:cluster/${cluster}`, 'ecs:service': `${scope}:service/${cluster}/${service}` }
            : {},
      };
    });
  };
}

function onService(action: string): Declare {
  return (input, context) => {
    const service = text(input.service) ?? text(input.serviceName) ?? '*';
    return [
      {
        action,
        resource: inCluster(context, input, 'service', service),
        conditions: { 'ecs:cluster': clusterArn(context, input) },
      },
    ];
  };
}

/** Task sets: task-set/CLUSTER/SERVICE/ID (its id, ecs-svc/…, has a slash of its own), `*` for any. */
function onTaskSets(action: string, member: string): Declare {
  return (input, context) => {
    const value = input[member];
    const references = typeof value === 'string' ? [value] : list(value);
    const service = lastName(text(input.service) ?? '*');
    const conditions = {
      'ecs:cluster': clusterArn(context, input),
      'ecs:service': inCluster(context, input, 'service', text(input.service) ?? '*'),
    };
    return (references.length > 0 ? references : ['*']).map((reference) => ({
      action,
      resource: reference.startsWith('arn:')
        ? reference
        : arn(context, `task-set/${clusterName(input)}/${service}/${reference}`),
      conditions,
    }));
  };
}

const DECLARATIONS: Record<string, Declare> = {
  CreateCluster: (input, context) => {
    const cluster = arn(context, `cluster/${text(input.clusterName) ?? DEFAULT_CLUSTER}`);
    return [
      {
        action: 'ecs:CreateCluster',
        resource: cluster,
        conditions: defined({
          ...requestTags(input.tags),
          'ecs:capacity-provider': capacityProviders(input, capacityProviderArn(context)),
          'ecs:fargate-ephemeral-storage-kms-key': fargateStorageKey(input),
        }),
      },
      ...tagOnCreate('CreateCluster', cluster, input.tags),
    ];
  },
  DescribeClusters: (input, context) => {
    const clusters = list(input.clusters);
    const names = clusters.length === 0 ? [DEFAULT_CLUSTER] : clusters;
    return names.map((name) => ({
      action: 'ecs:DescribeClusters',
      resource: name.startsWith('arn:') ? name : arn(context, `cluster/${name}`),
    }));
  },
  ListClusters: onAccount('ecs:ListClusters'),
  UpdateCluster: (input, context) => [
    {
      action: 'ecs:UpdateCluster',
      resource: clusterArn(context, input),
      conditions: defined({
        'ecs:cluster': clusterArn(context, input),
        'ecs:fargate-ephemeral-storage-kms-key': fargateStorageKey(input),
      }),
    },
  ],
  UpdateClusterSettings: onCluster('ecs:UpdateClusterSettings'),
  PutClusterCapacityProviders: (input, context) => [
    {
      action: 'ecs:PutClusterCapacityProviders',
      resource: clusterArn(context, input),
      conditions: defined({
        'ecs:cluster': clusterArn(context, input),
        'ecs:capacity-provider': capacityProviders(input, capacityProviderArn(context)),
      }),
    },
  ],
  DeleteCluster: onCluster('ecs:DeleteCluster'),
  RegisterTaskDefinition: (input, context) => {
    // The revision is not known before the call: the family's task definitions (family:*).
    const definition = taskDefinitionArn(context, text(input.family) ?? '*');
    return [
      { action: 'ecs:RegisterTaskDefinition', resource: definition, conditions: definitionConditions(input) },
      ...tagOnCreate('RegisterTaskDefinition', definition, input.tags),
      ...passRole(input.taskRoleArn, 'ecs-tasks.amazonaws.com', context.accountId),
      ...passRole(input.executionRoleArn, 'ecs-tasks.amazonaws.com', context.accountId),
    ];
  },
  DescribeTaskDefinition: onAccount('ecs:DescribeTaskDefinition'),
  ListTaskDefinitions: onAccount('ecs:ListTaskDefinitions'),
  ListTaskDefinitionFamilies: onAccount('ecs:ListTaskDefinitionFamilies'),
  DeregisterTaskDefinition: onAccount('ecs:DeregisterTaskDefinition'),
  DeleteTaskDefinitions: (input, context) =>
    list(input.taskDefinitions).map((reference) => ({
      action: 'ecs:DeleteTaskDefinitions',
      resource: taskDefinitionArn(context, reference),
    })),
  RegisterContainerInstance: (input, context) => [
    {
      action: 'ecs:RegisterContainerInstance',
      resource: clusterArn(context, input),
      conditions: { 'ecs:cluster': clusterArn(context, input), ...requestTags(input.tags) },
    },
    ...tagOnCreate('RegisterContainerInstance', inCluster(context, input, 'container-instance', '*'), input.tags),
  ],
  DescribeContainerInstances: within('ecs:DescribeContainerInstances', 'container-instance', 'containerInstances'),
  ListContainerInstances: onCluster('ecs:ListContainerInstances'),
  UpdateContainerInstancesState: within(
    'ecs:UpdateContainerInstancesState',
    'container-instance',
    'containerInstances',
  ),
  DeregisterContainerInstance: onCluster('ecs:DeregisterContainerInstance'),
  PutAttributes: onCluster('ecs:PutAttributes'),
  DeleteAttributes: onCluster('ecs:DeleteAttributes'),
  ListAttributes: onCluster('ecs:ListAttributes'),
  PutAccountSetting: onAccountSetting('ecs:PutAccountSetting'),
  PutAccountSettingDefault: onAccountSetting('ecs:PutAccountSettingDefault'),
  DeleteAccountSetting: onAccountSetting('ecs:DeleteAccountSetting'),
  ListAccountSettings: onAccount('ecs:ListAccountSettings'),
  RunTask: launching('RunTask'),
  StartTask: launching('StartTask'),
  StopTask: within('ecs:StopTask', 'task', 'task'),
  DescribeTasks: within('ecs:DescribeTasks', 'task', 'tasks'),
  UpdateTaskProtection: within('ecs:UpdateTaskProtection', 'task', 'tasks'),
  GetTaskProtection: within('ecs:GetTaskProtection', 'task', 'tasks'),
  // On the task, with the cluster, the container and the task as condition keys.
  ExecuteCommand: (input, context) => {
    const task = inCluster(context, input, 'task', text(input.task) ?? '*');
    return [
      {
        action: 'ecs:ExecuteCommand',
        resource: task,
        conditions: {
          'ecs:cluster': clusterArn(context, input),
          'ecs:task': task,
          ...defined({ 'ecs:container-name': text(input.container) }),
        },
      },
    ];
  },
  ListTasks: onCluster('ecs:ListTasks'),
  SubmitTaskStateChange: onCluster('ecs:SubmitTaskStateChange'),
  SubmitContainerStateChange: onCluster('ecs:SubmitContainerStateChange'),
  SubmitAttachmentStateChanges: onCluster('ecs:SubmitAttachmentStateChanges'),
  DiscoverPollEndpoint: onAccount('ecs:DiscoverPollEndpoint'),
  CreateService: servicing('CreateService'),
  UpdateService: servicing('UpdateService'),
  DeleteService: onService('ecs:DeleteService'),
  DescribeServices: within('ecs:DescribeServices', 'service', 'services'),
  // ListServices takes no resource: the cluster is its ecs:cluster key.
  ListServices: (input, context) => [
    { action: 'ecs:ListServices', resource: '*', conditions: { 'ecs:cluster': clusterArn(context, input) } },
  ],
  ListServicesByNamespace: (input) => [
    {
      action: 'ecs:ListServicesByNamespace',
      resource: '*',
      conditions: defined({ 'ecs:namespace': text(input.namespace) }),
    },
  ],
  ListServiceDeployments: onService('ecs:ListServiceDeployments'),
  DescribeServiceDeployments: onServiceChild('ecs:DescribeServiceDeployments', 'serviceDeploymentArns'),
  DescribeServiceRevisions: onServiceChild('ecs:DescribeServiceRevisions', 'serviceRevisionArns'),
  StopServiceDeployment: onServiceChild('ecs:StopServiceDeployment', 'serviceDeploymentArn'),
  CreateTaskSet: (input, context) => {
    const taskDefinition = text(input.taskDefinition);
    const [request] = onTaskSets('ecs:CreateTaskSet', 'taskSet')(input, context);
    return [
      {
        ...request!,
        conditions: {
          ...request!.conditions,
          ...requestTags(input.tags),
          ...defined({ 'ecs:capacity-provider': capacityProviders(input, capacityProviderArn(context)) }),
          ...(taskDefinition !== undefined
            ? { 'ecs:task-definition': taskDefinitionArn(context, taskDefinition) }
            : {}),
        },
      },
      ...tagOnCreate('CreateTaskSet', request!.resource, input.tags),
    ];
  },
  UpdateTaskSet: onTaskSets('ecs:UpdateTaskSet', 'taskSet'),
  DeleteTaskSet: onTaskSets('ecs:DeleteTaskSet', 'taskSet'),
  DescribeTaskSets: onTaskSets('ecs:DescribeTaskSets', 'taskSets'),
  UpdateServicePrimaryTaskSet: onService('ecs:UpdateServicePrimaryTaskSet'),
  CreateCapacityProvider: (input, context) => {
    const [request] = onCapacityProvider('ecs:CreateCapacityProvider', 'name')(input, context);
    return [
      { ...request!, conditions: requestTags(input.tags) },
      ...tagOnCreate('CreateCapacityProvider', request!.resource, input.tags),
    ];
  },
  DescribeCapacityProviders: (input, context) => {
    const names = list(input.capacityProviders);
    return names.length === 0
      ? [{ action: 'ecs:DescribeCapacityProviders', resource: '*' }]
      : names.map((name) => ({
          action: 'ecs:DescribeCapacityProviders',
          resource: name.startsWith('arn:') ? name : arn(context, `capacity-provider/${name}`),
        }));
  },
  UpdateCapacityProvider: onCapacityProvider('ecs:UpdateCapacityProvider', 'name'),
  DeleteCapacityProvider: onCapacityProvider('ecs:DeleteCapacityProvider', 'capacityProvider'),
  TagResource: onResourceArn('ecs:TagResource'),
  UntagResource: onResourceArn('ecs:UntagResource'),
  ListTagsForResource: onResourceArn('ecs:ListTagsForResource'),
};

/** The access declarations of the ECS operations Berth implements, by operation name. */
export const ecsAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
