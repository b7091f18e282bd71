import { join } from 'node:path';
import { createSecretKey, randomUUID } from 'node:crypto';
import {
  credentialInstructions,
  loadRootCredentials,
  loadSecretBox,
  loadTokenKey,
  type RootCredentials,
} from '../auth/index.ts';
import { FilesystemBlobStore } from '../blobs/filesystem/filesystem-blob-store.ts';
import { createRegistryHandler, registryAuthenticator } from '../oci/index.ts';
import { S3 } from '../s3/index.ts';
import { createS3Handler, isS3Request } from '../s3-rest/index.ts';
import { serviceLoadBalancing } from './service-load-balancing.ts';
import { registryBlobs } from './blob-stores.ts';
import { applicationAutoScaling } from './application-autoscaling-setup.ts';
import { startServerLoops, sweepInterruptedWrites } from './server-loops.ts';
import type { schedulePeriodic } from './periodic.ts';
import { createApiProtocols } from './api-protocols.ts';
import { SessionDirectory, withSessions } from '../sts/index.ts';
import type { AccessControl } from '../shared/authorization.ts';
import { IamDirectory } from '../iam/index.ts';
import { issuePassword, Registry, repositoryArn, type GarbageCollectionReport } from '../ecr/index.ts';
import { ServiceRegistries, TaskTelemetry, type TaskRoleSessions } from '../ecs/index.ts';
import { cloudMapZones, serviceRegistrations } from '../servicediscovery/index.ts';
import { ecsServiceDiscovery } from './service-discovery.ts';
import { startDiscoveryDns, type DiscoveryDns } from './discovery-dns.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import { agentEndpoints } from './agent-endpoints.ts';
import { taskRoleSessions } from './task-role-sessions.ts';
import { ecsExec } from './ecs-exec.ts';
import { managedRuntimeFactory } from './managed-runtime.ts';
import { startManagedCapacity } from './managed-capacity.ts';
import { inProcessEnvironmentFiles } from './environment-file-readers.ts';
import { Elb, type DataPlane } from '../elb/index.ts';
import { ownPorts } from './load-balancer-settings.ts';
import { loadBalancerWiring } from './lb-wiring.ts';
import { createFrontDoor, DEFAULT_MAX_JSON_BODY_BYTES } from '../http/front-door.ts';
import {
  announceCa,
  frontDoorCertificate,
  frontDoorTls,
  type FrontDoorCertificate,
  listenFrontDoor,
  loopbackOf,
  requestOrigin,
} from './front-door-tls.ts';
import { serverMetrics, serverReadiness } from './server-health.ts';
import { metricsPublisher, metricsTime as timeScaleOf } from './metrics-time.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { isMultiServer, type ServerConfig } from '../shared/config.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { openStore } from './open-store.ts';
import { agentChannelFor, joinServers, managedCapacityRoster } from './multi-server.ts';
import { CHANGE_TOPICS } from '../store/index.ts';
import { makeDataFolderPrivate } from '../shared/data-folder.ts';
import { DataVolumeProbe } from '../shared/data-volume-probe.ts';

/** A running `berth server`: the only place that picks concrete implementations. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** The HTTPS front door's URL (the same APIs), unless BERTH_TLS_PORT=off. */
  readonly httpsUrl: string | undefined;
  /** The Berth CA's certificate, when it issued the HTTPS front door's. */
  readonly caCertificatePath: string | undefined;
  readonly credentials: RootCredentials;
  readonly logger: Logger;
  /** ELBv2 in process, for the ECS service scheduler (target registration and health). */
  readonly elb: Elb;
  /** Runs a registry garbage collection now (also run every hour). */
  collectGarbage(): Promise<GarbageCollectionReport>;
  /** Applies the repositories' lifecycle policies now (also run every hour). */
  applyLifecyclePolicies(): Promise<{ imagesExpired: number }>;
  /** Deletes log events past their group's retention now (also run every hour). */
  pruneExpiredLogEvents(): Promise<{ groupsPruned: number; eventsDeleted: number }>;
  /** Forgets tasks stopped over an hour ago now (also run every 5 minutes); resolves with how many. */
  pruneStoppedTasks(): Promise<number>;
  /** Stops accepting, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Where the first-start credential lines go (stderr by default). */
  readonly announce?: (text: string) => void;
  /** The ELB data plane; by default the real one (a reverse proxy per listener, health checks, draining). */
  readonly dataPlane?: DataPlane;
  /** How often /readyz's probe writes to the data volume (5 s by default). */
  readonly dataVolumeProbeMs?: number;
  /** How long tasks' role sessions last (6 hours unless a test shortens it to see them renewed). */
  readonly taskRoleSessionSeconds?: number;
  /** How often the alarm evaluator looks for passed period boundaries (5 s; tests shorten it). */
  readonly alarmEvaluationMs?: number;
}

