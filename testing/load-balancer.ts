import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** A port the OS says is free now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

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
