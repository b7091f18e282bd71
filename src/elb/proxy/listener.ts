import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ListenerPortInUseError, type ListenerConfig, type RuleAction } from '../data-plane-contract.ts';
import { forward, type ForwardContext } from './forward.ts';
import { clientIp } from './headers.ts';
import { sendError, sendFixedResponse, writeRawError, writeRawFixedResponse, type ProxyError } from './responses.ts';
import { compileRules, matchRule, type CompiledRule } from './rule-match.ts';
import type { Logger } from '../../shared/logger.ts';
import type { TargetGroupRuntime, TargetRuntime } from './target-group.ts';
import { chooseWeighted } from './target-selection.ts';
import { forwardUpgrade } from './upgrade.ts';

/** What a listener needs from the data plane to route. */
export interface Routing {
  group(targetGroupArn: string): TargetGroupRuntime | undefined;
  random(): number;
  nowMs(): number;
  readonly log?: Logger | undefined;
}

type Decision =
  | { readonly kind: 'fixed'; readonly action: Extract<RuleAction, { type: 'fixed-response' }> }
  | { readonly kind: 'error'; readonly status: ProxyError }
  | { readonly kind: 'forward'; readonly group: TargetGroupRuntime; readonly target: TargetRuntime };

/**
 * One HTTP server on bindAddress:port. The data plane keys listeners by address and port, so a
 * configuration change swaps rules and timeouts in place and never drops a connection.
 */
export class Listener {
  readonly bindAddress: string;
  readonly port: number;
  listenerArn: string;
  readonly #server: Server;
  readonly #routing: Routing;
  #rules: CompiledRule[] = [];
  #idleTimeoutMs = 60_000;
  #closing = false;

  constructor(config: ListenerConfig, routing: Routing) {
    this.bindAddress = config.bindAddress;
    this.port = config.port;
    this.listenerArn = config.listenerArn;
    this.#routing = routing;
    this.#server = createServer({ noDelay: true, requestTimeout: 0 });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
    // After listen(), a server error (EMFILE on accept) must not take the whole process down.
    this.#server.on('error', (error) => routing.log?.warn({ err: error, port: this.port }, 'ELB listener error'));
    this.#server.on('clientError', (_error, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.update(config);
  }

  update(config: ListenerConfig): void {
    this.listenerArn = config.listenerArn;
    this.#rules = compileRules(config.rules);
    this.#idleTimeoutMs = config.idleTimeoutSeconds * 1000;
    // ALB's idle timeout also bounds an idle client connection.
    this.#server.keepAliveTimeout = this.#idleTimeoutMs;
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
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (force) this.#server.closeAllConnections();
    return closed;
  }

  #decide(req: IncomingMessage, sourceIp: string): Decision {
    const rule = matchRule(this.#rules, {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      sourceIp,
    });
    if (rule === undefined) return { kind: 'error', status: 503 };
    const action = rule.action;
    if (action.type === 'fixed-response') return { kind: 'fixed', action };
    const choice = chooseWeighted(action.targetGroups, this.#routing.random());
    const group = choice === undefined ? undefined : this.#routing.group(choice.targetGroupArn);
    // ALB: "The target groups for the load balancer have no registered targets" is a 503.
    if (group === undefined || !group.hasRegisteredTargets) return { kind: 'error', status: 503 };
    const target = group.pick();
    if (target === undefined) return { kind: 'error', status: 502 };
    return { kind: 'forward', group, target };
  }

  #context(sourceIp: string): ForwardContext {
    return {
      listenerPort: this.port,
      idleTimeoutMs: this.#idleTimeoutMs,
      clientIp: sourceIp,
      nowMs: this.#routing.nowMs(),
      closing: this.#closing,
    };
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const sourceIp = clientIp(req.socket.remoteAddress);
    const decision = this.#decide(req, sourceIp);
    if (decision.kind === 'forward') forward(req, res, decision, this.#context(sourceIp));
    else if (decision.kind === 'fixed') sendFixedResponse(res, decision.action);
    else sendError(res, decision.status, this.#closing);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const sourceIp = clientIp(req.socket.remoteAddress);
    const decision = this.#decide(req, sourceIp);
    if (decision.kind === 'forward') forwardUpgrade(req, socket, head, decision, this.#context(sourceIp));
    else if (decision.kind === 'fixed') writeRawFixedResponse(socket, decision.action);
    else writeRawError(socket, decision.status);
  }
}
