import {
  type LoadBalancerTraffic,
  type TargetHealthView,
  LB_PROTOCOL,
  type LbApplyResult,
  type RemoteDataPlane,
} from '../elb/index.ts';
import { AdminInputError } from './admin.ts';

type Endpoints = {
  '/berth/lb/poll': (body: Record<string, unknown>) => Promise<object>;
  '/berth/lb/report': (body: Record<string, unknown>) => Promise<object>;
};

function common(body: Record<string, unknown>): { lbId: string; label?: string } {
  if (body.protocol !== LB_PROTOCOL)
    throw new AdminInputError(
      `this server speaks load balancer protocol ${LB_PROTOCOL}, the lb ${String(body.protocol)}: run the server's version of berth lb`,
      'LbProtocolMismatch',
    );
  if (typeof body.lbId !== 'string' || body.lbId.length === 0 || body.lbId.length > 100)
    throw new AdminInputError('lbId must be a string of 1 to 100 characters');
  if (body.label !== undefined && typeof body.label !== 'string') throw new AdminInputError('label must be a string');
  return { lbId: body.lbId, ...(typeof body.label === 'string' ? { label: body.label.slice(0, 200) } : {}) };
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AdminInputError(`${name} must be a string`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resultOf(value: unknown): LbApplyResult | undefined {
  if (value === undefined) return undefined;
  if (
    !isObject(value) ||
    typeof value.instance !== 'string' ||
    typeof value.seq !== 'number' ||
    typeof value.hash !== 'string'
  )
    throw new AdminInputError('result must be {instance, seq, hash, error?}');
  return value as unknown as LbApplyResult;
}

/** POST /berth/lb/poll and /berth/lb/report (docs/load-balancer-process.md), on the server's RemoteDataPlane. */
export function lbEndpoints(plane: RemoteDataPlane | undefined): Endpoints {
  const refuse = (): never => {
    throw new AdminInputError(
      'this server runs its load balancers in its own process (BERTH_LB=in-process): no berth lb can join it',
      'LbChannelOff',
    );
  };
  return {
    '/berth/lb/poll': async (body) => {
      if (!plane) return refuse();
      const waitSeconds = body.waitSeconds;
      if (waitSeconds !== undefined && typeof waitSeconds !== 'number')
        throw new AdminInputError('waitSeconds must be a number');
      const have = optionalString(body, 'have');
      return plane.poll({
        protocol: LB_PROTOCOL,
        ...common(body),
        ...(have !== undefined ? { have } : {}),
        ...(waitSeconds !== undefined ? { waitSeconds } : {}),
      });
    },
    '/berth/lb/report': async (body) => {
      if (!plane) return refuse();
      const running = optionalString(body, 'running');
      const result = resultOf(body.result);
      if (!isObject(body.health) || !Object.values(body.health).every(Array.isArray))
        throw new AdminInputError('health must map target group ARNs to lists of targets');
      if (!Array.isArray(body.traffic)) throw new AdminInputError('traffic must be a list');
      return plane.report({
        protocol: LB_PROTOCOL,
        ...common(body),
        ...(running !== undefined ? { running } : {}),
        ...(result ? { result } : {}),
        health: body.health as Record<string, TargetHealthView[]>,
        traffic: body.traffic as LoadBalancerTraffic[],
      });
    },
  };
}