const SHUTDOWN_DEADLINE_MS = 30_000;
/** An agent not heard from for this long shows agentConnected=false and gets no new tasks. */
const AGENT_HEARTBEAT_TIMEOUT_MS = 60_000;
/** The service scheduler runs this often, and at once after a service changes. */

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const metricsTime = timeScaleOf(config, clock); // CloudWatch's and Auto Scaling's (BERTH_METRICS_MINUTE_MS)
  const privacy = makeDataFolderPrivate(config.dataDir);
  if (privacy.repaired > 0 || privacy.failed.length > 0 || privacy.truncated)
    logger.warn({ ...privacy }, 'data folder made private: folders 0700, files 0600');
  const secretBox = loadSecretBox(config.dataDir);
  const credentials = loadRootCredentials(
    config.dataDir,
    { accessKeyId: config.rootAccessKeyId, secretAccessKey: config.rootSecretAccessKey },
    { secretBox },
  );
  const tokenKey = createSecretKey(loadTokenKey(config.dataDir));
  const store = await openStore(config.store, { secretBox });
  const volume = new DataVolumeProbe(config.dataDir, {
    intervalMs: options.dataVolumeProbeMs,
    onChange: (writable, problem) =>
      writable
        ? logger.info('the data volume takes writes again: ready')
        : logger.error({ problem }, 'the data volume does not take writes: not ready'),
  });
  const { blobs, adminHandler } = registryBlobs(config, { store, tokenKey, logger, port: () => port });
  const registry = new Registry({ store, blobs, clock, newId: randomUUID });
  // S3 objects have a blob store of their own: registry garbage collection never sees them.
  const s3 = new S3({
    store,
    blobs: new FilesystemBlobStore(join(config.dataDir, 's3')),
    clock,
    region: config.region,
    newId: randomUUID,
  });
  let port = config.port;
  let url = '';
  let metadataPort: number | undefined = undefined; // known once managed capacity has started
  const registryHost = (): string => config.registryHost ?? `localhost:${port}`;
  // What RegisterTaskDefinition and the runtimes count as this registry's images.
  const registryHosts = () => [registryHost(), `localhost:${port}`, `127.0.0.1:${port}`];
  // Several servers on one store (BERTH_MULTI_SERVER=on): agents' polls and heartbeats cross servers.
  const multiServer = isMultiServer(config.store);
  const agents = agentChannelFor(store, clock, { multiServer, heartbeatTimeoutMs: AGENT_HEARTBEAT_TIMEOUT_MS });
  const taskLocks = new KeyedMutex();
  const scheduler: { services?: ReturnType<typeof schedulePeriodic<void>> } = {};
  const lb = loadBalancerWiring(config, { log: logger, clock, dataPlane: options.dataPlane, store });
  const dataPlane = lb.dataPlane;
  const reservedPorts = ownPorts(config.host, () => ({ api: port, metadata: metadataPort }));
  const elbDeps = {
    store,
    clock,
    dataPlane,
    bindAddress: config.elbBindAddress,
    writeLock: new KeyedMutex(),
    reservedPorts,
  };
  const elb = new Elb(elbDeps);
  // Bound once IAM and STS have loaded, before any request or agent can ask.
  // Cloud Map's private DNS namespaces, for the server's DNS and the agents' views of it.
  const zones = cloudMapZones({ store });
  const bound: {
    roleSessions?: TaskRoleSessions;
    dns?: DiscoveryDns;
    iam?: IamDirectory;
    keys?: ReturnType<typeof withSessions>;
    access?: AccessControl;
  } = {};
  const exec = ecsExec({
    store,
    clock,
    logger,
    region: config.region,
    accountId: config.accountId,
    iam: () => bound.iam!,
    secrets: () => bound.keys!,
    accessControl: () => bound.access!,
  });
  const discoveryDeps = { store, clock, scope: { region: config.region, accountId: config.accountId } };
  const taskDeps = {
    serviceRegistries: new ServiceRegistries(ecsServiceDiscovery(serviceRegistrations(discoveryDeps))),
    roleSessions: {
      issue: (request: Parameters<TaskRoleSessions['issue']>[0]) => bound.roleSessions!.issue(request),
      revoke: (taskArn: string) => bound.roleSessions!.revoke(taskArn),
    },
    store,
    clock,
    agents,
    taskLocks,
    quotas: config.ecsQuotas,
    agentLostAfterMs: config.agentLostSeconds * 1000,
    managedCapacities: managedCapacityRoster(store, config, logger),
    serviceChanged: () => {
      void scheduler.services?.runNow();
      store.changes.publish(CHANGE_TOPICS.services, ''); // the server holding the cluster's lease acts
    },
    loadBalancing: serviceLoadBalancing(elb),
    deploymentMinuteMs: config.deploymentMinuteMs,
    alarmTime: metricsTime.scaled,
    execute: exec.support,
    telemetry: new TaskTelemetry({ metricsPublishMs: config.metricsPublishMs, time: metricsTime }),
  };

  let secrets: IamDirectory;
  let sessions: SessionDirectory;
  let certificate: FrontDoorCertificate | undefined;
  try {
    certificate = await frontDoorCertificate(config, clock.now());
    secrets = await IamDirectory.load(store, { accountId: config.accountId, clock, root: credentials });
    sessions = await SessionDirectory.load(store.sessions, { clock });
    await elb.syncDataPlane();
    await sweepInterruptedWrites({ s3, uploads: registry.uploads, clock, logger, config });
    await volume.start();
  } catch (error) {
    await volume.stop();
    await dataPlane.close();
    await store.close();
    throw error;
  }
  // Every protocol looks keys up here: long-term keys, and STS sessions' temporary credentials.
  const keys = withSessions(secrets, sessions);
  bound.roleSessions = taskRoleSessions(secrets, sessions, {
    clock,
    accountId: config.accountId,
    sessionSeconds: options.taskRoleSessionSeconds,
  });
  // Alarm actions: Application Auto Scaling's policies, which scale services through UpdateService's path.
  const scope = { region: config.region, accountId: config.accountId };
  const autoScaling = applicationAutoScaling({ store, clock: metricsTime.clock, scope, taskDeps });
  const cloudWatchDeps = { store, clock: metricsTime.clock, scope, actions: autoScaling.alarmActions };
  autoScaling.bindCloudWatch(cloudWatchDeps);
  // Metric filters publish into CloudWatch in process, in the users' own namespaces.
  const logsDeps = { store, clock, publisher: metricsPublisher(store, metricsTime), logger };
  const { accessControl, query, json, cbor } = createApiProtocols({
    config,
    store,
    clock,
    secrets: keys,
    sessions,
    iam: secrets,
    elbDeps,
    ecsDeps: {
      ...taskDeps,
      endpoint: () => url,
      // What RegisterTaskDefinition counts as an ECR image (FARGATE needs an execution role to pull it).
      registryHosts,
    },
    ecrDeps: { store, clock, registry, registryHost, tokenKey },
    cloudWatchDeps,
    autoScalingDeps: autoScaling.deps,
    logsDeps,
  });
  Object.assign(bound, { iam: secrets, keys, access: accessControl });

  const leases = await joinServers(store, { multiServer, logger });
  const { gc, logRetention, taskPruning, periodics } = await startServerLoops({
    config,
    logger,
    leases,
    scheduler,
    registry: { store, blobs, clock, digestLocks: registry.digestLocks, uploads: registry.uploads },
    cloudWatchDeps,
    alarmEvaluationMs: options.alarmEvaluationMs,
    taskDeps,
    syncLoadBalancers: () => elb.syncDataPlane(),
    sessionHistory: exec.history,
    dataPlane,
    autoScalingDeps: autoScaling.deps,
    metricsTime,
  });
  let closing = false;
  /** Undoes a start that failed once the timers run: what close() does, minus what never started. */
  const abandon = async (): Promise<void> => {
    closing = true;
    for (const periodic of periodics) periodic?.stop();
    await Promise.all(periodics.map((periodic) => periodic?.idle()));
    await leases?.close();
    await volume.stop();
    await dataPlane.close();
    await secrets.close();
    await store.close();
  };
  const frontDoor = createFrontDoor({
    ...frontDoorTls(certificate),
    json,
    query,
    cbor,
    logger,
    metrics: serverMetrics(leases),
    ready: serverReadiness({ closing: () => closing, volume, store, leases }),
    maxJsonBodyBytes: DEFAULT_MAX_JSON_BODY_BYTES,
    isKnownAccessKey: (accessKeyId) => keys.secretFor(accessKeyId) !== undefined,
    clock,
    admin: adminHandler({
      secrets: keys,
      accessControl,
      clock,
      region: config.region,
      accountId: config.accountId,
      actions: {
        '/berth/registry/garbage-collection': () => gc.runNow(),
        '/berth/registry/lifecycle-evaluation': () => gc.applyLifecycleNow(),
        ...lb.endpoints,
        ...agentEndpoints(taskDeps, {
          zones,
          listening: () => bound.dns && { addresses: bound.dns.server.addresses, port: bound.dns.server.port },
        }),
      },
    }),
    upgrade: (request, socket, head, path) => exec.relay.upgrade(request, socket, head, path),
    s3: {
      matches: isS3Request,
      handle: createS3Handler({
        s3,
        secrets: keys,
        accessControl,
        clock,
        region: config.region,
        accountId: config.accountId,
        log: logger,
      }),
    },
    registry: createRegistryHandler({
      registry,
      authenticate: registryAuthenticator({ tokenKey, secrets: keys, clock, region: config.region }),
      authorize: async (caller, action, repository) => {
        const resource = repositoryArn({ region: config.region, accountId: config.accountId }, repository.name);
        const principal = keys.principalOf(caller.accessKeyId);
        if (!principal) return `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`;
        const address = caller.sourceIp === undefined ? {} : { sourceIp: caller.sourceIp };
        const denial = await accessControl.decide({ principal, ...address, secureTransport: caller.secureTransport }, [
          { action, resource },
        ]);
        return denial?.message;
      },
      realm: (request) => `${requestOrigin(request, registryHost())}/`,
    }),
  });
  let tls: { httpsUrl: string | undefined; caCertificatePath: string | undefined };
  try {
    ({ port, ...tls } = await listenFrontDoor(frontDoor, config, certificate));
  } catch (error) {
    await frontDoor.drain(0);
    await abandon();
    throw error;
  }
  let managed;
  try {
    managed = await startManagedCapacity({
      deps: taskDeps,
      endpoint: new URL(`http://${loopbackOf(config.host)}:${port}`),
      region: config.region,
      registryHosts,
      readEnvironmentFile: inProcessEnvironmentFiles(s3),
      logsDeps,
      logger,
      dataDir: config.dataDir,
      exec,
      makeRuntime: managedRuntimeFactory({
        mode: config.managedCapacity,
        logger,
        registryHosts,
        awsvpcDns: () => bound.dns?.awsvpcDns(),
        registryPassword: () =>
          issuePassword(tokenKey, {
            accessKeyId: credentials.accessKeyId,
            expiresAt: new Date(clock.now().getTime() + 3_600_000),
          }),
      }),
    });
  } catch (error) {
    // Listening already: stop serving before failing, or the process would go on answering.
    await frontDoor.drain(0);
    await abandon();
    throw error;
  }
  metadataPort = managed.metadataPort;
  // Cloud Map's private DNS namespaces, answered on the container networks as the VPC resolver does.
  if (config.dnsPort !== undefined && managed.networks) {
    bound.dns = await startDiscoveryDns({ port: config.dnsPort, networks: managed.networks, zones, logger });
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  url = `http://${host}:${port}`;
  await lb.start({ port, credentials });
  logger.info(
    {
      url,
      ...tls,
      dataDir: config.dataDir,
      region: config.region,
      accountId: config.accountId,
      registryHost: config.registryHost ?? `localhost:${port}`,
    },
    'berth server listening',
  );
  if (credentials.origin === 'generated') {
    (options.announce ?? ((text) => process.stderr.write(text)))(
      credentialInstructions(credentials, url, config.region),
    );
  }
  announceCa(certificate, tls, options.announce);

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    ...tls,
    credentials,
    logger,
    elb,
    collectGarbage: () => gc.runNow(),
    applyLifecyclePolicies: () => gc.applyLifecycleNow(),
    pruneExpiredLogEvents: () => logRetention.runNow(),
    pruneStoppedTasks: () => taskPruning.runNow(),
    close() {
      closed ??= (async () => {
        closing = true;
        agents.close();
        lb.release();
        exec.relay.close();
        await managed.stop();
        await bound.dns?.close();
        for (const periodic of periodics) periodic?.stop();
        await frontDoor.drain(SHUTDOWN_DEADLINE_MS);
        await Promise.all(periodics.map((periodic) => periodic?.idle()));
        await leases?.close(); // the other servers take over at once
        await volume.stop();
        await dataPlane.close();
        // The keys' last uses it keeps in memory go to the store before it closes.
        await secrets.close();
        await store.close();
        logger.info('berth server stopped');
      })();
      return closed;
    },
  };
}
