import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';

/**
 * What each ECS operation asks the access control for, after AWS's Service Authorization Reference
 * for ECS: the action is `ecs:<Operation>`, the resource the ARN the input names (a cluster, a
 * service, a task definition...) or `*` where ECS takes none, with the ecs:cluster condition key on
 * calls that act inside a cluster. Built from the input alone: no store reads, so a declaration
 * never fails and never tells a caller whether a resource exists.
 */

type Input = Record<string, unknown>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

const DEFAULT_CLUSTER = 'default';

function arn(context: RequestContext, resource: string): string {
  return formatArn('ecs', context, resource);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
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

function launching(action: string): Declare {
  return (input, context) => {
    const cluster = clusterArn(context, input);
    const taskDefinition = text(input.taskDefinition);
    const instances = list(input.containerInstances);
    return [
      {
        action,
        resource: taskDefinition === undefined ? '*' : taskDefinitionArn(context, taskDefinition),
        conditions: {
          'ecs:cluster': cluster,
          ...(instances.length > 0
            ? { 'ecs:container-instances': instances.map((i) => inCluster(context, input, 'container-instance', i)) }
            : {}),
        },
      },
    ];
  };
}

function onResourceArn(action: string): Declare {
  return (input) => [{ action, resource: text(input.resourceArn) ?? '*' }];
}

function onCapacityProvider(action: string, member: string): Declare {
  return (input, context) => {
    const name = text(input[member]) ?? '*';
    return [{ action, resource: name.startsWith('arn:') ? name : arn(context, `capacity-provider/${name}`) }];
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

function onServiceArn(action: string, member: string): Declare {
  return (input) => {
    const value = input[member];
    const names = typeof value === 'string' ? [value] : list(value);
    return names.length === 0 ? [{ action, resource: '*' }] : names.map((resource) => ({ action, resource }));
  };
}

/** A task set: task-set/CLUSTER/SERVICE/ID (its id, ecs-svc/…, has a slash of its own). */
function onTaskSet(action: string, member: string): Declare {
  return (input, context) => {
    const reference = text(input[member]) ?? '*';
    const service = lastName(text(input.service) ?? '*');
    return [
      {
        action,
        resource: reference.startsWith('arn:')
          ? reference
          : arn(context, `task-set/${clusterName(input)}/${service}/${reference}`),
        conditions: { 'ecs:cluster': clusterArn(context, input) },
      },
    ];
  };
}

const DECLARATIONS: Record<string, Declare> = {
  CreateCluster: (input, context) => [
    { action: 'ecs:CreateCluster', resource: arn(context, `cluster/${text(input.clusterName) ?? DEFAULT_CLUSTER}`) },
  ],
  DescribeClusters: (input, context) => {
    const clusters = list(input.clusters);
    const names = clusters.length === 0 ? [DEFAULT_CLUSTER] : clusters;
    return names.map((name) => ({
      action: 'ecs:DescribeClusters',
      resource: name.startsWith('arn:') ? name : arn(context, `cluster/${name}`),
    }));
  },
  ListClusters: onAccount('ecs:ListClusters'),
  UpdateCluster: onCluster('ecs:UpdateCluster'),
  UpdateClusterSettings: onCluster('ecs:UpdateClusterSettings'),
  PutClusterCapacityProviders: onCluster('ecs:PutClusterCapacityProviders'),
  DeleteCluster: onCluster('ecs:DeleteCluster'),
  RegisterTaskDefinition: onAccount('ecs:RegisterTaskDefinition'),
  DescribeTaskDefinition: onAccount('ecs:DescribeTaskDefinition'),
  ListTaskDefinitions: onAccount('ecs:ListTaskDefinitions'),
  ListTaskDefinitionFamilies: onAccount('ecs:ListTaskDefinitionFamilies'),
  DeregisterTaskDefinition: onAccount('ecs:DeregisterTaskDefinition'),
  DeleteTaskDefinitions: (input, context) =>
    list(input.taskDefinitions).map((reference) => ({
      action: 'ecs:DeleteTaskDefinitions',
      resource: taskDefinitionArn(context, reference),
    })),
  RegisterContainerInstance: onCluster('ecs:RegisterContainerInstance'),
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
  PutAccountSetting: onAccount('ecs:PutAccountSetting'),
  PutAccountSettingDefault: onAccount('ecs:PutAccountSettingDefault'),
  DeleteAccountSetting: onAccount('ecs:DeleteAccountSetting'),
  ListAccountSettings: onAccount('ecs:ListAccountSettings'),
  RunTask: launching('ecs:RunTask'),
  StartTask: launching('ecs:StartTask'),
  StopTask: within('ecs:StopTask', 'task', 'task'),
  DescribeTasks: within('ecs:DescribeTasks', 'task', 'tasks'),
  UpdateTaskProtection: within('ecs:UpdateTaskProtection', 'task', 'tasks'),
  GetTaskProtection: within('ecs:GetTaskProtection', 'task', 'tasks'),
  ListTasks: onCluster('ecs:ListTasks'),
  SubmitTaskStateChange: onCluster('ecs:SubmitTaskStateChange'),
  SubmitContainerStateChange: onCluster('ecs:SubmitContainerStateChange'),
  SubmitAttachmentStateChanges: onCluster('ecs:SubmitAttachmentStateChanges'),
  DiscoverPollEndpoint: onAccount('ecs:DiscoverPollEndpoint'),
  CreateService: (input, context) => [
    {
      action: 'ecs:CreateService',
      resource: inCluster(context, input, 'service', text(input.serviceName) ?? '*'),
      conditions: {
        'ecs:cluster': clusterArn(context, input),
        ...(text(input.taskDefinition) !== undefined
          ? { 'ecs:task-definition': taskDefinitionArn(context, text(input.taskDefinition)!) }
          : {}),
      },
    },
  ],
  UpdateService: onService('ecs:UpdateService'),
  DeleteService: onService('ecs:DeleteService'),
  DescribeServices: within('ecs:DescribeServices', 'service', 'services'),
  ListServices: onCluster('ecs:ListServices'),
  ListServicesByNamespace: onAccount('ecs:ListServicesByNamespace'),
  ListServiceDeployments: onService('ecs:ListServiceDeployments'),
  DescribeServiceDeployments: onServiceArn('ecs:DescribeServiceDeployments', 'serviceDeploymentArns'),
  DescribeServiceRevisions: onServiceArn('ecs:DescribeServiceRevisions', 'serviceRevisionArns'),
  StopServiceDeployment: onServiceArn('ecs:StopServiceDeployment', 'serviceDeploymentArn'),
  CreateTaskSet: (input, context) => [
    {
      action: 'ecs:CreateTaskSet',
      resource: inCluster(context, input, 'service', text(input.service) ?? '*'),
      conditions: {
        'ecs:cluster': clusterArn(context, input),
        ...(text(input.taskDefinition) !== undefined
          ? { 'ecs:task-definition': taskDefinitionArn(context, text(input.taskDefinition)!) }
          : {}),
      },
    },
  ],
  UpdateTaskSet: onTaskSet('ecs:UpdateTaskSet', 'taskSet'),
  DeleteTaskSet: onTaskSet('ecs:DeleteTaskSet', 'taskSet'),
  DescribeTaskSets: onService('ecs:DescribeTaskSets'),
  UpdateServicePrimaryTaskSet: onService('ecs:UpdateServicePrimaryTaskSet'),
  CreateCapacityProvider: onCapacityProvider('ecs:CreateCapacityProvider', 'name'),
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
