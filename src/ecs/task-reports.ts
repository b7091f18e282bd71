import type { TaskRecord, TaskReservation } from '../store/index.ts';
import { requireCluster } from './clusters.ts';
import { InvalidParameterException } from './errors.ts';
import { applyReportedStatus, isTaskStatus, type TaskStatus } from './task-lifecycle.ts';
import { storedTask, taskBody, taskHealth, type TaskPlacementDetails } from './task-records.ts';
import { revokeTaskCredentials } from './task-credentials.ts';
import { taskIdOf, type TaskDeps } from './tasks.ts';
import type {
  Attachment,
  Container,
  HealthStatus,
  NetworkBinding,
  NetworkInterface,
  SubmitAttachmentStateChangesRequest,
  SubmitAttachmentStateChangesResponse,
  SubmitContainerStateChangeRequest,
  SubmitContainerStateChangeResponse,
  SubmitTaskStateChangeRequest,
  SubmitTaskStateChangeResponse,
  Task,
  TaskStopCode,
} from './shapes.generated.ts';

/** What a container looks like on the agent's side, as it reports it. */
export interface ContainerReport {
  readonly name: string;
  readonly lastStatus?: 'PENDING' | 'RUNNING' | 'STOPPED' | undefined;
  readonly runtimeId?: string | undefined;
  readonly imageDigest?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly reason?: string | undefined;
  readonly healthStatus?: HealthStatus | undefined;
  readonly networkBindings?: readonly NetworkBinding[] | undefined;
}

/** The network interface an awsvpc task got (its own namespace on a Berth-managed network). */
export interface InterfaceReport {
  readonly privateIPv4Address: string;
  readonly macAddress: string;
  readonly networkInterfaceId: string;
}

/** A task's state as the agent reports it over the channel, or as SubmitTaskStateChange says it. */
export interface TaskReport {
  readonly taskArn: string;
  readonly lastStatus: TaskStatus;
  readonly containers?: readonly ContainerReport[] | undefined;
  readonly networkInterface?: InterfaceReport | undefined;
  readonly pullStartedAt?: Date | undefined;
  readonly pullStoppedAt?: Date | undefined;
  readonly executionStoppedAt?: Date | undefined;
  readonly stopCode?: TaskStopCode | undefined;
  readonly stoppedReason?: string | undefined;
}

function mergeContainers(current: readonly Container[], reports: readonly ContainerReport[]): Container[] {
  const byName = new Map(reports.map((r) => [r.name, r]));
  return current.map((container) => {
    const report = byName.get(container.name ?? '');
    if (!report) return container;
    // A container's status only moves forward too: PENDING → RUNNING → STOPPED.
    const order = ['PENDING', 'RUNNING', 'STOPPED'];
    const status =
      report.lastStatus && order.indexOf(report.lastStatus) >= order.indexOf(container.lastStatus ?? 'PENDING')
        ? report.lastStatus
        : container.lastStatus;
    return {
      ...container,
      lastStatus: status,
      ...(report.runtimeId !== undefined ? { runtimeId: report.runtimeId } : {}),
      ...(report.imageDigest !== undefined ? { imageDigest: report.imageDigest } : {}),
      ...(report.exitCode !== undefined ? { exitCode: report.exitCode } : {}),
      ...(report.reason !== undefined ? { reason: report.reason.slice(0, 255) } : {}),
      ...(report.healthStatus !== undefined && container.healthStatus !== undefined
        ? { healthStatus: report.healthStatus }
        : {}),
      ...(report.networkBindings !== undefined ? { networkBindings: [...report.networkBindings] } : {}),
    };
  });
}

function withInterface(task: Task, report: InterfaceReport | undefined, stopped: boolean): Task {
  const attachment = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  if (!attachment) return task;
  const details = report
    ? [
        { name: 'subnetId', value: (attachment.details ?? []).find((d) => d.name === 'subnetId')?.value },
        { name: 'networkInterfaceId', value: report.networkInterfaceId },
        { name: 'macAddress', value: report.macAddress },
        { name: 'privateDnsName', value: `ip-${report.privateIPv4Address.replaceAll('.', '-')}.ec2.internal` },
        { name: 'privateIPv4Address', value: report.privateIPv4Address },
      ]
    : (attachment.details ?? []);
  const updated: Attachment = {
    ...attachment,
    status: stopped ? 'DELETED' : report ? 'ATTACHED' : attachment.status,
    details: details.filter((d) => d.value !== undefined),
  };
  const interfaces: NetworkInterface[] = report
    ? [{ attachmentId: attachment.id, privateIpv4Address: report.privateIPv4Address }]
    : [];
  return {
    ...task,
    attachments: (task.attachments ?? []).map((a) => (a === attachment ? updated : a)),
    containers: (task.containers ?? []).map((c) => (report ? { ...c, networkInterfaces: interfaces } : c)),
  };
}

