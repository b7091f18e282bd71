import { createServer, type Server, type Socket } from 'node:net';
import { ListenerPortInUseError, type ListenerConfig, type RuleAction } from '../data-plane-contract.ts';
import { CLOSE_LINGER_MS, ClientConnection, type ConnectionOwner, type Decision } from './client-connection.ts';
import type { ListenerLimits } from './connection-limits.ts';
import { clientIp } from './headers.ts';
import type { RequestHead } from './request-head.ts';
import { errorResponse } from './responses.ts';
import { compileRules, matchRule, type CompiledRule, type RequestFacts } from './rule-match.ts';
import type { Logger } from '../../shared/logger.ts';
import type { TargetGroupRuntime } from './target-group.ts';
import type { LoadBalancerCounters } from './traffic-counters.ts';
import { chooseWeighted } from './target-selection.ts';
import { ListenerTlsContexts, tlsFingerprint } from './listener-tls.ts';
import { redirectLocation } from './redirect.ts';

/** What a listener needs from the data plane to route. */
export interface Routing {
  group(targetGroupArn: string): TargetGroupRuntime | undefined;
  random(): number;
  nowMs(): number;
  /** The load balancer's traffic counters, shared by its listeners. */
  counters(loadBalancerArn: string): LoadBalancerCounters;
  readonly log?: Logger | undefined;
}

/** The request's header fields by lower-case name, as the rules read them (repeated ones joined). */
function headerRecord(raw: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!.toLowerCase();
    const value = raw[index + 1]!;
    const seen = record[name];
    record[name] = seen === undefined ? value : `${seen}, ${value}`;
  }
  return record;
}

/** The Host header without its port (an IPv6 literal keeps its brackets). */
function hostOf(raw: readonly string[]): string | undefined {
  for (let index = 0; index < raw.length; index += 2) {
    if (raw[index]!.toLowerCase() !== 'host') continue;
    const value = raw[index + 1]!;
    const end = value.startsWith('[') ? value.indexOf(']') + 1 : value.indexOf(':');
    return end > 0 ? value.slice(0, end) : value;
  }
  return undefined;
}

/** A request as the rules see it; the header record is built only if a rule reads it. */
class RuleFacts implements RequestFacts {
  readonly method: string;
  readonly url: string;
  readonly sourceIp: string;
  readonly #raw: readonly string[];
  #headers: Record<string, string> | undefined;

  constructor(request: RequestHead, sourceIp: string) {
    this.method = request.method;
    this.url = request.url;
    this.sourceIp = sourceIp;
    this.#raw = request.rawHeaders;
  }

  get headers(): Record<string, string> {
    return (this.#headers ??= headerRecord(this.#raw));
  }
}

/** A listener over its connection caps says so in the log at most this often. */
const CAP_WARNING_INTERVAL_MS = 60_000;

/**
 * One TCP server on bindAddress:port speaking HTTP/1.1 itself (client-connection.ts). The data
 * plane keys listeners by address and port, so a configuration change swaps rules and timeouts in
 * place and never drops a connection. A connection over the listener's cap or the data plane's
 * is accepted, answered 503 with Connection: close, and closed: the client learns why.
 */
export class Listener implements ConnectionOwner {
  readonly bindAddress: string;
  readonly port: number;
  listenerArn: string;
  counters: LoadBalancerCounters;
  readonly #server: Server;
  readonly #routing: Routing;
  readonly #connections = new Set<ClientConnection>();
  readonly #limits: ListenerLimits;
  #rules: CompiledRule[] = [];
  #capWarnedAtMs = -Infinity;
  /** HTTPS: the secure contexts each new connection is wrapped with; undefined for HTTP. */
  #tls: ListenerTlsContexts | undefined;
  idleTimeoutMs = 60_000;
  readonly headerTimeoutMs: number;
  closing = false;

