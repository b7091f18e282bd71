import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import {
  Agent,
  ExecRunner,
  AgentConfigError,
  TaskRoles,
  iptablesCredentialsRoutes,
  localAddressTowards,
  newContainerMac,
  resolveAgentConfig,
  staticCredentials,
  type AgentConfig,
  type ContainerRuntime,
  type CredentialSource,
} from '../agent/index.ts';
import { HOST_ADDRESS_ATTRIBUTE } from '../elb/index.ts';
import { EXECUTE_COMMAND_CAPABILITY } from '../ecs/index.ts';
import { httpExecLink } from './agent-exec.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { writeFileAtomic } from '../shared/atomic-file.ts';
import { HttpControlPlane } from './control-planes.ts';
import { instanceProfileCredentials } from './instance-profile.ts';
import { httpLogSink, taskRoleLogSinks } from './log-sinks.ts';
import { ecrRegistryCredentials, serverRegistryHosts, type RegistryCredentials } from './registry-credentials.ts';

/** Credentials for an image's registry (Berth's own), or undefined for anonymous pulls. */
export type RegistryLookup = (image: string) => Promise<RegistryCredentials | undefined>;
import { signedJsonClient } from './signed-fetch.ts';
import { httpEnvironmentFiles } from './environment-file-readers.ts';
import { startTaskMetadataEndpoint } from './task-metadata-endpoint.ts';
import { httpExecutionServices } from './execution-services.ts';
import { bridgeGateway, startAgentDns, type AgentDns } from './agent-dns.ts';
import { endpointNow, FailoverEndpoints, type ServerEndpoint } from './server-endpoints.ts';
import { agentTelemetryIntervalMs } from './metrics-time.ts';

export const AGENT_HELP = `berth agent: join this host to a cluster and run its tasks (EC2 launch type)
  --endpoint URL[,URL...]   the Berth server (BERTH_ENDPOINT, default http://BERTH_HOST:BERTH_PORT, i.e. http://127.0.0.1:4510);
                            several servers sharing one PostgreSQL: the agent fails over to the next one
                            when the one it uses stops answering, and its tasks keep running
  --cluster NAME            the cluster to join (ECS_CLUSTER, default "default")
  --availability-zone AZ    reported as the ecs.availability-zone attribute (default us-east-1a)
  --instance-type T         reported as ecs.instance-type (default berth.host)
  --attribute key=value     a custom attribute (repeatable; also ECS_INSTANCE_ATTRIBUTES JSON);
                            berth.host-address=IP: where load balancers reach this host's tasks
                            (default: the address this host reaches the server from, unless local)
  --cpu UNITS --memory MIB  register these instead of the host's CPUs x 1024 and memory
  --data-dir DIR            the agent's own state (default ./.berth-agent)
  --config-file FILE        an ecs.config file (KEY=VALUE, the ECS agent's variable names)
  --ca-bundle FILE          PEM CA certificates to verify an https:// endpoint with, besides the system's
                            (AWS_CA_BUNDLE): the server's Berth CA, its path printed when the server starts
  --instance-profile NAME   sign as this instance profile's role session, assumed with the keys below
                            and renewed before it expires (BERTH_INSTANCE_PROFILE)
  Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) of an identity holding
  AmazonEC2ContainerServiceforEC2Role (or, with --instance-profile, allowed to assume its role); AWS_REGION.
`;

/** What the agent keeps under its data dir: who it is, so a restart re-registers as the same instance. */
interface AgentState {
  readonly cluster: string;
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
}

const AGENT_VERSION = '0.1.0';