/**
 * Applies an agent's report to a task through the state machine: lastStatus only moves forward,
 * containers merge by name, the timestamps ECS shows are set once, and the task's health follows
 * its essential containers'. Returns the stored record (unchanged when the report was stale).
 */
export async function applyTaskReport(deps: TaskDeps, cluster: string, report: TaskReport): Promise<TaskRecord> {
  const id = taskIdOf(report.taskArn);
  return deps.taskLocks.run(id, async () => {
    const [record] = await deps.store.tasks.get(cluster, [id]);
    if (!record) throw new InvalidParameterException('The referenced task was not found.');
    const { task, details } = storedTask(record);
    const state = applyReportedStatus(
      { lastStatus: record.lastStatus as TaskStatus, desiredStatus: record.desiredStatus as 'RUNNING' | 'STOPPED' },
      report.lastStatus,
    );
    const now = deps.clock.now();
    const stopped = state.lastStatus === 'STOPPED';
    const next = reportedTask({
      task,
      details,
      report,
      state,
      now,
      firstStop: stopped && record.lastStatus !== 'STOPPED',
    });
    const updated: TaskRecord = {
      ...record,
      reservation: reservedPorts(record.reservation, next.containers ?? [], details.networkMode),
      lastStatus: state.lastStatus,
      desiredStatus: state.desiredStatus,
      ...(stopped ? { stoppedAt: record.stoppedAt ?? now } : {}),
      body: taskBody(next, details),
    };
    await deps.store.tasks.update(updated);
    // The task's role credentials end with it, as ECS revokes them.
    if (stopped && record.lastStatus !== 'STOPPED') await revokeTaskCredentials(deps, [record.arn]);
    return updated;
  });
}

/** The task after a report: pure, so that the lock above holds only the read and the write. */
function reportedTask(options: {
  task: Task;
  details: TaskPlacementDetails;
  report: TaskReport;
  state: { lastStatus: TaskStatus; desiredStatus: string };
  now: Date;
  firstStop: boolean;
}): Task {
  const { task, details, report, state, now } = options;
  const stopped = state.lastStatus === 'STOPPED';
  const running = state.lastStatus === 'RUNNING' && !task.startedAt;
  let next: Task = {
    ...task,
    lastStatus: state.lastStatus,
    desiredStatus: state.desiredStatus,
    containers: mergeContainers(task.containers ?? [], report.containers ?? []),
    pullStartedAt: task.pullStartedAt ?? report.pullStartedAt,
    pullStoppedAt: task.pullStoppedAt ?? report.pullStoppedAt,
    ...(running ? { startedAt: now, connectivityAt: now, connectivity: 'CONNECTED' as const } : {}),
  };
  if (options.firstStop) {
    next = {
      ...next,
      stoppingAt: task.stoppingAt ?? now,
      executionStoppedAt: report.executionStoppedAt ?? now,
      stoppedAt: now,
      stopCode: task.stopCode ?? report.stopCode ?? 'EssentialContainerExited',
      stoppedReason: task.stoppedReason ?? report.stoppedReason ?? 'Essential container in task exited',
    };
  }
  next = withInterface(next, report.networkInterface, stopped);
  const checked = new Set((next.containers ?? []).filter((c) => c.healthStatus !== undefined).map((c) => c.name ?? ''));
  return {
    ...next,
    healthStatus: taskHealth(next.containers ?? [], new Set(details.essentialContainers ?? []), checked),
    version: (task.version ?? 0) + 1,
  };
}

/**
 * The host ports a task holds, from what its containers report as published once they run (the
 * agent may have had to take other dynamic ports than the placed ones), else from the placement.
 */
