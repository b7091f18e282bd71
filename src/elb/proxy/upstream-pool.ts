import { connect, type Socket } from 'node:net';
import { ResponseParser, type ResponseSink } from './response-parser.ts';

/**
 * The proxy's own keep-alive connections to one target, for requests without a body (most of them):
 * a request head written in one call, the response parsed by ResponseParser. Each socket gets its
 * listeners once and dispatches to its current exchange, so a request costs no listener churn
 * (node's http.Agent path costs about a third more CPU per request; bench/elb-proxy.ts).
 */

/** Idle connections kept per target; more are closed as they come back. */
const MAX_IDLE = 256;
/**
 * An idle connection closes after this long: below the keep-alive timeouts servers commonly use
 * (node:http 5 s, nginx 75 s), so the proxy seldom reuses a connection the target is closing.
 */
const IDLE_CLOSE_MS = 4000;

export interface ExchangeHandlers extends ResponseSink {
  /** Before the response completed: 'timeout' after the idle timeout, else the connection failed. */
  fail(reason: 'timeout' | 'error'): void;
}

export interface ExchangeControl {
  abandon(): void;
  pause(): void;
  resume(): void;
}

export interface SendOptions {
  /** The request was HEAD: no response has a body. */
  readonly bodiless: boolean;
  /** Safe to send again if a reused connection was already closed (GET, HEAD). */
  readonly retryable: boolean;
  readonly idleTimeoutMs: number;
}

interface Exchange {
  readonly parser: ResponseParser;
  /** Some response byte arrived: the target has seen the request. */
  received: boolean;
  fail(reason: 'timeout' | 'error'): void;
}

interface Connection {
  readonly socket: Socket;
  exchange: Exchange | undefined;
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

  /**
   * Sends a request head (no body) and reports the response to `handlers`. `abandon` closes the
   * connection instead of reusing it; `pause` and `resume` apply backpressure from a slow client.
   * A `retryable` request (GET, HEAD) whose reused connection turns out closed before a single
   * byte came back is sent once more on a new connection to the same target: the target closed
   * an idle connection as it was being reused, so it never saw the request (Go's http.Transport
   * does the same).
   */
  send(head: string, options: SendOptions, handlers: ExchangeHandlers): ExchangeControl {
    let connection: Connection;
    let exchange: Exchange;
    const attempt = (fresh: boolean): void => {
      const idle = fresh ? undefined : this.#idle.pop();
      const reused = idle !== undefined;
      connection = idle ?? this.#connect();
      const own = connection;
      const sink: ResponseSink = {
        head: (status, reason, headers) => handlers.head(status, reason, headers),
        body: (chunk) => handlers.body(chunk),
        end: (reusable) => {
          own.exchange = undefined;
          handlers.end(reusable);
          this.#release(own, reusable);
        },
      };
      exchange = {
        parser: new ResponseParser(sink, options.bodiless),
        received: false,
        fail: (reason) => {
          const stale = reason === 'error' && reused && !exchange.received && options.retryable && !this.#closed;
          if (stale) attempt(true);
          else handlers.fail(reason);
        },
      };
      own.exchange = exchange;
      own.socket.setTimeout(options.idleTimeoutMs);
      own.socket.write(head, 'latin1');
    };
    attempt(false);
    return {
      abandon: () => {
        if (connection.exchange !== exchange) return;
        connection.exchange = undefined;
        connection.socket.destroy();
      },
      pause: () => {
        if (connection.exchange === exchange) connection.socket.pause();
      },
      resume: () => connection.socket.resume(),
    };
  }

  /** Closes every connection, busy or idle. */
  destroy(): void {
    this.#closed = true;
    for (const connection of this.#all) connection.socket.destroy();
  }

  #connect(): Connection {
    const socket = connect({ host: this.#address, port: this.#port, noDelay: true });
    const connection: Connection = { socket, exchange: undefined };
    this.#all.add(connection);
    socket.on('data', (chunk: Buffer) => {
      const exchange = connection.exchange;
      if (exchange === undefined) return void socket.destroy(); // unsolicited bytes: not reusable
      exchange.received = true;
      try {
        exchange.parser.feed(chunk);
      } catch {
        this.#fail(connection, 'error');
      }
    });
    socket.on('end', () => {
      const exchange = connection.exchange;
      if (exchange !== undefined) {
        try {
          exchange.parser.close();
        } catch {
          this.#fail(connection, 'error');
        }
      }
      socket.destroy();
    });
    socket.on('timeout', () => this.#fail(connection, 'timeout'));
    socket.on('error', () => this.#fail(connection, 'error'));
    socket.on('close', () => {
      this.#fail(connection, 'error');
      this.#all.delete(connection);
      const idle = this.#idle.indexOf(connection);
      if (idle !== -1) this.#idle.splice(idle, 1);
    });
    return connection;
  }

  #fail(connection: Connection, reason: 'timeout' | 'error'): void {
    const exchange = connection.exchange;
    connection.exchange = undefined;
    connection.socket.destroy();
    exchange?.fail(reason);
  }

  #release(connection: Connection, reusable: boolean): void {
    const socket = connection.socket;
    if (!reusable || this.#closed || socket.destroyed || this.#idle.length >= MAX_IDLE) {
      socket.destroy();
      return;
    }
    socket.setTimeout(IDLE_CLOSE_MS);
    this.#idle.push(connection);
  }
}