  constructor(config: ListenerConfig, routing: Routing, limits: ListenerLimits) {
    this.bindAddress = config.bindAddress;
    this.port = config.port;
    this.listenerArn = config.listenerArn;
    this.#routing = routing;
    this.counters = routing.counters(config.loadBalancerArn);
    this.#limits = limits;
    this.headerTimeoutMs = limits.headerTimeoutMs;
    this.#server = createServer({ noDelay: true }, (raw: Socket) => {
      if (this.closing) return void raw.destroy();
      const socket = this.#tls === undefined ? raw : this.#tls.wrap(raw);
      if (this.#connections.size >= limits.maxConnectionsPerListener || !limits.budget.take()) {
        this.counters.rejectedConnections += 1;
        return this.#turnAway(socket);
      }
      this.counters.newConnections += 1;
      this.counters.openConnections += 1;
      this.#connections.add(new ClientConnection(socket, this, clientIp(socket.remoteAddress)));
    });
    // After listen(), a server error (EMFILE on accept) must not take the whole process down.
    this.#server.on('error', (error) => routing.log?.warn({ err: error, port: this.port }, 'ELB listener error'));
    this.update(config);
  }

  update(config: ListenerConfig): void {
    this.listenerArn = config.listenerArn;
    this.counters = this.#routing.counters(config.loadBalancerArn);
    this.#rules = compileRules(config.rules);
    // ALB's idle timeout bounds idle client connections and silent targets alike.
    this.idleTimeoutMs = config.idleTimeoutSeconds * 1000;
    this.#updateTls(config);
  }

  /** New contexts only when certificates or policy changed; open connections keep theirs. */
  #updateTls(config: ListenerConfig): void {
    if (config.tls === undefined) this.#tls = undefined;
    else if (this.#tls?.fingerprint !== tlsFingerprint(config.tls)) this.#tls = new ListenerTlsContexts(config.tls);
  }

  /** Binds the port; rejects with ListenerPortInUseError when it cannot. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (): void => reject(new ListenerPortInUseError(this.port));
      this.#server.once('error', onError);
      this.#server.listen({ host: this.bindAddress, port: this.port, exclusive: true }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
  }

  /** The bound port (the configured one, or the one the OS picked for port 0). */
  get boundPort(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.port;
  }

  /**
   * Stops accepting connections. Requests in flight finish and their connections close after
   * the response; `force` cuts everything at once.
   */
  close(force: boolean): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of [...this.#connections]) {
      if (force) connection.destroy();
      else connection.closeWhenIdle();
    }
    return closed;
  }

  nowMs(): number {
    return this.#routing.nowMs();
  }

  closed(connection: ClientConnection): void {
    if (!this.#connections.delete(connection)) return;
    this.#limits.budget.give();
    this.counters.openConnections -= 1;
  }

  /** Answers a connection over a cap with 503 and closes it (after CLOSE_LINGER_MS at most). */
  #turnAway(socket: Socket): void {
    const nowMs = this.#routing.nowMs();
    if (nowMs - this.#capWarnedAtMs >= CAP_WARNING_INTERVAL_MS) {
      this.#capWarnedAtMs = nowMs;
      const { maxConnectionsPerListener, budget } = this.#limits;
      this.#routing.log?.warn(
        {
          port: this.port,
          open: this.#connections.size,
          maxConnectionsPerListener,
          allListeners: budget.open,
          maxConnections: budget.max,
        },
        'ELB listener at its connection cap: new connections are answered 503',
      );
    }
    socket.on('error', () => socket.destroy());
    socket.setTimeout(CLOSE_LINGER_MS, () => socket.destroy());
    socket.resume(); // what the client sends is dropped, so closing does not reset the connection
    socket.end(errorResponse(503, { nowMs, bodiless: false, keepAlive: false }), 'latin1');
  }

  #redirect(action: Extract<RuleAction, { type: 'redirect' }>, request: RequestHead): Decision {
    const host = hostOf(request.rawHeaders) ?? this.bindAddress;
    const protocol = this.#tls === undefined ? 'http' : 'https';
    const location = redirectLocation(action, { protocol, port: this.port, host, url: request.url });
    return { kind: 'redirect', status: action.statusCode, location };
  }

  decide(request: RequestHead, sourceIp: string): Decision {
    const rule = matchRule(this.#rules, new RuleFacts(request, sourceIp));
    if (rule === undefined) return { kind: 'error', status: 503 };
    const action = rule.action;
    if (action.type === 'fixed-response') return { kind: 'fixed', action };
    if (action.type === 'redirect') return this.#redirect(action, request);
    const choice = chooseWeighted(action.targetGroups, this.#routing.random());
    const group = choice === undefined ? undefined : this.#routing.group(choice.targetGroupArn);
    // ALB: "The target groups for the load balancer have no registered targets" is a 503.
    if (group === undefined || !group.hasRegisteredTargets) return { kind: 'error', status: 503 };
    const target = group.pick();
    if (target === undefined) return { kind: 'error', status: 502 };
    return { kind: 'forward', group, target };
  }
}
