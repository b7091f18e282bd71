import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** What ALB itself answers with (its status lines and the small HTML page it serves). */
const REASONS: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

export type ProxyError = 502 | 503 | 504;

export function errorPage(status: ProxyError): string {
  const title = `${status} ${REASONS[status]}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** Answers with ALB's error page, unless the response has already started (then the caller cuts it). */
export function sendError(res: ServerResponse, status: ProxyError, closeConnection = false): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = errorPage(status);
  const headers: Record<string, string | number> = {
    server: 'awselb/2.0',
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(body),
  };
  if (closeConnection) headers.connection = 'close';
  res.writeHead(status, REASONS[status], headers);
  res.end(body);
}

export function sendFixedResponse(
  res: ServerResponse,
  action: { readonly statusCode: number; readonly contentType?: string; readonly messageBody?: string },
): void {
  const body = action.messageBody ?? '';
  res.writeHead(action.statusCode, {
    server: 'awselb/2.0',
    'content-type': action.contentType ?? 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** A response head written straight on a socket (Upgrade requests have no ServerResponse). */
export function rawHead(status: number, reason: string, headers: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (let index = 0; index < headers.length; index += 2) head += `${headers[index]}: ${headers[index + 1]}\r\n`;
  return `${head}\r\n`;
}

export function writeRawError(socket: Duplex, status: ProxyError): void {
  if (socket.destroyed) return;
  const body = errorPage(status);
  const head = rawHead(status, REASONS[status]!, [
    'Server',
    'awselb/2.0',
    'Content-Type',
    'text/html',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Connection',
    'close',
  ]);
  socket.end(head + body);
}

export function writeRawFixedResponse(
  socket: Duplex,
  action: { readonly statusCode: number; readonly contentType?: string; readonly messageBody?: string },
): void {
  const body = action.messageBody ?? '';
  const head = rawHead(action.statusCode, STATUS_CODES[action.statusCode] ?? '', [
    'Server',
    'awselb/2.0',
    'Content-Type',
    action.contentType ?? 'text/plain; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Connection',
    'close',
  ]);
  socket.end(head + body);
}
