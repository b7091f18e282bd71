import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { requestHeaders, responseHeaders } from './headers.ts';
import { rawHead, writeRawError } from './responses.ts';
import type { Cancellable, TargetGroupRuntime, TargetRuntime } from './target-group.ts';
import type { ForwardContext } from './forward.ts';

/**
 * An Upgrade request (WebSocket): the handshake goes to the target on a connection of its own;
 * on 101 the two sockets are piped together until either side closes or stays idle past the
 * idle timeout. The connection counts as in flight for least-outstanding and draining.
 */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: { readonly group: TargetGroupRuntime; readonly target: TargetRuntime },
  context: ForwardContext,
): void {
  const { group, target: chosen } = target;
  let timedOut = false;
  let tunnel: Duplex | undefined;
  const upstream = request({
    host: chosen.address,
    port: chosen.port,
    method: req.method,
    path: req.url,
    headers: requestHeaders(req.rawHeaders, { ...context, upgrade: req.headers.upgrade ?? 'websocket' }),
    agent: false,
    setHost: false,
  });
  const inFlight: Cancellable = {
    destroy: () => {
      upstream.destroy();
      tunnel?.destroy();
      socket.destroy();
    },
  };
  group.begin(chosen, inFlight);
  socket.on('error', () => inFlight.destroy());
  socket.once('close', () => {
    group.end(chosen, inFlight);
    upstream.destroy();
    tunnel?.destroy();
  });
  upstream.setTimeout(context.idleTimeoutMs, () => {
    timedOut = true;
    upstream.destroy();
  });
  upstream.on('error', () => writeRawError(socket, timedOut ? 504 : 502));
  upstream.once('upgrade', (response, targetSocket, targetHead) => {
    tunnel = targetSocket;
    targetSocket.setTimeout(0);
    socket.write(
      rawHead(101, response.statusMessage ?? 'Switching Protocols', responseHeaders(response.rawHeaders, true)),
    );
    if (targetHead.length > 0) socket.write(targetHead);
    if (head.length > 0) targetSocket.write(head);
    for (const side of [socket as Socket, targetSocket]) {
      side.setTimeout(context.idleTimeoutMs, () => inFlight.destroy());
      side.on('error', () => inFlight.destroy());
      side.once('close', () => inFlight.destroy());
    }
    targetSocket.pipe(socket);
    socket.pipe(targetSocket);
  });
  // The target declined the upgrade: relay its answer as a plain response, then close.
  upstream.once('response', (response) => {
    const headers = responseHeaders(response.rawHeaders);
    headers.push('Connection', 'close');
    socket.write(rawHead(response.statusCode ?? 502, response.statusMessage ?? '', headers));
    response.on('error', () => socket.destroy());
    response.pipe(socket);
  });
  upstream.end();
}
