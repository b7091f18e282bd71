import { connect, type Socket } from 'node:net';
import { ResponseParser, type ResponseFraming, type ResponseSink } from './response-parser.ts';

/**
 * The proxy's own keep-alive connections to one target: a request head written in one call, a
 * body (if any) streamed after it, the response parsed by ResponseParser. Each socket gets its
 * listeners and parser once and dispatches to its current exchange, so a request costs one small
 * object and no listener or timer churn. Upgrade requests get a connection of their own that is
 * handed over on 101.
 */

/** What every pooled request/response connection reads into (one event loop: one read at a time). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Idle connections kept per target; more are closed as they come back. */
const MAX_IDLE = 256;
/**
 * An idle connection closes after this long: below the keep-alive timeouts servers commonly use
 * (node:http 5 s, nginx 75 s), so the proxy seldom reuses a connection the target is closing.
 */
const IDLE_CLOSE_MS = 4000;

/** What an exchange reports to the side that sent the request. */
export interface ExchangeHandler extends ResponseSink {
  /** Before the response completed: 'timeout' after the idle timeout, else the connection failed. */
  fail(reason: 'timeout' | 'error'): void;
  /** The target's socket took the request body written so far (after `write` returned false). */
  drain(): void;
  /** Upgrade only: the target switched protocols; the socket is the caller's from now on. */
  tunnel?(socket: Socket, rest: Buffer): void;
}

export interface SendOptions {
  /** The request was HEAD: no response has a body. */
  readonly bodiless: boolean;
  /** Safe to send again if a reused connection was already closed (GET, HEAD without a body). */
  readonly retryable: boolean;
  readonly idleTimeoutMs: number;
}

interface Connection {
  readonly socket: Socket;
  readonly parser: ResponseParser;
  exchange: Exchange | undefined;
  /** The socket's current timeout, IDLE_CLOSE_MS unless an exchange needs a shorter one. */
  timerMs: number;
}

/** One request on one connection; the handle its sender uses to stream the body and cancel. */
export class Exchange implements ResponseSink {
  readonly #pool: UpstreamPool;
  readonly #handler: ExchangeHandler;
  readonly #head: string;
  readonly options: SendOptions;
  connection!: Connection;
  reused = false;
  /** Some response byte arrived: the target has seen the request. */
  received = false;
  /** The whole request body has been written. */
  requestDone: boolean;
  /** Idle time accumulated by the socket's timeouts since the last byte either way. */
  silentMs = 0;

  constructor(pool: UpstreamPool, head: string, options: SendOptions, handler: ExchangeHandler, hasBody: boolean) {
    this.#pool = pool;
    this.#head = head;
    this.options = options;
    this.#handler = handler;
    this.requestDone = !hasBody;
  }

