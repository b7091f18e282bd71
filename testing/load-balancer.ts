import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { freePort } from './elb-proxy.ts';

export { freePort };

export interface HttpLoadBalancer {
  readonly loadBalancerArn: string;
  readonly targetGroupArn: string;
  readonly listenerArn: string;
  /** http://127.0.0.1:<listener port>/ */
  readonly url: string;
}

/**
 * An application load balancer with one HTTP listener (on a free port) forwarding to one target
 * group: health checks every 5 s (2 s timeout, 2 to change state), deregistration delay 5 s.
 */
export async function createHttpLoadBalancer(
  elb: ElasticLoadBalancingV2Client,
  name: string,
  group: { readonly targetType: 'ip' | 'instance'; readonly port: number; readonly healthCheckPath?: string },
): Promise<HttpLoadBalancer> {
  const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: ['subnet-1'] }));
  const loadBalancer = LoadBalancers![0]!;
  const { TargetGroups } = await elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: group.port,
      VpcId: loadBalancer.VpcId,
      TargetType: group.targetType,
      HealthCheckPath: group.healthCheckPath ?? '/',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
    }),
  );
  const targetGroupArn = TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }],
    }),
  );
  const port = await freePort();
  const { Listeners } = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancer.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  return {
    loadBalancerArn: loadBalancer.LoadBalancerArn!,
    targetGroupArn,
    listenerArn: Listeners![0]!.ListenerArn!,
    url: `http://127.0.0.1:${port}/`,
  };
}

/** A bounded client: about 20 requests/s to a URL until stopped (at most 3 minutes). */
export class SteadyClient {
  readonly failures: string[] = [];
  readonly bodies: string[] = [];
  #running = true;
  readonly #done: Promise<void>;

  constructor(url: string) {
    this.#done = this.#loop(url);
  }

  async #loop(url: string): Promise<void> {
    const deadline = Date.now() + 180_000;
    while (this.#running && Date.now() < deadline) {
      const started = Date.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = (await response.text()).trim();
        if (response.status === 200) this.bodies.push(body);
        else this.failures.push(`${response.status} ${body.slice(0, 80)}`);
      } catch (error) {
        this.failures.push(String(error));
      }
      await sleep(Math.max(0, 50 - (Date.now() - started)));
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}

/**
 * Registers a FARGATE revision of `family` whose container `web` serves `version` as / and "ok" as
 * /health with busybox httpd on 8080 (or, with crash, exits at once); returns its ARN.
 */
export async function registerVersionedWeb(
  ecs: ECSClient,
  given: { readonly family: string; readonly image: string; readonly version: string; readonly crash?: boolean },
): Promise<string> {
  const serve = given.crash
    ? 'exit 1'
    : `mkdir -p /www && echo ${given.version} > /www/index.html && echo ok > /www/health && httpd -f -p 8080 -h /www`;
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: given.family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: given.image,
          command: ['sh', '-c', serve],
          portMappings: [{ containerPort: 8080 }],
          stopTimeout: 2,
        },
      ],
    }),
  );
  return taskDefinition!.taskDefinitionArn!;
}
