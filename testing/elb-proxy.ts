import { once } from 'node:events';
import {
  createServer,
  request,
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type {
  HealthCheckConfig,
  ListenerConfig,
  RuleConfig,
  TargetGroupConfig,
} from '../src/elb/data-plane-contract.ts';

/** A plain node:http server on 127.0.0.1 standing in for a task: it counts its hits and names itself. */
export interface TestTarget {
  readonly name: string;
  readonly port: number;
  hits: number;
  /** What /health answers (200 unless a test changes it). */
  healthStatus: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, target: TestTarget) => void;

const defaultHandler: Handler = (req, res, target) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'x-target': target.name });
  res.end(target.name);
};

export async function startTarget(name: string, handler: Handler = defaultHandler): Promise<TestTarget> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const target: TestTarget = {
    name,
    port: (server.address() as { port: number }).port,
    hits: 0,
    healthStatus: 200,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/health') {
      res.writeHead(target.healthStatus).end();
      return;
    }
    target.hits++;
    handler(req, res, target);
  });
  server.on('upgrade', (req: IncomingMessage, socket) => {
    target.hits++;
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    socket.pipe(socket); // echo
  });
  return target;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createNetServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

export function aHealthCheck(overrides: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return {
    enabled: true,
    path: '/health',
    port: 'traffic-port',
    intervalSeconds: 0.05,
    timeoutSeconds: 2,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
    matcher: '200',
    ...overrides,
  };
}

export function aTargetGroup(
  arn: string,
  targets: readonly { readonly port: number }[],
  overrides: Partial<TargetGroupConfig> = {},
): TargetGroupConfig {
  return {
    targetGroupArn: arn,
    port: 80,
    targetType: 'ip',
    healthCheck: aHealthCheck(),
    deregistrationDelaySeconds: 30,
    slowStartSeconds: 0,
    algorithm: 'round_robin',
    targets: targets.map(({ port }) => ({ id: '127.0.0.1', port, address: '127.0.0.1' })),
    ...overrides,
  };
}

export function forwardRule(
  groups: Readonly<Record<string, number>>,
  conditions: RuleConfig['conditions'] = [],
  priority: RuleConfig['priority'] = 'default',
): RuleConfig {
  return {
    ruleArn: `rule/${String(priority)}`,
    priority,
    conditions,
    action: {
      type: 'forward',
      targetGroups: Object.entries(groups).map(([targetGroupArn, weight]) => ({ targetGroupArn, weight })),
    },
  };
}

export function aListener(port: number, rules: readonly RuleConfig[], idleTimeoutSeconds = 60): ListenerConfig {
  return {
    listenerArn: `listener/${port}`,
    loadBalancerArn: 'loadbalancer/app/test',
    port,
    bindAddress: '127.0.0.1',
    rules,
    idleTimeoutSeconds,
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly reusedSocket: boolean;
}

export function get(
  port: number,
  path = '/',
  options: { headers?: Record<string, string>; agent?: Agent; method?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body, reusedSocket: req.reusedSocket }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Polls until `check` holds (bounded: a test must not hang). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
