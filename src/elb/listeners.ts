import { normalizeActions } from './actions.ts';
import { commit, type ElbDeps } from './commit.ts';
import {
  DuplicateListenerException,
  ListenerNotFoundException,
  TooManyListenersException,
  UnsupportedProtocolException,
  ValidationError,
} from './errors.ts';
import { requireLoadBalancer } from './load-balancers.ts';
import { listenerArn, ruleArn } from './names.ts';
import { paginate } from './pagination.ts';
import type {
  CreateListenerInput,
  CreateListenerOutput,
  DeleteListenerInput,
  DeleteListenerOutput,
  DescribeListenersInput,
  DescribeListenersOutput,
  ModifyListenerInput,
  ModifyListenerOutput,
  ProtocolEnum,
  Certificate,
  Listener,
} from './shapes.generated.ts';
import { defaultCertificate } from './listener-certificates.ts';
import { DEFAULT_SSL_POLICY, securityPolicy } from './ssl-policies.ts';
import { listenersOf, loadState, rulesOf, type ElbState, type ListenerState, type RuleState } from './state.ts';
import { checkNewTags } from './tags.ts';

/** ELBv2's default quota of listeners per Application Load Balancer. */
const MAX_LISTENERS = 50;

export function requireListener(state: ElbState, arn: string): ListenerState {
  const listener = state.listeners.get(arn);
  if (!listener) throw new ListenerNotFoundException(`Listener '${arn}' not found`);
  return listener;
}

type ListenerProtocol = 'HTTP' | 'HTTPS';

/** Application Load Balancers' listeners: HTTP, or HTTPS with TLS terminated by the data plane. */
function checkProtocol(protocol: ProtocolEnum | undefined): ListenerProtocol | undefined {
  if (protocol === undefined || protocol === 'HTTP' || protocol === 'HTTPS') return protocol;
  throw new UnsupportedProtocolException(`Protocol '${protocol}' is not supported by Application Load Balancers`);
}

/** What an HTTPS listener adds to its view; HTTP listeners take neither member. */
type TlsView = Pick<Listener, 'Certificates' | 'SslPolicy'>;

async function tlsView(
  deps: ElbDeps,
  protocol: ListenerProtocol,
  input: { Certificates?: Certificate[] | undefined; SslPolicy?: string | undefined },
  previous?: Listener,
): Promise<TlsView> {
  if (protocol === 'HTTP') {
    if (input.Certificates !== undefined || input.SslPolicy !== undefined)
      throw new ValidationError('Certificates and an SSL policy can only be set on HTTPS listeners');
    return {};
  }
  const keep = previous?.Protocol === 'HTTPS' ? previous : undefined;
  if (input.Certificates === undefined && keep === undefined)
    throw new ValidationError('A certificate must be specified for HTTPS listeners');
  const certificateArn =
    input.Certificates !== undefined
      ? await defaultCertificate(deps, input.Certificates)
      : keep!.Certificates![0]!.CertificateArn!;
  const policy = input.SslPolicy ?? keep?.SslPolicy ?? DEFAULT_SSL_POLICY;
  return { Certificates: [{ CertificateArn: certificateArn }], SslPolicy: securityPolicy(policy).name };
}

function checkPortFree(state: ElbState, listener: { loadBalancerArn: string; arn?: string }, port: number): void {
  const taken = listenersOf(state, listener.loadBalancerArn).find(
    (l) => l.view.Port === port && l.arn !== listener.arn,
  );
  if (taken) {
    throw new DuplicateListenerException(
      `A listener already exists on this port for this load balancer '${listener.loadBalancerArn}'`,
    );
  }
}

