/**
 * The contract between the ELBv2 control plane (API, store) and the data plane (listeners that
 * proxy HTTP, health checks, draining). The control plane hands the data plane the whole desired
 * configuration whenever it changes; the data plane reconciles to it (opens and closes listener
 * sockets, adds targets, drains removed ones) and is the source of truth for target health.
 * Everything here is plain data: no sockets, no store.
 */

/** One listener: an HTTP/1.1 reverse proxy on bindAddress:port. */
export interface ListenerConfig {
  readonly listenerArn: string;
  readonly loadBalancerArn: string;
  readonly port: number;
  /** The address the listener binds (BERTH_ELB_BIND_ADDRESS, 127.0.0.1 by default). */
  readonly bindAddress: string;
  /** Rules in evaluation order: ascending priority, the default rule last. */
  readonly rules: readonly RuleConfig[];
  /** The load balancer's idle_timeout.timeout_seconds (60 by default). */
  readonly idleTimeoutSeconds: number;
  /** HTTPS: TLS terminated with these certificates and policy. Absent: plain HTTP. */
  readonly tls?: ListenerTls;
}

/** An HTTPS listener's TLS: its security policy and certificates (the default one first). */
export interface ListenerTls {
  readonly sslPolicy: string;
  /** 'TLSv1' … 'TLSv1.3', as DescribeSSLPolicies lists them. */
  readonly protocols: readonly string[];
  /** OpenSSL names in priority order (TLS 1.3 suites as TLS_*). */
  readonly ciphers: readonly string[];
  /** The default certificate first; the rest are chosen by SNI. */
  readonly certificates: readonly ListenerCertificate[];
}

/** A certificate with its private key in clear: the data plane runs in the server's process. */
export interface ListenerCertificate {
  readonly certificateArn: string;
  readonly certificatePem: string;
  readonly chainPem?: string;
  readonly privateKeyPem: string;
  /** Its DNS names (subject alternative names and domain name), as SNI matches them. */
  readonly names: readonly string[];
}

export interface RuleConfig {
  readonly ruleArn: string;
  /** "default" for the listener's default action, else 1..50000. */
  readonly priority: number | 'default';
  /** All must match; empty for the default rule. */
  readonly conditions: readonly RuleCondition[];
  readonly action: RuleAction;
}

export type RuleCondition =
  /** Values with * (any characters) and ? (one character), matched against the request path; case-sensitive. */
  | { readonly field: 'path-pattern'; readonly values: readonly string[] }
  /** Values with * and ?, matched against the Host header without its port; case-insensitive. */
  | { readonly field: 'host-header'; readonly values: readonly string[] }
  | { readonly field: 'http-header'; readonly headerName: string; readonly values: readonly string[] }
  | { readonly field: 'http-request-method'; readonly values: readonly string[] }
  | { readonly field: 'query-string'; readonly values: readonly { key?: string; value: string }[] }
  | { readonly field: 'source-ip'; readonly values: readonly string[] };

export type RuleAction =
  | {
      readonly type: 'forward';
      /** Weighted target groups (weights 0..999); one group with weight 1 for a plain forward. */
      readonly targetGroups: readonly { readonly targetGroupArn: string; readonly weight: number }[];
    }
  | {
      readonly type: 'fixed-response';
      readonly statusCode: number;
      readonly contentType?: string;
      readonly messageBody?: string;
    }
  | {
      readonly type: 'redirect';
      readonly statusCode: 301 | 302;
      /** Each a literal or with AWS's #{protocol}, #{host}, #{port}, #{path}, #{query}. */
      readonly protocol: string;
      readonly port: string;
      readonly host: string;
      readonly path: string;
      readonly query: string;
    };

export interface HealthCheckConfig {
  readonly enabled: boolean;
  readonly path: string;
  /** "traffic-port" (the target's own port) or a fixed port. */
  readonly port: 'traffic-port' | number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  /** ELBv2 matcher HttpCode: "200", "200,202", "200-299". */
  readonly matcher: string;
}

