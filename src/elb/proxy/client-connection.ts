import type { Socket } from 'node:net';
import type { RuleAction } from '../data-plane-contract.ts';
import { headAt } from './ascii.ts';
import { BodyFramer } from './body-framer.ts';
import { requestHeaders, responseHeaders } from './headers.ts';
import { hasBadHeadByte, headStartError, isHeadError, parseRequestHead, type RequestHead } from './request-head.ts';
import type { ResponseFraming } from './response-parser.ts';
import {
  errorResponse,
  fieldLines,
  fixedResponse,
  rawHead,
  redirectResponse,
  type ProxyError,
  type RequestError,
} from './responses.ts';
import type { Cancellable, TargetGroupRuntime, TargetRuntime } from './target-group.ts';
import type { GroupCounters, LoadBalancerCounters } from './traffic-counters.ts';
import type { Exchange, ExchangeHandler } from './upstream-pool.ts';

/** A request head larger than this is refused with 431 (ALB allows 64 KB of headers). */
const MAX_HEAD_BYTES = 64 * 1024;
/** While a request is in flight, reading stops once this much of the next one is buffered. */
const MAX_PIPELINED_BYTES = 64 * 1024;
/** Bodies up to this size are written with their head as one string (one write, no copy of a list). */
const JOIN_BELOW_BYTES = 16 * 1024;
/**
 * A connection refused with an answer is closed this long after it, or when the client closes
 * first: what the client sends meanwhile is read and dropped, so closing does not reset the
 * connection (an RST can destroy the answer before the client reads it).
 */
export const CLOSE_LINGER_MS = 2000;
const CR = 0x0d;
const LF = 0x0a;

export type Decision =
  | { readonly kind: 'fixed'; readonly action: Extract<RuleAction, { type: 'fixed-response' }> }
  | { readonly kind: 'error'; readonly status: ProxyError }
  | { readonly kind: 'redirect'; readonly status: 301 | 302; readonly location: string }
  | { readonly kind: 'forward'; readonly group: TargetGroupRuntime; readonly target: TargetRuntime };

/** What a connection needs from its listener. */
export interface ConnectionOwner {
  readonly port: number;
  readonly idleTimeoutMs: number;
  /** A request head must arrive whole within this long of its first byte (or of the connection's start). */
  readonly headerTimeoutMs: number;
  /** The listener is closing: every response asks the client to close. */
  readonly closing: boolean;
  /** Its load balancer's traffic counters (the AWS/ApplicationELB metrics). */
  readonly counters: LoadBalancerCounters;
  decide(request: RequestHead, sourceIp: string): Decision;
  nowMs(): number;
  closed(connection: ClientConnection): void;
}

/**
 * One client connection to a listener: HTTP/1.1 requests parsed off the socket one at a time
 * (pipelined ones wait their turn), each routed, forwarded with its body streamed as it comes,
 * and answered with the target's response streamed back: Content-Length bodies as they are,
 * chunked or close-delimited ones chunked again (or close-delimited to an HTTP/1.0 client). An
 * Upgrade request becomes a tunnel on 101. In flight, the connection is the target's Cancellable.
 */
export class ClientConnection implements ExchangeHandler, Cancellable {
  readonly #socket: Socket;
  readonly #owner: ConnectionOwner;
  readonly #clientIp: string;
  #buffer: Buffer | undefined;
  #request: RequestHead | undefined;
  #framer: BodyFramer | undefined;
  #exchange: Exchange | undefined;
  #chosen: { readonly group: TargetGroupRuntime; readonly target: TargetRuntime } | undefined;
  /** The forwarded request's group counters until its response head arrives, and when it left. */
  #counted: GroupCounters | undefined;
  #sentAt = 0;
  /** The last group this connection forwarded to, and its counters: most keep-alive requests go there again. */
  #lastGroupArn = '';
  #lastGroup: GroupCounters | undefined;
  #lastCounters: LoadBalancerCounters | undefined;
  #pendingHead: string | undefined;
  #wrote = false;
  #chunkedOut = false;
  #keepAlive = true;
  #parsing = false;
  #closed = false;
  #tunnel: Socket | undefined;
  /** Bytes at the start of #buffer that headStartError has looked at (a head still arriving). */
  #checked = 0;
  /** Runs while a head is awaited: from the connection's start, and from a later head's first byte. */
  #headTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: Socket, owner: ConnectionOwner, clientIp: string) {
    this.#socket = socket;
    this.#owner = owner;
    this.#clientIp = clientIp;
    socket.setTimeout(owner.idleTimeoutMs); // the listener's server sets noDelay
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#exchange?.resume());
    socket.on('timeout', () => this.#onTimeout());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#onClose());
    this.#awaitHead();
  }