export async function createListener(deps: ElbDeps, input: CreateListenerInput): Promise<CreateListenerOutput> {
  const protocol = checkProtocol(input.Protocol) ?? 'HTTP';
  if (input.Port === undefined) throw new ValidationError('A listener port must be specified');
  const port = input.Port;
  const tags = checkNewTags(input.Tags);
  const tls = await tlsView(deps, protocol, input);
  return commit(deps, (state) => {
    const lb = requireLoadBalancer(state, input.LoadBalancerArn);
    const actions = normalizeActions(state, lb.arn, input.DefaultActions, protocol);
    const existing = listenersOf(state, lb.arn).find((l) => l.view.Port === port);
    const same = (view: Listener): string =>
      JSON.stringify([view.Protocol, view.DefaultActions, view.Certificates, view.SslPolicy]);
    // Idempotent: the same listener again answers the one there is.
    if (existing && same(existing.view) === same({ Protocol: protocol, DefaultActions: actions, ...tls }))
      return { result: { Listeners: [existing.view] } };
    checkPortFree(state, { loadBalancerArn: lb.arn }, port);
    if (listenersOf(state, lb.arn).length >= MAX_LISTENERS)
      throw new TooManyListenersException(`A load balancer can have at most ${MAX_LISTENERS} listeners`);
    const arn = listenerArn(lb.arn);
    const now = deps.clock.now();
    const listener: ListenerState = {
      arn,
      loadBalancerArn: lb.arn,
      createdAt: now,
      view: {
        ListenerArn: arn,
        LoadBalancerArn: lb.arn,
        Port: port,
        Protocol: protocol,
        ...tls,
        DefaultActions: actions,
      },
      tags,
    };
    const defaultRule: RuleState = {
      arn: ruleArn(arn),
      listenerArn: arn,
      createdAt: now,
      priority: 'default',
      conditions: [],
      actions,
      tags: [],
    };
    return { put: [listener, defaultRule], result: { Listeners: [listener.view] } };
  });
}

export async function describeListeners(
  deps: ElbDeps,
  input: DescribeListenersInput,
): Promise<DescribeListenersOutput> {
  const state = await loadState(deps.store);
  let found: ListenerState[];
  if (input.ListenerArns !== undefined) {
    if (input.LoadBalancerArn !== undefined)
      throw new ValidationError('Listener ARNs and a load balancer ARN cannot be specified at the same time');
    found = input.ListenerArns.map((arn) => requireListener(state, arn));
  } else if (input.LoadBalancerArn !== undefined) {
    found = listenersOf(state, requireLoadBalancer(state, input.LoadBalancerArn).arn);
  } else {
    throw new ValidationError('You must specify either listener ARNs or a load balancer ARN');
  }
  const key = (l: ListenerState): string => `${String(l.view.Port).padStart(5, '0')}/${l.arn}`;
  found.sort((a, b) => key(a).localeCompare(key(b)));
  const { page, nextMarker } = paginate(found, key, input);
  return { Listeners: page.map((l) => l.view), ...(nextMarker ? { NextMarker: nextMarker } : {}) };
}

export async function modifyListener(deps: ElbDeps, input: ModifyListenerInput): Promise<ModifyListenerOutput> {
  const asked = checkProtocol(input.Protocol);
  // The certificate is checked before the lock (it reads ACM); the listener's protocol under it.
  const before = requireListener(await loadState(deps.store), input.ListenerArn).view;
  const protocol = asked ?? (before?.Protocol === 'HTTPS' ? 'HTTPS' : 'HTTP');
  const tls = await tlsView(deps, protocol, input, before);
  return commit(deps, (state) => {
    const listener = requireListener(state, input.ListenerArn);
    if (input.Port !== undefined) checkPortFree(state, listener, input.Port);
    const actions =
      input.DefaultActions !== undefined
        ? normalizeActions(state, listener.loadBalancerArn, input.DefaultActions, protocol)
        : listener.view.DefaultActions!;
    const plain: Listener = { ...listener.view };
    delete plain.Certificates;
    delete plain.SslPolicy;
    const next: ListenerState = {
      ...listener,
      view: { ...plain, Port: input.Port ?? listener.view.Port, Protocol: protocol, ...tls, DefaultActions: actions },
      // An HTTPS listener turned HTTP keeps no SNI certificates.
      ...(protocol === 'HTTP' ? { certificates: [] } : {}),
    };
    const defaultRule = rulesOf(state, listener.arn).find((r) => r.priority === 'default');
    const put = defaultRule ? [next, { ...defaultRule, actions }] : [next];
    return { put, result: { Listeners: [next.view] } };
  });
}

export async function deleteListener(deps: ElbDeps, input: DeleteListenerInput): Promise<DeleteListenerOutput> {
  return commit(deps, (state) => {
    const listener = requireListener(state, input.ListenerArn);
    return { remove: [listener.arn, ...rulesOf(state, listener.arn).map((r) => r.arn)], result: {} };
  });
}