/** The ECS capabilities Berth's agent has, reported as attributes (task definitions require them). */
function capabilities(config: AgentConfig, options: { taskRoles: boolean }): { name: string; value?: string }[] {
  const names = [
    ...[
      '1.17',
      '1.18',
      '1.19',
      '1.20',
      '1.21',
      '1.22',
      '1.23',
      '1.24',
      '1.25',
      '1.28',
      '1.29',
      '1.30',
      '1.31',
      '1.32',
    ].map((v) => `com.amazonaws.ecs.capability.docker-remote-api.${v}`),
    ...config.loggingDrivers.map((d) => `com.amazonaws.ecs.capability.logging-driver.${d}`),
    'ecs.capability.task-eni',
    'ecs.capability.container-health-check',
    'ecs.capability.container-ordering',
    'ecs.capability.execution-role-ecr-pull',
    'ecs.capability.full-sync',
    'ecs.capability.env-files.s3',
    // Task roles need 169.254.170.2 routed to the agent (iptables, as root); execution roles and
    // secrets need only the server's APIs.
    ...(options.taskRoles
      ? ['com.amazonaws.ecs.capability.task-iam-role', 'com.amazonaws.ecs.capability.task-iam-role-network-host']
      : []),
    'ecs.capability.execution-role-awslogs',
    'com.amazonaws.ecs.capability.ecr-auth',
    'ecs.capability.secrets.asm.environment-variables',
    'ecs.capability.secrets.ssm.environment-variables',
    'ecs.capability.secrets.asm.bootstrap.log-driver',
    'ecs.capability.secrets.ssm.bootstrap.log-driver',
    'ecs.capability.private-registry-authentication.secretsmanager',
  ];
  return [
    ...names.map((name) => ({ name })),
    ...Object.entries(config.attributes).map(([name, value]) => ({ name, value })),
  ];
}

function loadState(dataDir: string): AgentState | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'agent-state.json'), 'utf8')) as AgentState;
  } catch {
    return undefined;
  }
}

