import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifySignature, type SecretLookup } from '../aws-protocol/index.ts';
import { AccessDeniedException } from '../shared/access-denied.ts';
import type { AccessControl, AccessRequest } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import { callerAddress } from '../http/index.ts';
import { AwsError } from '../shared/aws-error.ts';
import type { Clock } from '../shared/clock.ts';
import { readBody } from '../http/read-body.ts';

/** Berth's own operations, by path: what `berth gc` and `berth lifecycle` call. */
export const ADMIN_OPERATIONS = {
  '/berth/registry/garbage-collection': 'RegistryGarbageCollection',
  '/berth/registry/lifecycle-evaluation': 'RegistryLifecycleEvaluation',
  '/berth/agent/poll': 'PollAssignments',
  '/berth/agent/report': 'ReportTaskState',
  '/berth/agent/credentials': 'GetTaskCredentials',
  '/berth/agent/dns': 'ResolveDnsName',
  '/berth/agent/telemetry': 'SubmitTaskTelemetry',
  '/berth/lb/poll': 'PollLoadBalancerConfiguration',
  '/berth/lb/report': 'ReportLoadBalancerState',
} as const;

export type AdminPath = keyof typeof ADMIN_OPERATIONS;

/** Admin bodies are a few small JSON members (an agent's task report is the largest). */
export const MAX_ADMIN_BODY_BYTES = 256 * 1024;

/** Bad input to an admin operation: answered 400 with the given error name. */
export class AdminInputError extends AwsError {
  readonly code: string;
  constructor(message: string, code = 'ValidationError') {
    super(message);
    this.code = code;
  }
}

export interface AdminOptions {
  readonly secrets: SecretLookup;
  readonly accessControl: AccessControl;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** Each action gets the request's JSON body (an empty object when there is none). */
  readonly actions: Readonly<Record<AdminPath, (body: Record<string, unknown>) => Promise<object>>>;
}

/**
 * Berth's own operations, outside the AWS APIs: POST one of ADMIN_OPERATIONS' paths to run it now
 * (registry garbage collection, lifecycle policies). Callers sign it with SigV4 like any ECR call.
 */
export function createAdminHandler(options: AdminOptions) {
  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<string | undefined> => {
    if (!(path in ADMIN_OPERATIONS) || request.method !== 'POST') return undefined;
    const adminPath = path as AdminPath;
    const read = await readBody(request, MAX_ADMIN_BODY_BYTES);
    if (read.kind === 'too-large') {
      if (!request.complete) response.setHeader('connection', 'close');
      send(response, 413, {
        __type: 'RequestEntityTooLargeException',
        message: `The request body is larger than the ${MAX_ADMIN_BODY_BYTES}-byte limit of Berth's own operations.`,
      });
      return ADMIN_OPERATIONS[adminPath];
    }
    try {
      if (adminPath.startsWith('/berth/lb/')) refuseExposedChannel(request);
      const body = read.body;
      const caller = await verifySignature(
        { method: 'POST', path, query: {}, headers: request.headers as Record<string, string>, body },
        { secrets: options.secrets, clock: options.clock, region: options.region, service: undefined },
      );
      if (caller.service !== 'ecr' && caller.service !== 'ecs') {
        throw new AccessDeniedException(`Credential should be scoped to the service 'ecs' or 'ecr'.`);
      }
      const principal = options.secrets.principalOf(caller.accessKeyId);
      if (!principal) throw new AccessDeniedException('The access key is not known.');
      const input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      await options.accessControl.authorize(
        { principal, ...callerAddress(request) },
        adminAccess(adminPath, input, { region: options.region, accountId: options.accountId }),
      );
      send(response, 200, await options.actions[adminPath](input));
    } catch (error) {
      if (error instanceof SyntaxError) {
        send(response, 400, { __type: 'SerializationException', message: 'the request body is not valid JSON' });
        return ADMIN_OPERATIONS[adminPath];
      }
      if (!(error instanceof AwsError)) throw error;
      send(response, error.httpStatus ?? 400, { __type: error.code, message: error.message });
    }
    return ADMIN_OPERATIONS[adminPath];
  };
}

/**
 * What an admin call asks permission for. An agent's poll and task report are what the ECS agent
 * does with ecs:Poll (on its container instance) and ecs:SubmitTaskStateChange (on the cluster);
 * its tasks' role credentials (and its view of Cloud Map's DNS) come, as from ECS's ACS, over the channel ecs:Poll opens,
 * so an agent holding AmazonEC2ContainerServiceforEC2Role may; its tasks' telemetry is what ECS's
 * agent sends after ecs:StartTelemetrySession on its container instance; Berth's own maintenance actions have
 * no resource: only the root, or a policy naming berth:*, may.
 */
export function adminAccess(
  path: AdminPath,
  input: Record<string, unknown>,
  scope: { region: string; accountId: string },
): AccessRequest[] {
  const cluster = typeof input.cluster === 'string' ? input.cluster : 'default';
  const clusterName = cluster.startsWith('arn:') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
  const clusterArn = formatArn('ecs', scope, `cluster/${clusterName}`);
  const conditions = { 'ecs:cluster': clusterArn };
  if (
    (path === '/berth/agent/poll' ||
      path === '/berth/agent/credentials' ||
      path === '/berth/agent/dns' ||
      path === '/berth/agent/telemetry') &&
    typeof input.containerInstance === 'string' &&
    input.managed !== true
  ) {
    const instance = input.containerInstance;
    const resource = instance.startsWith('arn:')
      ? instance
      : formatArn('ecs', scope, `container-instance/${clusterName}/${instance}`);
    const action = path === '/berth/agent/telemetry' ? 'ecs:StartTelemetrySession' : 'ecs:Poll';
    return [{ action, resource, conditions }];
  }
  if (path === '/berth/agent/report')
    return [{ action: 'ecs:SubmitTaskStateChange', resource: clusterArn, conditions }];
  return [{ action: `berth:${ADMIN_OPERATIONS[path]}`, resource: '*' }];
}

/**
 * The load balancer channel carries HTTPS listeners' private keys: over TLS, or from this host
 * only (loopback, or a connection to one of its own addresses from itself).
 */
function refuseExposedChannel(request: IncomingMessage): void {
  const { remoteAddress, localAddress, encrypted } = request.socket as IncomingMessage['socket'] & {
    encrypted?: boolean;
  };
  if (encrypted === true || remoteAddress === undefined) return;
  const plain = remoteAddress.replace(/^::ffff:/, '');
  if (plain.startsWith('127.') || plain === '::1' || remoteAddress === localAddress) return;
  throw new AccessDeniedException(
    'The load balancer channel carries private keys: call it over HTTPS, or over loopback.',
  );
}

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
