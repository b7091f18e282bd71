// bench/https.ts's Berth side, set up through the public APIs only (AWS SDK v3, as a user would):
// the certificate imported into ACM, a load balancer, an ip target group of the bench's targets,
// an HTTPS listener with the certificate and a security policy.
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeSSLPoliciesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Endpoint } from './proxy-processes.ts';

/** A security policy as DescribeSSLPolicies tells it: protocols, and ciphers in priority order. */
export interface ListenerPolicy {
  readonly name: string;
  readonly protocols: readonly string[];
  readonly ciphers: readonly string[];
}

export interface BerthHttpsSetup {
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly policyName: string;
  /** The listener's port on 127.0.0.1. */
  readonly port: number;
  readonly targets: readonly Endpoint[];
}

const HEALTHY_WITHIN_MS = 60_000;

/**
 * Imports the certificate, creates the load balancer, target group (health checked every 5 s,
 * healthy after 2) and HTTPS listener, waits until every target is healthy (so no request meets a
 * target in its initial state), and answers the policy as DescribeSSLPolicies describes it.
 */
export async function berthHttpsListener(setup: BerthHttpsSetup): Promise<ListenerPolicy> {
  const options = { endpoint: setup.endpoint, region: 'us-east-1', credentials: setup.credentials, maxAttempts: 1 };
  const acm = new ACMClient(options);
  const elb = new ElasticLoadBalancingV2Client(options);
  try {
    const { CertificateArn } = await acm.send(
      new ImportCertificateCommand({
        Certificate: Buffer.from(setup.certificatePem),
        PrivateKey: Buffer.from(setup.privateKeyPem),
      }),
    );
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'bench-https' }))).LoadBalancers![0]!;
    const group = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'bench-https',
          Protocol: 'HTTP',
          Port: setup.targets[0]!.port,
          VpcId: lb.VpcId,
          TargetType: 'ip',
          HealthCheckPath: '/',
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
        }),
      )
    ).TargetGroups![0]!;
    const TargetGroupArn = group.TargetGroupArn!;
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn,
        Targets: setup.targets.map((target) => ({ Id: target.address, Port: target.port })),
      }),
    );
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTPS',
        Port: setup.port,
        Certificates: [{ CertificateArn }],
        SslPolicy: setup.policyName,
        DefaultActions: [{ Type: 'forward', TargetGroupArn }],
      }),
    );
    const deadline = Date.now() + HEALTHY_WITHIN_MS;
    for (;;) {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn }));
      const states = (health.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State);
      if (states.length === setup.targets.length && states.every((state) => state === 'healthy')) break;
      if (Date.now() > deadline)
        throw new Error(`targets not healthy within ${HEALTHY_WITHIN_MS} ms: ${states.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const policy = (await elb.send(new DescribeSSLPoliciesCommand({ Names: [setup.policyName] }))).SslPolicies![0]!;
    const ciphers = [...(policy.Ciphers ?? [])].sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0));
    return {
      name: setup.policyName,
      protocols: policy.SslProtocols ?? [],
      ciphers: ciphers.map((cipher) => cipher.Name!),
    };
  } finally {
    acm.destroy();
    elb.destroy();
  }
}