export interface TargetGroupConfig {
  readonly targetGroupArn: string;
  readonly port: number;
  readonly targetType: 'instance' | 'ip';
  readonly healthCheck: HealthCheckConfig;
  /** deregistration_delay.timeout_seconds (300 by default). */
  readonly deregistrationDelaySeconds: number;
  /** slow_start.duration_seconds (0: off). */
  readonly slowStartSeconds: number;
  /** load_balancing.algorithm.type. */
  readonly algorithm: 'round_robin' | 'least_outstanding_requests';
  readonly targets: readonly TargetConfig[];
}

export interface TargetConfig {
  /** The registered Id: an instance id (container instance's EC2 id) or an IP address. */
  readonly id: string;
  readonly port: number;
  /** Where to connect: an instance target resolved to its host's address, an ip target as is. */
  readonly address: string;
  readonly availabilityZone?: string;
}

export interface DataPlaneConfig {
  readonly listeners: readonly ListenerConfig[];
  readonly targetGroups: readonly TargetGroupConfig[];
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

/** DescribeTargetHealth's TargetHealthDescription, as the data plane sees it now. */
export interface TargetHealthView {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone?: string;
  readonly state: TargetState;
  /** ELBv2 reason codes: Elb.RegistrationInProgress, Elb.InitialHealthChecking, Target.ResponseCodeMismatch,
   *  Target.Timeout, Target.FailedHealthChecks, Target.NotRegistered, Target.NotInUse,
   *  Target.DeregistrationInProgress, Target.HealthCheckDisabled. Absent when healthy. */
  readonly reason?: string;
  readonly description?: string;
}

export interface DataPlane {
  /**
   * Reconcile to this configuration. Listeners not in it close; targets no longer in a group start
   * draining (no new requests; in-flight ones finish; gone once idle or after the deregistration
   * delay). Rejects with ListenerPortInUseError when a new listener's port cannot be bound.
   */
  apply(config: DataPlaneConfig): Promise<void>;
  /** Every target of the group, registered or still draining. */
  targetHealth(targetGroupArn: string): readonly TargetHealthView[];
  /** Close every listener and stop health checks. */
  close(): Promise<void>;
  /**
   * What each load balancer's listeners counted since the last call, and resets the counts: the
   * makings of the AWS/ApplicationELB metrics. Absent: the data plane counts nothing.
   */
  takeTraffic?(): LoadBalancerTraffic[];
}

/** One load balancer's traffic over a period (counts since the previous take). */
export interface LoadBalancerTraffic {
  readonly loadBalancerArn: string;
  /** Requests for which a target was chosen (ALB's RequestCount). */
  readonly requests: number;
  /** Answers the load balancer made itself: errors, and fixed responses of those classes. */
  readonly elb4xx: number;
  readonly elb5xx: number;
  readonly fixedResponses: number;
  readonly newConnections: number;
  /** Connections turned away at a connection cap. */
  readonly rejectedConnections: number;
  /** Client connections open at the take. */
  readonly openConnections: number;
  readonly targetGroups: readonly TargetGroupTraffic[];
}

export interface TargetGroupTraffic {
  readonly targetGroupArn: string;
  readonly requests: number;
  readonly target2xx: number;
  readonly target3xx: number;
  readonly target4xx: number;
  readonly target5xx: number;
  /** Seconds from the request leaving for the target to its response head, as a distribution. */
  readonly responseTimes: { readonly values: readonly number[]; readonly counts: readonly number[] };
  /** Targets healthy and unhealthy at the take. */
  readonly healthy: number;
  readonly unhealthy: number;
}

export class ListenerPortInUseError extends Error {
  readonly port: number;
  constructor(port: number) {
    super(`Port ${port} is already in use on this host`);
    this.name = 'ListenerPortInUseError';
    this.port = port;
  }
}