function reservedPorts(
  reservation: TaskReservation,
  containers: readonly Container[],
  networkMode: string,
): TaskReservation {
  if (networkMode !== 'bridge' && networkMode !== 'host') return reservation;
  const bindings = containers.flatMap((c) => c.networkBindings ?? []);
  if (bindings.length === 0) return reservation;
  const ports = (protocol: string) => [
    ...new Set(bindings.filter((b) => (b.protocol ?? 'tcp') === protocol && b.hostPort).map((b) => b.hostPort!)),
  ];
  return { ...reservation, tcpPorts: ports('tcp'), udpPorts: ports('udp') };
}

function statusOf(value: string | undefined): TaskStatus {
  if (value === undefined || !isTaskStatus(value))
    throw new InvalidParameterException(`Invalid task status '${String(value)}'.`);
  return value;
}

function containerStatus(value: string | undefined): ContainerReport['lastStatus'] {
  if (value === undefined) return undefined;
  if (value === 'PENDING' || value === 'RUNNING' || value === 'STOPPED') return value;
  throw new InvalidParameterException(`Invalid container status '${value}'.`);
}

/** ECS's SubmitTaskStateChange: what the ECS agent calls; Berth's agent uses the channel's report. */
export async function submitTaskStateChange(
  deps: TaskDeps,
  input: SubmitTaskStateChangeRequest,
): Promise<SubmitTaskStateChangeResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  if (!input.task) throw new InvalidParameterException('task is required.');
  await applyTaskReport(deps, cluster.name, {
    taskArn: input.task,
    lastStatus: statusOf(input.status),
    containers: (input.containers ?? []).map((c) => ({
      name: c.containerName ?? '',
      lastStatus: containerStatus(c.status),
      runtimeId: c.runtimeId,
      imageDigest: c.imageDigest,
      exitCode: c.exitCode,
      reason: c.reason,
      networkBindings: c.networkBindings,
    })),
    pullStartedAt: input.pullStartedAt,
    pullStoppedAt: input.pullStoppedAt,
    executionStoppedAt: input.executionStoppedAt,
    stoppedReason: input.reason,
  });
  return { acknowledgment: 'true' };
}

export async function submitContainerStateChange(
  deps: TaskDeps,
  input: SubmitContainerStateChangeRequest,
): Promise<SubmitContainerStateChangeResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  if (!input.task || !input.containerName) throw new InvalidParameterException('task and containerName are required.');
  const [record] = await deps.store.tasks.get(cluster.name, [taskIdOf(input.task)]);
  if (!record) throw new InvalidParameterException('The referenced task was not found.');
  await applyTaskReport(deps, cluster.name, {
    taskArn: input.task,
    lastStatus: record.lastStatus as TaskStatus,
    containers: [
      {
        name: input.containerName,
        lastStatus: containerStatus(input.status),
        runtimeId: input.runtimeId,
        exitCode: input.exitCode,
        reason: input.reason,
        networkBindings: input.networkBindings,
      },
    ],
  });
  return { acknowledgment: 'true' };
}

/**
 * ECS's SubmitAttachmentStateChanges: the ECS agent reports an ENI attachment's status. Each
 * attachment is found among the cluster's tasks by the id in its ARN (attachment/ID).
 */
export async function submitAttachmentStateChanges(
  deps: TaskDeps,
  input: SubmitAttachmentStateChangesRequest,
): Promise<SubmitAttachmentStateChangesResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const wanted = new Map(input.attachments.map((a) => [a.attachmentArn.split('/').at(-1)!, a.status]));
  const tasks = await deps.store.tasks.list(cluster.name, {}, { limit: 100_000 });
  const owners = tasks.filter((t) =>
    ((t.body.attachments ?? []) as Attachment[]).some((a) => a.id !== undefined && wanted.has(a.id)),
  );
  const found = new Set(owners.flatMap((t) => ((t.body.attachments ?? []) as Attachment[]).map((a) => a.id)));
  const missing = [...wanted.keys()].find((id) => !found.has(id));
  if (missing !== undefined) throw new InvalidParameterException(`The attachment ${missing} was not found.`);
  for (const owner of owners) {
    await deps.taskLocks.run(owner.id, async () => {
      const [record] = await deps.store.tasks.get(cluster.name, [owner.id]);
      if (!record) return;
      const attachments = ((record.body.attachments ?? []) as Attachment[]).map((a) =>
        a.id !== undefined && wanted.has(a.id) ? { ...a, status: wanted.get(a.id) } : a,
      );
      await deps.store.tasks.update({ ...record, body: { ...record.body, attachments } });
    });
  }
  return { acknowledgment: 'true' };
}