export interface RunningAgent {
  readonly containerInstanceArn: string;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Makes the host's runtime; `bridgeDns` gives its bridge-mode containers' DNS servers once known. */
export type MakeRuntime = (
  owner: string,
  registryAuth: RegistryLookup,
  options: { readonly bridgeDns: () => readonly string[] | undefined },
) => ContainerRuntime;

/** Registers this host (or re-registers it, after a restart) and starts the reconcile loop. */
export async function startAgent(
  config: AgentConfig,
  env: NodeJS.ProcessEnv,
  makeRuntime: MakeRuntime,
): Promise<RunningAgent> {
  const logger = createLogger(logLevelOf(config.logLevel)).child({ component: 'agent', cluster: config.cluster });
  for (const warning of config.warnings) logger.warn({ warning }, 'config file setting not used');
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const telemetryMs = agentTelemetryIntervalMs(env);
  const endpoint = agentEndpoint(config.endpoints, logger);
  trustCaBundle(config.caBundle);
  mkdirSync(config.dataDir, { recursive: true });
  const previous = loadState(config.dataDir);
  const same = previous?.cluster === config.cluster ? previous : undefined;
  const ec2InstanceId = same?.ec2InstanceId ?? `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
  const credentials = await agentCredentials(config, env, { endpoint, region, ec2InstanceId, logger });
  const client = (service: string) => signedJsonClient({ endpoint, credentials, region, service });
  const call = client('ecs');
  // Every name the server's registry goes by (its endpoints' hosts too, not only the token's proxy
  // endpoint), known once registered: before, the agent pulls nothing.
  let registryHosts: readonly string[] = [];
  const registryAuth = ecrRegistryCredentials(client('ecr'), credentials, { hosts: () => registryHosts });
  const bridge: { dns?: AgentDns | undefined } = {};
  const runtime = makeRuntime(ec2InstanceId, registryAuth, { bridgeDns: () => bridge.dns?.bridgeDns });
  const host = await runtime.resources();
  const cpu = config.cpu ?? host.cpu;
  const memory = (config.memory ?? host.memory) - config.reservedMemory;
  // Load balancers reach bridge-mode targets at their instance's address: this host's, as the server sees it.
  // 169.254.170.2 for the tasks' containers: rules a previous run left are replaced as tasks re-attach.
  const routes = runtime.hostNetworks ? await iptablesCredentialsRoutes({ log: logger }) : undefined;
  await routes?.removeOwned(ec2InstanceId);
  const attributes = capabilities(config, { taskRoles: routes !== undefined });
  // ECS Exec: only when the runtime can run a command in a container.
  if (runtime.exec) attributes.push({ name: EXECUTE_COMMAND_CAPABILITY });
  const configured = config.attributes[HOST_ADDRESS_ATTRIBUTE];
  const hostAddress = configured ?? (await localAddressTowards(endpointNow(endpoint)));
  if (configured === undefined && hostAddress !== undefined) {
    attributes.push({ name: HOST_ADDRESS_ATTRIBUTE, value: hostAddress });
  }
  const { containerInstance } = await call<{ containerInstance: { containerInstanceArn: string } }>(
    '/',
    {
      cluster: config.cluster,
      ...(same ? { containerInstanceArn: same.containerInstanceArn } : {}),
      instanceIdentityDocument: JSON.stringify({
        instanceId: ec2InstanceId,
        availabilityZone: config.availabilityZone,
        instanceType: config.instanceType,
        architecture: arch() === 'arm64' ? 'arm64' : 'x86_64',
        region,
      }),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: cpu },
        { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: config.reservedPorts.map(String) },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: config.reservedUdpPorts.map(String) },
      ],
      versionInfo: { agentVersion: AGENT_VERSION, agentHash: 'berth' },
      attributes,
    },
    {
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RegisterContainerInstance',
      'content-type': 'application/x-amz-json-1.1',
    },
  );
  const arn = containerInstance.containerInstanceArn;
  const state: AgentState = { cluster: config.cluster, containerInstanceArn: arn, ec2InstanceId };
  writeFileAtomic(join(config.dataDir, 'agent-state.json'), JSON.stringify(state));
  logger.info(
    { containerInstanceArn: arn, cpu, memory, hostAddress, reregistered: same !== undefined },
    'agent registered',
  );
  const control = new HttpControlPlane(call, config.cluster, arn);
  const metadata = await startTaskMetadataEndpoint(runtime, {
    dataDir: config.dataDir,
    protection: control,
    log: logger,
  });
  registryHosts = await serverRegistryHosts(client('ecr'), endpoint, logger);
  // Before the first poll: the first bridge container already resolves Cloud Map's names.
  bridge.dns = await startAgentDns({ control, gateway: await bridgeGateway(runtime), logger });
  const roles = new TaskRoles({
    control,
    endpoint: metadata,
    router: routes && { ...routes, newContainerMac },
    owner: ec2InstanceId,
    now: () => new Date(),
    log: logger,
  });
  const logSink = httpLogSink(client('logs'));
  const exec = new ExecRunner(runtime, {
    link: httpExecLink({ endpoint, credentials, region, cluster: config.cluster, containerInstance: arn }),
    sessionLogSink: taskRoleLogSinks(roles, { endpoint, region }),
    log: logger,
  });
  const agent = new Agent(runtime, {
    exec,
    control,
    // Its RUNNING tasks' CPU and memory use every 20 s, as ECS's agent sends its telemetry
    // (shorter with the server's test knob BERTH_METRICS_MINUTE_MS).
    telemetry: { control, intervalMs: telemetryMs },
    roles,
    executionServices: (taskCredentials) =>
      httpExecutionServices({ endpoint, region, credentials: taskCredentials, registryHosts: () => registryHosts }),
    pollWaitSeconds: 20,
    log: logger,
    now: () => new Date(),
    stopTimeoutSeconds: config.stopTimeoutSeconds,
    startTimeoutSeconds: config.startTimeoutSeconds,
    cleanupDelayMs: config.cleanupDelayMs,
    logSink,
    availabilityZone: config.availabilityZone,
    readEnvironmentFile: httpEnvironmentFiles({ endpoint, credentials, region }),
    metadata,
    environmentFor: (task, container) => metadata?.environmentFor(task, container) ?? {},
  });
  // What the agent holds besides its tasks: the metadata listener and the DNS view.
  const released = async (): Promise<void> => {
    await metadata?.close();
    await bridge.dns?.close();
  };
  agent.start();
  try {
    await agent.connected;
  } catch (error) {
    await agent.stop();
    await released();
    throw new Error(`the server refused the agent's poll: ${(error as Error).message}`, { cause: error });
  }
  return {
    containerInstanceArn: arn,
    logger,
    async stop() {
      await agent.stop();
      await released();
    },
  };
}