  /** Writes the head on `connection` (a new one, or one from the pool). */
  attach(connection: Connection, reused: boolean, upgrade: boolean): void {
    this.connection = connection;
    this.reused = reused;
    connection.exchange = this;
    connection.parser.reset(this, this.options.bodiless, upgrade);
    if (this.options.idleTimeoutMs < connection.timerMs) {
      connection.timerMs = this.options.idleTimeoutMs;
      connection.socket.setTimeout(connection.timerMs);
    }
    connection.socket.write(this.#head, 'latin1');
  }

  /** Streams request body bytes; false when the target's socket is full (wait for `drain`). */
  write(chunk: Buffer): boolean {
    this.silentMs = 0;
    return this.connection.exchange === this ? this.connection.socket.write(chunk) : true;
  }

  /** The request body is complete. */
  finish(): void {
    this.requestDone = true;
  }

  /** Closes the connection instead of reusing it (the client went away, or the drain deadline). */
  abandon(): void {
    if (this.connection.exchange !== this) return;
    this.connection.exchange = undefined;
    this.connection.socket.destroy();
  }

  /** Backpressure from a slow client. */
  pause(): void {
    if (this.connection.exchange === this) this.connection.socket.pause();
  }

  resume(): void {
    if (this.connection.exchange === this) this.connection.socket.resume();
  }

  head(status: number, reason: string, rawHeaders: string[], framing: ResponseFraming): void {
    this.#handler.head(status, reason, rawHeaders, framing);
  }

  body(chunk: Buffer): void {
    this.#handler.body(chunk);
  }

  end(reusable: boolean): void {
    const connection = this.connection;
    connection.exchange = undefined;
    this.#pool.release(connection, reusable && this.requestDone);
    this.#handler.end(reusable);
  }

  upgraded(rest: Buffer): void {
    const connection = this.connection;
    connection.exchange = undefined;
    this.#pool.handOver(connection);
    this.#handler.tunnel?.(connection.socket, rest);
  }

  fail(reason: 'timeout' | 'error'): void {
    const stale = reason === 'error' && this.reused && !this.received && this.options.retryable;
    if (stale && this.#pool.open) this.attach(this.#pool.connect(), false, false);
    else this.#handler.fail(reason);
  }

  drain(): void {
    this.#handler.drain();
  }
}

export class UpstreamPool {
  readonly #address: string;
  readonly #port: number;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  #closed = false;

  constructor(address: string, port: number) {
    this.#address = address;
    this.#port = port;
  }

  get open(): boolean {
    return !this.#closed;
  }

  /**
   * Sends a request head and reports the response to `handler`; a body, if `hasBody`, follows
   * through the exchange's `write` and `finish`. A `retryable` request (GET, HEAD, no body) whose
   * reused connection turns out closed before a single byte came back is sent once more on a new
   * connection to the same target: the target closed an idle connection as it was being reused,
   * so it never saw the request (Go's http.Transport does the same).
   */
  send(head: string, options: SendOptions, handler: ExchangeHandler, hasBody: boolean): Exchange {
    const exchange = new Exchange(this, head, options, handler, hasBody);
    const idle = this.#idle.pop();
    exchange.attach(idle ?? this.connect(), idle !== undefined, false);
    return exchange;
  }

  /** An Upgrade request, on a connection of its own: on 101 the handler's `tunnel` gets the socket. */
  upgrade(head: string, idleTimeoutMs: number, handler: ExchangeHandler): Exchange {
    const options = { bodiless: false, retryable: false, idleTimeoutMs };
    const exchange = new Exchange(this, head, options, handler, false);
    exchange.attach(this.connect(true), false, true);
    return exchange;
  }

  /** Closes every connection, busy or idle. */
  destroy(): void {
    this.#closed = true;
    for (const connection of this.#all) connection.socket.destroy();
  }

  /**
   * A new connection. A request/response connection reads into the pools' shared buffer (`onread`:
   * no buffer allocated per read, no stream machinery), so what the parser hands on is only valid
   * during the call; an upgrade connection reads as a stream, since it becomes a piped tunnel.
   */
  connect(upgrade = false): Connection {
    const address = { host: this.#address, port: this.#port, noDelay: true };
    const socket = connect(
      upgrade
        ? address
        : { ...address, onread: { buffer: READ_BUFFER, callback: (n: number) => this.#onRead(connection, n) } },
    );
    const parser = new ResponseParser(IDLE, false);
    const connection: Connection = { socket, parser, exchange: undefined, timerMs: IDLE_CLOSE_MS };
    this.#all.add(connection);
    socket.setTimeout(IDLE_CLOSE_MS);
    if (upgrade) socket.on('data', (chunk: Buffer) => this.#onData(connection, chunk));
    socket.on('end', () => this.#onEnd(connection));
    socket.on('timeout', () => this.#onTimeout(connection));
    socket.on('error', () => this.#fail(connection, 'error'));
    socket.on('drain', () => connection.exchange?.drain());
    socket.on('close', () => {
      this.#fail(connection, 'error');
      this.#all.delete(connection);
      const idle = this.#idle.indexOf(connection);
      if (idle !== -1) this.#idle.splice(idle, 1);
    });
    return connection;
  }

  release(connection: Connection, reusable: boolean): void {
    const socket = connection.socket;
    if (!reusable || this.#closed || socket.destroyed || this.#idle.length >= MAX_IDLE) {
      socket.destroy();
      return;
    }
    if (connection.timerMs !== IDLE_CLOSE_MS) {
      connection.timerMs = IDLE_CLOSE_MS;
      socket.setTimeout(IDLE_CLOSE_MS);
    }
    this.#idle.push(connection);
  }

  /** An upgraded connection leaves the pool: its socket is a tunnel now. */
  handOver(connection: Connection): void {
    this.#all.delete(connection);
    const socket = connection.socket;
    socket.setTimeout(0);
    for (const event of ['data', 'end', 'timeout', 'error', 'drain', 'close']) socket.removeAllListeners(event);
  }

  /** `onread`'s callback: true keeps reading (a slow client pauses the socket instead). */
  #onRead(connection: Connection, length: number): boolean {
    this.#onData(connection, READ_BUFFER.subarray(0, length));
    return true;
  }

  #onData(connection: Connection, chunk: Buffer): void {
    const exchange = connection.exchange;
    if (exchange === undefined) return void connection.socket.destroy(); // unsolicited bytes: not reusable
    exchange.received = true;
    exchange.silentMs = 0;
    try {
      connection.parser.feed(chunk);
    } catch {
      this.#fail(connection, 'error');
    }
  }

  #onEnd(connection: Connection): void {
    if (connection.exchange !== undefined) {
      try {
        connection.parser.close();
      } catch {
        this.#fail(connection, 'error');
      }
    }
    connection.socket.destroy();
  }

  /** The socket was silent for its timer: idle ones close, busy ones time out after the exchange's idle timeout. */
  #onTimeout(connection: Connection): void {
    const exchange = connection.exchange;
    if (exchange === undefined) return void connection.socket.destroy();
    exchange.silentMs += connection.timerMs;
    const left = exchange.options.idleTimeoutMs - exchange.silentMs;
    if (left <= 0) return this.#fail(connection, 'timeout');
    connection.timerMs = Math.min(connection.timerMs, left);
    connection.socket.setTimeout(connection.timerMs);
  }

  #fail(connection: Connection, reason: 'timeout' | 'error'): void {
    const exchange = connection.exchange;
    connection.exchange = undefined;
    connection.socket.destroy();
    exchange?.fail(reason);
  }
}

/** The sink a connection's parser has between exchanges (never called: bytes then destroy it). */
const IDLE: ResponseSink = { head() {}, body() {}, end() {} };
