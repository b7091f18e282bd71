import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { requestHeaders, responseHeaders } from './headers.ts';
import { sendError } from './responses.ts';
import type { Cancellable, TargetGroupRuntime, TargetRuntime } from './target-group.ts';

export interface ForwardContext {
  readonly listenerPort: number;
  readonly idleTimeoutMs: number;
  readonly clientIp: string;
  readonly nowMs: number;
  /** The listener is closing: ask the client to close its connection after this response. */
  readonly closing: boolean;
}

/**
 * Proxies one request to one target, streaming both bodies. Never retried on another target (ALB
 * does not retry either): a refused or reset connection is a 502, no answer within the idle
 * timeout a 504, and once the response has started a failure cuts the client's connection.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: { readonly group: TargetGroupRuntime; readonly target: TargetRuntime },
  context: ForwardContext,
): void {
  const { group, target: chosen } = target;
  let timedOut = false;
  const upstream = request({
    host: chosen.address,
    port: chosen.port,
    method: req.method,
    path: req.url,
    headers: requestHeaders(req.rawHeaders, context),
    agent: chosen.agent,
    setHost: false,
  });
  const inFlight: Cancellable = {
    destroy: () => {
      upstream.destroy();
      res.destroy();
    },
  };
  group.begin(chosen, inFlight);
  res.once('close', () => {
    group.end(chosen, inFlight);
    // The client went away before the target finished: stop the target's side too.
    if (!res.writableFinished) upstream.destroy();
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
    relay(response, res);
  });
  if (hasBody(req)) {
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  } else upstream.end();
}

/** Most requests (GET, HEAD, DELETE) have no body: ending at once spares pipe()'s listeners. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** pipe() without its bookkeeping: the hot path is one data event and one end per small response. */
function relay(from: IncomingMessage, to: ServerResponse): void {
  const resume = (): void => {
    from.resume();
  };
  from.on('data', (chunk: Buffer) => {
    if (to.destroyed) return;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', resume);
    }
  });
  from.once('end', () => to.end());
}
