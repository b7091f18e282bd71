import type { ContainerDefinition, TaskAssignment } from '../ecs/index.ts';
import { parseImageReference } from './runtime/docker/image-reference.ts';
import { readEnvironmentFiles, type EnvironmentFileReader } from './environment-files.ts';
import type { LogSink } from './log-shipping.ts';
import { ResourceInitializationError, type RegistryCredentials } from './runtime.ts';
import {
  needsSecrets,
  resolveRepositoryCredentials,
  resolveSecrets,
  type ResolvedSecrets,
  type SecretsApi,
} from './secrets/index.ts';
import type { TaskRoles } from './task-roles.ts';

/**
 * What the agent does for a task with its execution role's session, as the ECS agent does: pull
 * from ECR, ship awslogs, read environment files and secrets. A task without an execution role
 * gets the agent's own (its instance role's) pulls, logs and files.
 */
export interface ExecutionServices {
  registryAuth(image: string): Promise<RegistryCredentials | undefined>;
  readonly logSink: LogSink;
  readonly readEnvironmentFile: EnvironmentFileReader;
  readonly secrets: SecretsApi;
}

/**
 * What a task's containers need before the first one is created (the ECS agent's task resources):
 * the variables of their environment files and secrets, their secret log options, the credentials
 * of the private registries their repositoryCredentials name, and the task role's variable.
 */
export interface TaskResources {
  /** By container name. */
  readonly environmentFiles: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly secrets: ResolvedSecrets;
  /** By image. */
  readonly registryAuth: ReadonlyMap<string, RegistryCredentials>;
  /** AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, for a task with a task role. */
  readonly roleEnvironment: Readonly<Record<string, string>>;
}

export const NO_RESOURCES: TaskResources = {
  environmentFiles: new Map(),
  secrets: { environment: {}, logOptions: {} },
  registryAuth: new Map(),
  roleEnvironment: {},
};

/**
 * Gets the resources of the containers still to create, in the ECS agent's order: environment
 * files and secrets with the execution role (with none, files as the agent itself), then the task
 * role. Throws what stops the task (ResourceInitializationError with ECS's reason).
 */
export async function prepareTaskResources(
  task: TaskAssignment,
  containers: readonly ContainerDefinition[],
  options: {
    readonly execution: ExecutionServices | undefined;
    readonly readEnvironmentFile: EnvironmentFileReader | undefined;
    readonly roles: TaskRoles | undefined;
  },
): Promise<TaskResources> {
  const { execution } = options;
  const environmentFiles = await readEnvironmentFiles(
    containers,
    execution?.readEnvironmentFile ?? options.readEnvironmentFile,
  );
  let secrets = NO_RESOURCES.secrets;
  const registryAuth = new Map<string, RegistryCredentials>();
  if (needsSecrets(containers)) {
    if (!execution) {
      throw new ResourceInitializationError(
        'unable to pull secrets or registry auth: the task has no execution role (executionRoleArn) to fetch them with',
      );
    }
    secrets = await resolveSecrets(containers, execution.secrets);
    for (const container of containers) {
      const credentials = await resolveRepositoryCredentials(container, execution.secrets);
      const image = container.image!;
      const serveraddress = registryOf(image);
      if (credentials && serveraddress !== undefined && !registryAuth.has(image))
        registryAuth.set(image, { ...credentials, serveraddress });
    }
  }
  if (execution) await addEcrAuth(registryAuth, containers, execution);
  const roleEnvironment = (await options.roles?.attach(task)) ?? {};
  return { environmentFiles, secrets, registryAuth, roleEnvironment };
}

/**
 * The execution role's ECR token for each image in Berth's registry (others: none, pulled
 * anonymously), got before any pull as Fargate gets its registry auth: a role that may not have
 * one stops the task with Fargate's reason.
 */
async function addEcrAuth(
  auth: Map<string, RegistryCredentials>,
  containers: readonly ContainerDefinition[],
  execution: ExecutionServices,
): Promise<void> {
  for (const image of new Set(containers.map((c) => c.image!))) {
    if (auth.has(image)) continue;
    let credentials;
    try {
      credentials = await execution.registryAuth(image);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ResourceInitializationError(
        `unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): ${message}`,
      );
    }
    if (credentials) auth.set(image, credentials);
  }
}

/**
 * The variables the agent adds to a container: `added` (ECS's own, the metadata endpoint's), the
 * task role's URI, then the container's secrets, which win over `environment` and environment
 * files as the ECS agent merges them (PopulateSecrets before MergeEnvVarsFromEnvfiles).
 */
export function containerEnvironment(
  resources: TaskResources,
  container: string,
  added: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...added, ...resources.roleEnvironment, ...resources.secrets.environment[container] };
}

/** The container with its secret log options merged into its logConfiguration's options. */
export function withSecretLogOptions(resources: TaskResources, container: ContainerDefinition): ContainerDefinition {
  const options = resources.secrets.logOptions[container.name!];
  const log = container.logConfiguration;
  if (!options || !log) return container;
  return { ...container, logConfiguration: { ...log, options: { ...log.options, ...options } } };
}

/**
 * The registry an image is pulled from, as the engine takes it in credentials (Docker Hub's index
 * URL for docker.io); an invalid reference gets none, and its pull then fails as it would anyway.
 */
function registryOf(image: string): string | undefined {
  let registry: string;
  try {
    registry = parseImageReference(image).registry;
  } catch {
    return undefined;
  }
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}
