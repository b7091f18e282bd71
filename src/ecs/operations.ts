import {
  createCluster,
  deleteCluster,
  describeClusters,
  listClusters,
  putClusterCapacityProviders,
  updateCluster,
  updateClusterSettings,
  type ClusterDeps,
} from './clusters.ts';
import {
  deleteAccountSetting,
  listAccountSettings,
  putAccountSetting,
  putAccountSettingDefault,
} from './account-settings.ts';
import { deleteAttributes, listAttributes, putAttributes } from './attributes.ts';
import {
  createCapacityProvider,
  deleteCapacityProvider,
  describeCapacityProviders,
  updateCapacityProvider,
} from './capacity-providers.ts';
import {
  deregisterContainerInstance,
  describeContainerInstances,
  listContainerInstances,
  registerContainerInstance,
  updateContainerInstancesState,
} from './container-instances.ts';
import { authorizeDefinitionRoles, type Authorize } from './access-pass-role.ts';
import type { EcsApi } from './shapes.generated.ts';
import { submitAttachmentStateChanges, submitContainerStateChange, submitTaskStateChange } from './task-reports.ts';
import {
  createService,
  deleteService,
  describeServices,
  listServices,
  listServicesByNamespace,
  updateService,
} from './services.ts';
import { describeTasks, listTasks, runTask, startTask, stopTask, type TaskDeps } from './tasks.ts';
import { beforeUserStop } from './task-stop-rotation.ts';
import { getTaskProtection, updateTaskProtection } from './task-protection.ts';
import { executeCommand } from './execute-command.ts';
import { describeServiceDeployments, listServiceDeployments } from './service-deployments.ts';
import { describeServiceRevisions } from './service-revisions.ts';
import { stopServiceDeployment } from './service-deployment-stop.ts';
import { listTagsForResource, tagResource, untagResource } from './tags.ts';
import {
  createTaskSet,
  deleteTaskSet,
  describeTaskSets,
  updateServicePrimaryTaskSet,
  updateTaskSet,
} from './task-sets.ts';
import {
  deleteTaskDefinitions,
  deregisterTaskDefinition,
  describeTaskDefinition,
  listTaskDefinitionFamilies,
  listTaskDefinitions,
  registerTaskDefinition,
  type TaskDefinitionDeps,
} from './task-definitions.ts';

export type EcsDeps = ClusterDeps &
  TaskDeps &
  TaskDefinitionDeps & {
    /** The URL agents reach the server at (DiscoverPollEndpoint answers it). */
    readonly endpoint: () => string;
    /**
     * The access control, for the iam:PassRole of a task definition's roles, known only once it is
     * read (access-pass-role.ts). Absent (tests of ECS alone): no such second step.
     */
    readonly authorize?: Authorize | undefined;
  };

/** The ECS operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function ecsOperations(deps: EcsDeps): Partial<EcsApi> {
  return operationTable(deps);
}

/**
 * Tells the load balancers that container instances changed (`attributeNames`: which attributes;
 * undefined for a registration), since instance targets are reached at their instance's address,
 * then answers `output`.
 */
async function instancesChanged<T>(
  deps: EcsDeps,
  attributeNames: readonly string[] | undefined,
  output: T,
): Promise<T> {
  await deps.loadBalancing?.instancesChanged?.(attributeNames);
  return output;
}

