import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import type { DockerSession } from './docker.ts';

/** Polls DescribeTasks until the task reaches `status` (or passes it), at most `timeoutMs`. */
export async function waitForTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  until: (task: Task) => boolean,
  timeoutMs = 60_000,
): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  let last: Task | undefined;
  while (Date.now() < deadline) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    last = tasks?.[0];
    if (last && until(last)) return last;
    await sleep(250);
  }
  throw new Error(`task ${taskArn} did not get there in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

export const isRunning = (task: Task): boolean => task.lastStatus === 'RUNNING' || task.lastStatus === 'STOPPED';
export const isStopped = (task: Task): boolean => task.lastStatus === 'STOPPED';

/** Removes every container (and the task volumes) carrying a label, e.g. the test's cluster. */
export async function removeContainersLabelled(docker: DockerSession, label: string): Promise<void> {
  const listed = await docker.docker(['ps', '-aq', '--filter', `label=${label}`]);
  const ids = listed.stdout.split(/\s+/).filter(Boolean);
  if (ids.length > 0) await docker.docker(['rm', '-f', '-v', ...ids]);
}

/**
 * Removes every container of a test's cluster. Managed capacity labels them with the cluster's ARN
 * (in the test servers' account and region), `berth agent` with the cluster name it was given.
 */
export async function removeClusterContainers(docker: DockerSession, cluster: string): Promise<void> {
  await removeContainersLabelled(
    docker,
    `com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`,
  );
  await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${cluster}`);
}

/** `docker inspect` of one container, parsed. */
export async function inspect(docker: DockerSession, id: string): Promise<Record<string, never> & DockerInspect> {
  const result = await docker.docker(['inspect', id]);
  return (JSON.parse(result.stdout) as DockerInspect[])[0] as Record<string, never> & DockerInspect;
}

export interface DockerInspect {
  State: { StartedAt: string; FinishedAt: string; Running: boolean; ExitCode: number };
  Config: { Labels: Record<string, string>; Env: string[] };
  HostConfig: { NetworkMode: string; Memory: number; CpuShares: number };
}
