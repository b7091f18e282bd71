/*
 * A redirect action's Location for one request: AWS's #{protocol}, #{host}, #{port}, #{path}
 * (without its leading "/") and #{query} replaced by the request's own values. As ALB, the
 * Location always carries the port, and a query left empty drops the "?".
 */

export interface RedirectTemplate {
  /** 'HTTP', 'HTTPS' or '#{protocol}'. */
  readonly protocol: string;
  readonly port: string;
  readonly host: string;
  readonly path: string;
  readonly query: string;
}

export interface RedirectRequest {
  /** The listener's protocol, lower-case. */
  readonly protocol: 'http' | 'https';
  readonly port: number;
  /** The Host header without its port. */
  readonly host: string;
  /** The request target as sent: origin form, absolute form or '*'. */
  readonly url: string;
}

const KEYWORD = /#\{(protocol|host|port|path|query)\}/g;

/** The path (with its leading "/") and query (without "?") of a request target. */
export function splitTarget(url: string): { path: string; query: string } {
  let rest = url;
  if (!rest.startsWith('/')) {
    const scheme = rest.indexOf('://');
    const slash = scheme === -1 ? -1 : rest.indexOf('/', scheme + 3);
    const question = scheme === -1 ? -1 : rest.indexOf('?', scheme + 3);
    if (scheme === -1) rest = '/';
    else if (slash !== -1 && (question === -1 || slash < question)) rest = rest.slice(slash);
    else rest = question === -1 ? '/' : `/${rest.slice(question)}`;
  }
  const mark = rest.indexOf('?');
  return mark === -1 ? { path: rest, query: '' } : { path: rest.slice(0, mark), query: rest.slice(mark + 1) };
}

export function redirectLocation(template: RedirectTemplate, request: RedirectRequest): string {
  const { path, query } = splitTarget(request.url);
  const values: Record<string, string> = {
    protocol: request.protocol,
    host: request.host,
    port: String(request.port),
    path: path.slice(1),
    query,
  };
  const expand = (text: string): string => text.replace(KEYWORD, (_, name: string) => values[name]!);
  const protocol = template.protocol === '#{protocol}' ? request.protocol : template.protocol.toLowerCase();
  const outQuery = expand(template.query);
  return `${protocol}://${expand(template.host)}:${expand(template.port)}${expand(template.path)}${outQuery === '' ? '' : `?${outQuery}`}`;
}
