import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { requestHeaders, responseHeaders } from './headers.ts';
import { sendError } from './responses.ts';
import type { Cancellable, TargetGroupRuntime, TargetRuntime } from './target-group.ts';
import type { ExchangeControl } from './upstream-pool.ts';

export interface ForwardContext {
  readonly listenerPort: number;
  readonly idleTimeoutMs: number;
  readonly clientIp: string;
  readonly nowMs: number;
  /** The listener is closing: ask the client to close its connection after this response. */
  readonly closing: boolean;
}

interface Chosen {
  readonly group: TargetGroupRuntime;
  readonly target: TargetRuntime;
}

/**
 * Proxies one request to one target, streaming both bodies. Never retried on another target (ALB
 * does not retry either): a refused or reset connection is a 502, no answer within the idle
 * timeout a 504, and once the response has started a failure cuts the client's connection.
 * Requests without a body (most) take the target's own connection pool; the others node's client.
 */
export function forward(req: IncomingMessage, res: ServerResponse, chosen: Chosen, context: ForwardContext): void {
  if (hasBody(req)) forwardWithBody(req, res, chosen, context);
  else forwardBodiless(req, res, chosen, context);
}

/** GET, HEAD, DELETE and the like: no Content-Length (or 0) and no Transfer-Encoding. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function requestHead(req: IncomingMessage, target: TargetRuntime, context: ForwardContext): string {
  const headers = requestHeaders(req.rawHeaders, { ...context, defaultHost: `${target.address}:${target.port}` });
  let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
  for (let index = 0; index < headers.length; index += 2) head += `${headers[index]}: ${headers[index + 1]}\r\n`;
  return `${head}\r\n`;
}

function forwardBodiless(req: IncomingMessage, res: ServerResponse, chosen: Chosen, context: ForwardContext): void {
  const { group, target } = chosen;
  const inFlight: Cancellable = {
    destroy: () => {
      control.abandon();
      res.destroy();
    },
  };
  group.begin(target, inFlight);
  res.once('close', () => {
    group.end(target, inFlight);
    if (!res.writableFinished) control.abandon(); // the client went away first
  });
  const resume = (): void => control.resume();
  const method = req.method;
  const options = {
    bodiless: method === 'HEAD',
    retryable: method === 'GET' || method === 'HEAD',
    idleTimeoutMs: context.idleTimeoutMs,
  };
  const control: ExchangeControl = target.pool.send(requestHead(req, target, context), options, {
    head: (status, reason, raw) => {
      const headers = responseHeaders(raw);
      if (context.closing) headers.push('Connection', 'close');
      res.writeHead(status, reason || undefined, headers);
    },
    body: (chunk) => {
      if (res.destroyed || res.write(chunk)) return;
      control.pause(); // a slow client: stop reading from the target until it drains
      res.once('drain', resume);
    },
    end: () => res.end(),
    fail: (reason) => sendError(res, reason === 'timeout' ? 504 : 502, context.closing),
  });
}

function forwardWithBody(req: IncomingMessage, res: ServerResponse, chosen: Chosen, context: ForwardContext): void {
  const { group, target } = chosen;
  let timedOut = false;
  const upstream = request({
    host: target.address,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: requestHeaders(req.rawHeaders, { ...context, defaultHost: `${target.address}:${target.port}` }),
    agent: target.agent,
    setHost: false,
  });
  const inFlight: Cancellable = {
    destroy: () => {
      upstream.destroy();
      res.destroy();
    },
  };
  group.begin(target, inFlight);
  res.once('close', () => {
    group.end(target, inFlight);
    if (!res.writableFinished) upstream.destroy(); // the client went away first
  });
  upstream.setTimeout(context.idleTimeoutMs, () => {
    timedOut = true;
    upstream.destroy();
  });
  upstream.on('error', () => sendError(res, timedOut ? 504 : 502, context.closing));
  upstream.once('response', (response) => {
    const headers = responseHeaders(response.rawHeaders);
    if (context.closing) headers.push('Connection', 'close');
    res.writeHead(response.statusCode ?? 502, response.statusMessage, headers);
    response.on('error', () => res.destroy());
    response.pipe(res);
  });
  req.on('error', () => upstream.destroy());
  req.pipe(upstream);
}
