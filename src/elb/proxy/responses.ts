import { STATUS_CODES } from 'node:http';

/** What ALB itself answers with (its status lines and the small HTML page it serves). */
const REASONS: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

export type ProxyError = 502 | 503 | 504;
/** What the listener refuses a request (or a connection: 503 over the cap) with before routing it. */
export type RequestError = 400 | 405 | 408 | 431 | 501 | 503 | 505;

function reasonOf(status: number): string {
  return REASONS[status] ?? STATUS_CODES[status] ?? '';
}

export function errorPage(status: number): string {
  const title = `${status} ${reasonOf(status)}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

let dateSecond = -1;
let dateText = '';

/** The Date header's value, formatted once a second. */
export function httpDate(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** Header fields as [name, value, ...], each as its `name: value` line with CRLF. */
export function fieldLines(fields: readonly string[]): string {
  let lines = '';
  for (let index = 0; index < fields.length; index += 2) lines += `${fields[index]}: ${fields[index + 1]}\r\n`;
  return lines;
}

/** A response head: status line, `headers` as [name, value, ...], and the blank line. */
export function rawHead(status: number, reason: string, headers: readonly string[]): string {
  return `HTTP/1.1 ${status} ${reason}\r\n${fieldLines(headers)}\r\n`;
}

export interface LocalResponse {
  readonly nowMs: number;
  /** The request was HEAD: the head only. */
  readonly bodiless: boolean;
  readonly keepAlive: boolean;
}

function localResponse(
  status: number,
  reason: string,
  type: string,
  body: string,
  options: LocalResponse,
  extra: readonly string[] = [],
): string {
  const head = rawHead(status, reason, [
    ...extra,
    'Server',
    'awselb/2.0',
    'Date',
    httpDate(options.nowMs),
    'Content-Type',
    type,
    'Content-Length',
    String(body.length), // latin1: one character per byte
    'Connection',
    options.keepAlive ? 'keep-alive' : 'close',
  ]);
  return options.bodiless ? head : head + body;
}

/** ALB's own error response (its HTML page), whole, to be written in one call. */
export function errorResponse(status: ProxyError | RequestError, options: LocalResponse): string {
  return localResponse(status, reasonOf(status), 'text/html', errorPage(status), options);
}

/** A fixed-response action's answer. The body is UTF-8: written with 'latin1' after encoding here. */
export function fixedResponse(
  action: { readonly statusCode: number; readonly contentType?: string; readonly messageBody?: string },
  options: LocalResponse,
): string {
  const body = Buffer.from(action.messageBody ?? '', 'utf8').toString('latin1');
  return localResponse(
    action.statusCode,
    reasonOf(action.statusCode),
    action.contentType ?? 'text/plain; charset=utf-8',
    body,
    options,
  );
}

/** A redirect action's answer: ALB's page for the status, with the Location. */
export function redirectResponse(status: 301 | 302, location: string, options: LocalResponse): string {
  return localResponse(status, reasonOf(status), 'text/html', errorPage(status), options, ['Location', location]);
}