  destroy(): void {
    this.#exchange?.abandon();
    this.#tunnel?.destroy();
    this.#socket.destroy();
  }

  /** Closes the connection once its request in flight (if any) is answered. */
  closeWhenIdle(): void {
    if (this.#request === undefined) this.#socket.destroy();
  }

  // ExchangeHandler: the target's response.

  head(status: number, reason: string, raw: string[], framing: ResponseFraming): void {
    const request = this.#request!;
    this.#counted?.responded(status, (performance.now() - this.#sentAt) / 1000);
    this.#counted = undefined;
    if (status === 101 && request.upgrade !== undefined) {
      this.#pendingHead = rawHead(101, reason, responseHeaders(raw, true));
      return;
    }
    const headers = responseHeaders(raw);
    let keep = this.#mayKeepAlive();
    this.#chunkedOut = false;
    if (framing === 'chunked' || framing === 'close') {
      if (request.minor === 1) {
        headers.push('Transfer-Encoding', 'chunked');
        this.#chunkedOut = true;
      } else keep = false; // an HTTP/1.0 client reads the body until the connection closes
    }
    this.#keepAlive = keep;
    headers.push('Connection', keep ? 'keep-alive' : 'close');
    this.#pendingHead = rawHead(status, reason, headers);
  }

  body(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const head = this.#pendingHead ?? '';
    this.#pendingHead = undefined;
    const ok = this.#chunkedOut
      ? this.#write(`${head}${chunk.length.toString(16)}\r\n`, chunk, '\r\n')
      : this.#write(head, chunk, '');
    if (!ok) this.#exchange?.pause(); // a slow client: stop reading the target until 'drain'
  }

  end(): void {
    const tail = `${this.#pendingHead ?? ''}${this.#chunkedOut ? '0\r\n\r\n' : ''}`;
    this.#pendingHead = undefined;
    if (tail !== '') this.#socket.write(tail, 'latin1');
    this.#finish();
  }

  fail(reason: 'timeout' | 'error'): void {
    this.#exchange = undefined;
    if (this.#wrote) return void this.#socket.destroy(); // the response has started: cut it
    this.#pendingHead = undefined;
    this.#counted = undefined;
    const status = reason === 'timeout' ? 504 : 502;
    this.#owner.counters.answered(status);
    this.#local(errorResponse(status, this.#localOptions()));
  }

  drain(): void {
    this.#socket.resume();
  }

  tunnel(upstream: Socket, rest: Buffer): void {
    this.#tunnel = upstream;
    this.#exchange = undefined;
    const client = this.#socket;
    client.write(this.#pendingHead ?? rawHead(101, 'Switching Protocols', []), 'latin1');
    this.#pendingHead = undefined;
    if (rest.length > 0) client.write(rest);
    if (this.#buffer !== undefined) upstream.write(this.#buffer);
    this.#buffer = undefined;
    client.removeAllListeners('data');
    client.removeAllListeners('drain');
    upstream.setTimeout(this.#owner.idleTimeoutMs, () => this.destroy());
    upstream.on('error', () => this.destroy());
    upstream.once('close', () => this.destroy());
    upstream.pipe(client);
    client.pipe(upstream);
    if (client.isPaused()) client.resume();
  }

  // The client's side.

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    if (this.#framer !== undefined) {
      let taken: number;
      try {
        taken = this.#framer.scan(chunk);
      } catch {
        return this.#refuseBody();
      }
      this.#passBody(chunk, taken);
      if (taken === chunk.length) return;
      chunk = chunk.subarray(taken);
    }
    this.#buffer = this.#buffer === undefined ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (this.#request === undefined) this.#next();
    else if (this.#buffer.length > MAX_PIPELINED_BYTES) this.#socket.pause();
  }

  /** Parses and starts buffered requests, one at a time. */
  #next(): void {
    this.#parsing = true;
    try {
      while (this.#request === undefined && this.#buffer !== undefined && !this.#closed) {
        if (!this.#parseOne(this.#buffer)) break;
      }
    } finally {
      this.#parsing = false;
    }
  }

  /** Starts the buffered request, if its head is complete; false when it is not (wait for more). */
  #parseOne(buffer: Buffer): boolean {
    let start = 0;
    // RFC 9112 §2.2: empty lines before a request line are ignored; a lone CR or LF is not an empty line.
    while (buffer[start] === CR && buffer[start + 1] === LF) start += 2;
    const head = headAt(buffer, start);
    if (head === undefined || head.end - start > MAX_HEAD_BYTES) {
      this.#awaitRest(buffer, start);
      return false;
    }
    const from = Math.max(start, this.#checked);
    this.#buffer = undefined;
    this.#checked = 0;
    this.#stopHeadTimer();
    const parsed = hasBadHeadByte(buffer, start, from, head.end)
      ? { status: 400 as const, message: 'Bad byte in the head' }
      : parseRequestHead(head.text);
    const bodyStart = head.end + 4;
    if (isHeadError(parsed)) this.#refuse(parsed.status);
    else this.#start(parsed, bodyStart === buffer.length ? undefined : buffer.subarray(bodyStart));
    return true;
  }

  /** A head that has not arrived whole: refused now if it already cannot be HTTP, else awaited (bounded). */
  #awaitRest(buffer: Buffer, start: number): void {
    const rest = start === buffer.length ? undefined : buffer.subarray(start);
    this.#buffer = rest;
    if (rest === undefined) return;
    if (rest.length > MAX_HEAD_BYTES) return this.#refuse(431);
    const checked = Math.max(0, this.#checked - start);
    const error = headStartError(rest, 0, checked);
    if (error !== undefined) return this.#refuse(error.status);
    this.#checked = rest.length;
    this.#awaitHead();
  }

  #awaitHead(): void {
    this.#headTimer ??= setTimeout(() => this.#onHeadTimeout(), this.#owner.headerTimeoutMs);
  }

  #stopHeadTimer(): void {
    if (this.#headTimer === undefined) return;
    clearTimeout(this.#headTimer);
    this.#headTimer = undefined;
  }

  #start(request: RequestHead, rest: Buffer | undefined): void {
    let taken = 0;
    if (request.contentLength !== 0) {
      const framer = new BodyFramer(request.contentLength);
      // Body bytes that came with the head are checked before anything reaches a target.
      try {
        if (rest !== undefined) taken = framer.scan(rest);
      } catch {
        return this.#refuse(400);
      }
      this.#framer = framer;
    }
    this.#request = request;
    this.#wrote = false;
    this.#chunkedOut = false;
    this.#keepAlive = request.keepAlive && request.upgrade === undefined;
    const decision = this.#owner.decide(request, this.#clientIp);
    if (decision.kind !== 'forward') {
      // Nothing will read a body that follows: answer, then close rather than skip it.
      if (this.#framer !== undefined) this.#keepAlive = false;
      else this.#buffer = rest; // a pipelined request
      const options = this.#localOptions();
      const counters = this.#owner.counters;
      if (decision.kind === 'fixed') counters.fixedResponses += 1;
      counters.answered(decision.kind === 'fixed' ? decision.action.statusCode : decision.status);
      this.#local(
        decision.kind === 'fixed'
          ? fixedResponse(decision.action, options)
          : decision.kind === 'redirect'
            ? redirectResponse(decision.status, decision.location, options)
            : errorResponse(decision.status, options),
      );
      return;
    }
    this.#chosen = decision;
    this.#count(decision.group.config.targetGroupArn);
    decision.group.begin(decision.target, this);
    const target = decision.target;
    const head = this.#upstreamHead(request, target);
    const idleTimeoutMs = this.#owner.idleTimeoutMs;
    if (request.upgrade !== undefined) {
      this.#exchange = target.pool.upgrade(head, idleTimeoutMs, this);
      if (rest !== undefined) this.#exchange.write(rest);
      return;
    }
    if (request.expectContinue && this.#framer !== undefined) this.#socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    const method = request.method;
    const options = {
      bodiless: method === 'HEAD',
      retryable: this.#framer === undefined && (method === 'GET' || method === 'HEAD'),
      idleTimeoutMs,
    };
    this.#exchange = target.pool.send(head, options, this, this.#framer !== undefined);
    if (rest === undefined) return;
    if (this.#framer !== undefined) {
      this.#passBody(rest, taken);
      if (taken === rest.length) return;
      rest = rest.subarray(taken);
    }
    this.#onData(rest);
  }

  /** A target was chosen: ALB's RequestCount, and the clock of its TargetResponseTime. */
  #count(targetGroupArn: string): void {
    const counters = this.#owner.counters;
    counters.requests += 1;
    if (targetGroupArn !== this.#lastGroupArn || counters !== this.#lastCounters || this.#lastGroup === undefined) {
      this.#lastGroupArn = targetGroupArn;
      this.#lastCounters = counters;
      this.#lastGroup = counters.group(targetGroupArn);
    }
    const group = this.#lastGroup;
    group.requests += 1;
    this.#counted = group;
    this.#sentAt = performance.now();
  }

  /** Passes the first `taken` bytes of `chunk` (the request body's, already scanned) to the target. */
  #passBody(chunk: Buffer, taken: number): void {
    if (taken > 0 && this.#exchange !== undefined) {
      if (!this.#exchange.write(taken === chunk.length ? chunk : chunk.subarray(0, taken))) this.#socket.pause();
    }
    if (this.#framer!.done) {
      this.#framer = undefined;
      this.#exchange?.finish();
    }
  }

  #upstreamHead(request: RequestHead, target: TargetRuntime): string {
    const headers = requestHeaders(request.rawHeaders, {
      listenerPort: this.#owner.port,
      proto: (this.#socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http',
      clientIp: this.#clientIp,
      nowMs: this.#owner.nowMs(),
      defaultHost: target.hostPort,
      upgrade: request.upgrade,
    });
    const chunked = request.contentLength === -1 ? 'Transfer-Encoding: chunked\r\n' : '';
    return `${request.method} ${request.url} HTTP/1.1\r\n${fieldLines(headers)}${chunked}\r\n`;
  }

  /**
   * Whether the connection may carry another request after this answer: the client wants it, the
   * request's body has been read whole, and the listener is not closing.
   */
  #mayKeepAlive(): boolean {
    return this.#keepAlive && this.#framer === undefined && !this.#owner.closing;
  }

  #localOptions(): { nowMs: number; bodiless: boolean; keepAlive: boolean } {
    this.#keepAlive = this.#mayKeepAlive();
    return { nowMs: this.#owner.nowMs(), bodiless: this.#request?.method === 'HEAD', keepAlive: this.#keepAlive };
  }

  /** Answers the request in flight from the listener itself. */
  #local(response: string): void {
    this.#socket.write(response, 'latin1');
    this.#finish();
  }

  /** Refuses what could not be parsed, and closes: the stream's framing is lost. */
  #refuse(status: RequestError): void {
    this.#owner.counters.answered(status);
    this.#closed = true;
    this.#buffer = undefined;
    this.#stopHeadTimer();
    const socket = this.#socket;
    socket.end(errorResponse(status, { nowMs: this.#owner.nowMs(), bodiless: false, keepAlive: false }), 'latin1');
    socket.setTimeout(CLOSE_LINGER_MS);
    if (socket.isPaused()) socket.resume();
  }

  /**
   * The body's chunked framing is malformed after the head went to the target: the target's
   * connection is cut (it never sees the request end) and the client gets 400, unless the
   * target's answer has already begun to reach it.
   */
  #refuseBody(): void {
    const exchange = this.#exchange;
    this.#exchange = undefined;
    this.#framer = undefined;
    exchange?.abandon();
    if (this.#wrote) return this.destroy();
    this.#pendingHead = undefined;
    this.#release();
    this.#request = undefined;
    this.#refuse(400);
  }

  #write(prefix: string, chunk: Buffer, suffix: string): boolean {
    this.#wrote = true;
    const socket = this.#socket;
    if (chunk.length < JOIN_BELOW_BYTES) return socket.write(prefix + chunk.toString('latin1') + suffix, 'latin1');
    socket.cork();
    if (prefix !== '') socket.write(prefix, 'latin1');
    let ok = socket.write(Buffer.from(chunk)); // a copy: the chunk's bytes are the pool's read buffer
    if (suffix !== '') ok = socket.write(suffix, 'latin1');
    socket.uncork();
    return ok;
  }

  /** The response is complete: the next request, or the end of the connection. */
  #finish(): void {
    this.#exchange = undefined;
    this.#release();
    this.#request = undefined;
    if (!this.#keepAlive || this.#owner.closing) {
      this.#closed = true;
      this.#socket.end();
      return;
    }
    if (this.#socket.isPaused()) this.#socket.resume();
    if (!this.#parsing) this.#next();
  }

  #release(): void {
    const chosen = this.#chosen;
    this.#chosen = undefined;
    if (chosen !== undefined) chosen.group.end(chosen.target, this);
  }

  #onTimeout(): void {
    // ALB's idle timeout: no bytes either way. A request waiting on its target times out there (504);
    // a head cut short is answered 408, as ALB does.
    if (this.#closed || this.#tunnel !== undefined) return this.destroy();
    if (this.#request !== undefined) return;
    if (this.#buffer !== undefined) return this.#refuse(408);
    this.destroy();
  }

  /** The head timeout: 408 to a client whose head is still arriving; nothing sent yet: closed. */
  #onHeadTimeout(): void {
    this.#headTimer = undefined;
    if (this.#closed || this.#request !== undefined) return;
    if (this.#buffer === undefined) return this.destroy();
    this.#refuse(408);
  }

  #onClose(): void {
    this.#closed = true;
    this.#stopHeadTimer();
    const exchange = this.#exchange;
    this.#exchange = undefined;
    exchange?.abandon();
    this.#tunnel?.destroy();
    this.#release();
    this.#owner.closed(this);
  }
}
