import {
  InvalidLoadBalancerActionException,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  ValidationError,
} from './errors.ts';
import { normalizeRedirect } from './redirects.ts';
import type { Action, ForwardActionConfig } from './shapes.generated.ts';
import { loadBalancersByTargetGroup, type ElbState } from './state.ts';

/*
 * Listener and rule actions: one terminal action, forward (to one target group, or to up to five
 * with weights 0–999), fixed-response or redirect (redirects.ts). Normalized to what AWS describes: a forward always has its
 * ForwardConfig, a single-group forward its TargetGroupArn too.
 */

const MAX_FORWARD_GROUPS = 5;
const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

/** `listenerProtocol`: the listener's (a redirect from HTTPS to HTTP is refused). */
export function normalizeActions(
  state: ElbState,
  loadBalancerArn: string,
  actions: readonly Action[],
  listenerProtocol?: string,
): Action[] {
  if (actions.length === 0) throw new ValidationError('An action must be specified');
  if (actions.length > 1) {
    throw new InvalidLoadBalancerActionException(
      'Berth supports one action per rule or listener: a forward, a fixed-response or a redirect',
    );
  }
  const action = actions[0]!;
  const order = action.Order !== undefined ? { Order: action.Order } : {};
  if (action.Type === 'fixed-response') return [{ Type: action.Type, ...fixedResponse(action), ...order }];
  if (action.Type === 'redirect')
    return [
      { Type: action.Type, RedirectConfig: normalizeRedirect(action.RedirectConfig, listenerProtocol), ...order },
    ];
  if (action.Type !== 'forward')
    throw new InvalidLoadBalancerActionException(`Berth does not support action type '${action.Type}' yet`);
  return [{ Type: 'forward', ...forward(state, loadBalancerArn, action), ...order }];
}

function fixedResponse(action: Action): Pick<Action, 'FixedResponseConfig'> {
  const config = action.FixedResponseConfig;
  if (!config) throw new ValidationError('A fixed-response action needs a FixedResponseConfig');
  if (!/^[245]\d\d$/.test(config.StatusCode))
    throw new ValidationError(`Fixed response status code '${config.StatusCode}' must be 2XX, 4XX or 5XX`);
  if (config.ContentType !== undefined && !CONTENT_TYPES.includes(config.ContentType))
    throw new ValidationError(
      `Fixed response content type '${config.ContentType}' must be one of '[${CONTENT_TYPES.join(', ')}]'`,
    );
  return { FixedResponseConfig: { ...config } };
}

function forward(
  state: ElbState,
  loadBalancerArn: string,
  action: Action,
): Pick<Action, 'TargetGroupArn' | 'ForwardConfig'> {
  const groups = forwardGroups(action);
  if (groups.length === 0) throw new ValidationError('A forward action needs a target group');
  if (groups.length > MAX_FORWARD_GROUPS)
    throw new ValidationError(`A forward action can have at most ${MAX_FORWARD_GROUPS} target groups`);
  if (new Set(groups.map((g) => g.TargetGroupArn)).size !== groups.length)
    throw new ValidationError('A target group can appear only once in a forward action');
  const byGroup = loadBalancersByTargetGroup(state);
  for (const group of groups) {
    if (group.Weight < 0 || group.Weight > 999)
      throw new ValidationError(`Target group weight '${group.Weight}' must be from 0 to 999`);
    if (!state.targetGroups.has(group.TargetGroupArn))
      throw new TargetGroupNotFoundException(`Target groups '${group.TargetGroupArn}' not found`);
    const others = [...(byGroup.get(group.TargetGroupArn) ?? [])].filter((arn) => arn !== loadBalancerArn);
    if (others.length > 0) {
      throw new TargetGroupAssociationLimitException(
        `The following target groups cannot be associated with more than one load balancer: ${group.TargetGroupArn}`,
      );
    }
  }
  const config: ForwardActionConfig = {
    TargetGroups: groups,
    TargetGroupStickinessConfig: action.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false },
  };
  return groups.length === 1
    ? { TargetGroupArn: groups[0]!.TargetGroupArn, ForwardConfig: config }
    : { ForwardConfig: config };
}

/** The weighted groups of a forward, from TargetGroupArn or ForwardConfig (the same group if both). */
function forwardGroups(action: Action): { TargetGroupArn: string; Weight: number }[] {
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  if (action.TargetGroupArn !== undefined && tuples.length > 0) {
    if (tuples.length !== 1 || tuples[0]!.TargetGroupArn !== action.TargetGroupArn)
      throw new ValidationError(
        'You cannot specify a target group ARN and a forward configuration with other target groups',
      );
  }
  if (tuples.length > 0) return tuples.map((t) => ({ TargetGroupArn: t.TargetGroupArn ?? '', Weight: t.Weight ?? 1 }));
  return action.TargetGroupArn !== undefined ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : [];
}