/** `berth agent [flags]`: runs until SIGTERM/SIGINT; the tasks' containers keep running after it exits. */
export async function runAgentCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  makeRuntime: MakeRuntime,
): Promise<number> {
  let config: AgentConfig;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        endpoint: { type: 'string' },
        cluster: { type: 'string' },
        'availability-zone': { type: 'string' },
        'instance-type': { type: 'string' },
        attribute: { type: 'string', multiple: true },
        cpu: { type: 'string' },
        memory: { type: 'string' },
        'data-dir': { type: 'string' },
        'config-file': { type: 'string' },
        'instance-profile': { type: 'string' },
        'ca-bundle': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(AGENT_HELP);
      return 0;
    }
    const file = values['config-file'] ? readFileSync(values['config-file'], 'utf8') : undefined;
    config = resolveAgentConfig(values, file, env);
  } catch (error) {
    process.stderr.write(`berth agent: ${(error as Error).message}\n${AGENT_HELP}`);
    return 2;
  }
  let running: RunningAgent;
  try {
    running = await startAgent(config, env, makeRuntime);
  } catch (error) {
    process.stderr.write(`berth agent: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    running.logger.info({ signal }, 'agent stopping (task containers keep running)');
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return 0;
}

/**
 * What the agent signs with: the environment's keys (an IAM user's, or a session's with
 * AWS_SESSION_TOKEN), or, with an instance profile, its role's session assumed with them. The
 * first session is taken now, so that keys that cannot assume the role stop the agent at start.
 */
async function agentCredentials(
  config: AgentConfig,
  env: NodeJS.ProcessEnv,
  context: { endpoint: ServerEndpoint; region: string; ec2InstanceId: string; logger: Logger },
): Promise<CredentialSource> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new AgentConfigError('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  const sessionToken = env.AWS_SESSION_TOKEN || undefined;
  const keys = staticCredentials({ accessKeyId, secretAccessKey, sessionToken });
  if (config.instanceProfile === undefined) return keys;
  const session = instanceProfileCredentials({
    endpoint: context.endpoint,
    region: context.region,
    bootstrap: keys,
    instanceProfile: config.instanceProfile,
    sessionName: context.ec2InstanceId,
    now: () => new Date(),
    onRenewalFailed: (error) =>
      context.logger.warn({ err: String(error) }, 'cannot renew the instance profile session yet; retrying'),
  });
  const first = await session.current().catch((error: unknown) => {
    throw new Error(
      `cannot assume the role of instance profile ${config.instanceProfile}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  });
  context.logger.info(
    { instanceProfile: config.instanceProfile, accessKeyId: first.accessKeyId, expiration: first.expiration },
    'instance profile session assumed',
  );
  return session;
}

/**
 * Adds the bundle's certificates to the ones every TLS connection of this process trusts: fetch
 * (the control plane, logs, credentials) and the exec WebSocket alike, as AWS_CA_BUNDLE does for
 * the AWS CLI. The system's certificates stay trusted.
 */
function trustCaBundle(file: string | undefined): void {
  if (file === undefined) return;
  const bundle = readFileSync(file, 'utf8');
  const certificates = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certificates.length === 0) throw new AgentConfigError(`--ca-bundle ${file} holds no PEM certificate`);
  setDefaultCACertificates([...getCACertificates('default'), ...certificates]);
}

/**
 * One server's URL, or the servers taken in turn: every client of the agent asks it at each call,
 * so its poll, reports, tokens, logs and credentials all move to the next server together.
 */
function agentEndpoint(endpoints: readonly string[], logger: Logger): ServerEndpoint {
  const urls = endpoints.map((endpoint) => new URL(endpoint));
  if (urls.length === 1) return urls[0]!;
  return new FailoverEndpoints(urls, (from, to, reason) =>
    logger.warn({ from: from.origin, to: to.origin, reason }, 'the server stopped answering; failing over'),
  );
}

/** ECS_LOGLEVEL's names (crit included) as the logger's. */
function logLevelOf(level: string): Parameters<typeof createLogger>[0] {
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
  if (level === 'crit') return 'fatal';
  return levels.find((l) => l === level) ?? 'info';
}