function operationTable(deps: EcsDeps): Partial<EcsApi> {
  return {
    CreateCluster: (input, context) => createCluster(deps, input, context),
    DescribeClusters: (input, context) => describeClusters(deps, input, context),
    ListClusters: (input) => listClusters(deps, input),
    UpdateCluster: (input) => updateCluster(deps, input),
    UpdateClusterSettings: (input) => updateClusterSettings(deps, input),
    PutClusterCapacityProviders: (input) => putClusterCapacityProviders(deps, input),
    DeleteCluster: (input) => deleteCluster(deps, input),
    RegisterTaskDefinition: (input, context) => registerTaskDefinition(deps, input, context),
    DescribeTaskDefinition: (input) => describeTaskDefinition(deps, input),
    ListTaskDefinitions: (input) => listTaskDefinitions(deps, input),
    ListTaskDefinitionFamilies: (input) => listTaskDefinitionFamilies(deps, input),
    DeregisterTaskDefinition: (input) => deregisterTaskDefinition(deps, input),
    DeleteTaskDefinitions: (input) => deleteTaskDefinitions(deps, input),
    RegisterContainerInstance: async (input, context) =>
      instancesChanged(deps, undefined, await registerContainerInstance(deps, input, context)),
    DescribeContainerInstances: (input, context) => describeContainerInstances(deps, input, context),
    ListContainerInstances: (input) => listContainerInstances(deps, input),
    UpdateContainerInstancesState: (input, context) => updateContainerInstancesState(deps, input, context),
    DeregisterContainerInstance: async (input) =>
      instancesChanged(deps, undefined, await deregisterContainerInstance(deps, input)),
    PutAttributes: async (input) =>
      instancesChanged(
        deps,
        input.attributes.map((a) => a.name),
        await putAttributes(deps, input),
      ),
    DeleteAttributes: async (input) =>
      instancesChanged(
        deps,
        input.attributes.map((a) => a.name),
        await deleteAttributes(deps, input),
      ),
    ListAttributes: (input) => listAttributes(deps, input),
    PutAccountSetting: (input, context) => putAccountSetting(deps.store, input, context),
    PutAccountSettingDefault: (input, context) => putAccountSettingDefault(deps.store, input, context),
    DeleteAccountSetting: (input, context) => deleteAccountSetting(deps.store, input, context),
    ListAccountSettings: (input, context) => listAccountSettings(deps.store, input, context),
    RunTask: async (input, context) => {
      await authorizeDefinitionRoles(deps, context, input);
      return runTask(deps, input, context);
    },
    StartTask: async (input, context) => {
      await authorizeDefinitionRoles(deps, context, input);
      return startTask(deps, input, context);
    },
    StopTask: (input) => stopTask(deps, input, (cluster, id) => beforeUserStop(deps, cluster, id)),
    DescribeTasks: (input, context) => describeTasks(deps, input, context),
    UpdateTaskProtection: (input, context) => updateTaskProtection(deps, input, context),
    GetTaskProtection: (input, context) => getTaskProtection(deps, input, context),
    ListTasks: (input) => listTasks(deps, input),
    ExecuteCommand: (input, context) => executeCommand(deps, input, context),
    SubmitTaskStateChange: (input) => submitTaskStateChange(deps, input),
    SubmitContainerStateChange: (input) => submitContainerStateChange(deps, input),
    SubmitAttachmentStateChanges: (input) => submitAttachmentStateChanges(deps, input),
    DiscoverPollEndpoint: async (_input, context) => {
      // The scheme and host the agent used (HTTPS stays HTTPS), else the server's own URL.
      const endpoint = context.host
        ? `${context.secureTransport ? 'https' : 'http'}://${context.host}`
        : deps.endpoint();
      return { endpoint, telemetryEndpoint: endpoint, serviceConnectEndpoint: endpoint };
    },
    CreateService: async (input, context) => {
      await authorizeDefinitionRoles(deps, context, input);
      return createService(deps, input, context);
    },
    UpdateService: async (input, context) => {
      await authorizeDefinitionRoles(deps, context, input);
      return updateService(deps, input);
    },
    DeleteService: (input) => deleteService(deps, input),
    DescribeServices: (input, context) => describeServices(deps, input, context),
    ListServices: (input) => listServices(deps, input),
    ListServicesByNamespace: (input) => listServicesByNamespace(deps, input),
    ListServiceDeployments: (input) => listServiceDeployments(deps, input),
    DescribeServiceDeployments: (input, context) => describeServiceDeployments(deps, input, context),
    DescribeServiceRevisions: (input, context) => describeServiceRevisions(deps, input, context),
    StopServiceDeployment: (input, context) => stopServiceDeployment(deps, input, context),
    CreateTaskSet: async (input, context) => {
      await authorizeDefinitionRoles(deps, context, input);
      return createTaskSet(deps, input, context);
    },
    UpdateTaskSet: (input) => updateTaskSet(deps, input),
    DeleteTaskSet: (input) => deleteTaskSet(deps, input),
    DescribeTaskSets: (input) => describeTaskSets(deps, input),
    UpdateServicePrimaryTaskSet: (input) => updateServicePrimaryTaskSet(deps, input),
    CreateCapacityProvider: (input, context) => createCapacityProvider(deps.store, input, context),
    DescribeCapacityProviders: (input, context) => describeCapacityProviders(deps.store, input, context),
    UpdateCapacityProvider: (input) => updateCapacityProvider(deps.store, input),
    DeleteCapacityProvider: (input) => deleteCapacityProvider(deps.store, input),
    TagResource: (input, context) => tagResource(deps.store, input, context),
    UntagResource: (input, context) => untagResource(deps.store, input, context),
    ListTagsForResource: (input, context) => listTagsForResource(deps.store, input, context),
  };
}
