import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type ECSClient,
  type Service,
  type ServiceDeployment,
  type Task,
} from '@aws-sdk/client-ecs';
import type { awsCliFor } from './aws-cli.ts';

/** A service of a cluster. */
export interface ServiceAt {
  readonly cluster: string;
  readonly name: string;
}

/**
 * Deployment alarms driven by hand with the AWS CLI: Period 60 x `evaluationPeriods` (the bake a
 * rolling deployment computes from it), TreatMissingData ignore so a state set by hand stays.
 */
export function cliAlarms(cw: () => ReturnType<typeof awsCliFor>) {
  return {
    putAlarm: async (name: string, evaluationPeriods: number): Promise<void> => {
      await cw().json(
        'put-metric-alarm',
        ...['--alarm-name', name, '--namespace', 'Berth/Deploy', '--metric-name', 'Errors'],
        ...['--statistic', 'Sum', '--period', '60', '--evaluation-periods', String(evaluationPeriods)],
        ...['--threshold', '1', '--comparison-operator', 'GreaterThanThreshold', '--treat-missing-data', 'ignore'],
      );
    },
    setAlarm: (name: string, state: 'ALARM' | 'OK') =>
      cw().json('set-alarm-state', '--alarm-name', name, '--state-value', state, '--state-reason', `test: ${state}`),
  };
}

/** Reading a service's deployments and RUNNING tasks with the SDK, and waiting on them (bounded). */
export function serviceWatch(ecs: () => ECSClient, bound: { readonly timeoutMs: number; readonly pollMs: number }) {
  const describeService = async (at: ServiceAt): Promise<Service> =>
    (await ecs().send(new DescribeServicesCommand({ cluster: at.cluster, services: [at.name] }))).services![0]!;
  const running = async (at: ServiceAt): Promise<Task[]> => {
    const { taskArns = [] } = await ecs().send(new ListTasksCommand({ cluster: at.cluster, serviceName: at.name }));
    if (taskArns.length === 0) return [];
    const { tasks = [] } = await ecs().send(new DescribeTasksCommand({ cluster: at.cluster, tasks: taskArns }));
    return tasks.filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING');
  };
  return {
    describeService,
    /** The service's tasks RUNNING and wanted RUNNING. */
    running,
    /** Polls the service until `check` says yes, failing with its deployments and events after the bound. */
    waitFor: async (
      at: ServiceAt,
      what: string,
      check: (s: Service, tasks: Task[]) => boolean | Promise<boolean>,
    ): Promise<Service> => {
      const deadline = Date.now() + bound.timeoutMs;
      for (;;) {
        const service = await describeService(at);
        if (await check(service, await running(at))) return service;
        assert.ok(
          Date.now() < deadline,
          `${what}: ${JSON.stringify({ deployments: service.deployments, events: service.events?.slice(0, 5) })}`,
        );
        await sleep(bound.pollMs);
      }
    },
    /** DescribeServiceDeployments of a deployment id (ecs-svc/DIGITS), current or retired. */
    serviceDeployment: async (at: ServiceAt, deployment: string): Promise<ServiceDeployment> => {
      const { serviceDeployments = [] } = await ecs().send(
        new ListServiceDeploymentsCommand({ cluster: at.cluster, service: at.name }),
      );
      const brief = serviceDeployments.find((d) => d.serviceDeploymentArn!.endsWith(`/${deployment.split('/')[1]}`));
      assert.ok(brief, `no service deployment ${deployment}`);
      const { serviceDeployments: described = [] } = await ecs().send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [brief.serviceDeploymentArn!] }),
      );
      return described[0]!;
    },
  };
}

/** One COMPLETED deployment of `definition`, `count` tasks of it RUNNING. */
export const completed = (definition: string, count: number) => (s: Service, tasks: Task[]) =>
  s.deployments?.length === 1 &&
  s.deployments[0]!.rolloutState === 'COMPLETED' &&
  s.deployments[0]!.taskDefinition === definition &&
  tasks.length === count &&
  tasks.every((t) => t.taskDefinitionArn === definition);
