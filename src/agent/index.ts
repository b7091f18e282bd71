export { Agent, type AgentOptions } from './agent.ts';
export {
  ReportQueue,
  type ControlPlane,
  type TaskCredentialsControl,
  type TaskProtectionControl,
} from './control-plane.ts';
export {
  CannotPullContainerError,
  CannotStartContainerError,
  ResourceInitializationError,
  PAUSE_CONTAINER_NAME,
  type ContainerRuntime,
  type HostNetworks,
  type PulledImage,
  type RegistryCredentials,
  type RuntimeContainer,
  type StartContext,
  type TaskNetwork,
} from './runtime.ts';
export { UnavailableRuntime } from './unavailable-runtime.ts';
export {
  RefreshingCredentials,
  staticCredentials,
  type AgentCredentials,
  type CredentialSource,
} from './agent-credentials.ts';
export { resolveAgentConfig, AgentConfigError, type AgentConfig } from './agent-config.ts';
export { DockerRuntime, OWNER_LABEL, AWSVPC_NETWORK } from './runtime/docker/docker-runtime.ts';
export {
  iptablesCredentialsRoutes,
  newContainerMac,
  CREDENTIALS_ADDRESS,
  type CredentialsRoutes,
} from './runtime/docker/credentials-routes.ts';
export { DEFAULT_PIDS_LIMIT, type Confinement } from './runtime/docker/confinement.ts';
export { DockerEngine, dockerEndpoint } from './runtime/docker/engine-client.ts';
export { awslogsTarget, shipLogs, type LogSink } from './log-shipping.ts';
export {
  startMetadataServer,
  type MetadataServer,
  type MetadataServerOptions,
  type MetadataSource,
} from './metadata/metadata-server.ts';
export { type TaskMetadataSnapshot } from './metadata/task-metadata.ts';
export {
  parseEnvironmentFile,
  readEnvironmentFiles,
  MAX_ENVIRONMENT_FILE_BYTES,
  type EnvironmentFileReader,
} from './environment-files.ts';
export { localAddressTowards } from './host-address.ts';
export * from './secrets/index.ts';
export type { ExecutionServices } from './task-resources.ts';
export { TaskRoles, CREDENTIALS_URI_VARIABLE, type CredentialsRouter } from './task-roles.ts';
export { ExecRunner, type ExecStreamLink } from './exec-runner.ts';
export { channelClosedMessage, type DataChannelSocket } from './exec/index.ts';
export { TelemetrySampler, type TelemetryControl } from './telemetry-sampler.ts';
