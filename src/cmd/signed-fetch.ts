import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CredentialSource } from '../agent/index.ts';
import { fetchThrough, type ServerEndpoint } from './server-endpoints.ts';

export interface SignedClientOptions {
  /** One server, or a choice among several (each call goes to the one chosen then). */
  readonly endpoint: ServerEndpoint;
  /** Asked before each call: a session's token goes out as X-Amz-Security-Token. */
  readonly credentials: CredentialSource;
  readonly region: string;
  readonly service: string;
}

/** A JSON API error answered by the server: `{"__type", "message"}` with a 4xx or 5xx status. */
export class ServerError extends Error {
  readonly code: string;
  readonly status: number;
  /** 4xx: the request itself is refused; retrying it cannot help. */
  readonly permanent: boolean;
  constructor(status: number, code: string, message: string) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
    this.permanent = status >= 400 && status < 500;
  }
}

/**
 * POSTs JSON signed with SigV4 (the smithy signer the AWS SDKs use) and parses the JSON answer:
 * what `berth agent` and the admin commands use to talk to a server.
 */
export function signedJsonClient(options: SignedClientOptions) {
  const signer = signerFor(options);
  return async <T>(
    path: string,
    body: object,
    extraHeaders: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<T> => {
    const text = JSON.stringify(body);
    const send = async (endpoint: URL): Promise<Response> => {
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path,
        query: {},
        headers: { host: endpoint.host, 'content-type': 'application/json', ...extraHeaders },
        body: text,
      });
      const headers = { ...(signed.headers as Record<string, string>) };
      delete headers.host;
      return fetch(new URL(path, endpoint), { method: 'POST', headers, body: text, ...(signal ? { signal } : {}) });
    };
    const response = await fetchThrough(options.endpoint, send, signal);
    const answer = await response.text();
    const parsed = (answer ? JSON.parse(answer) : {}) as Record<string, unknown>;
    if (!response.ok) {
      const code = String(parsed.__type ?? 'Error')
        .split('#')
        .at(-1)!;
      throw new ServerError(response.status, code, String(parsed.message ?? parsed.Message ?? answer));
    }
    return parsed as T;
  };
}

function signerFor(options: SignedClientOptions): SignatureV4 {
  return new SignatureV4({
    credentials: () => options.credentials.current(),
    region: options.region,
    service: options.service,
    sha256: Hash.bind(null, 'sha256'),
  });
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text of the first <name> element inside `xml` (entities decoded), if any. */
export function xmlText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1]?.replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => XML_ENTITIES[entity]!);
}

/**
 * POSTs a query-protocol action (IAM, STS: form-encoded Action and Version, SigV4) and resolves
 * with the XML answer; an `<ErrorResponse>` becomes a ServerError with its Code and Message.
 */
export function signedQueryClient(options: SignedClientOptions & { readonly version: string }) {
  const signer = signerFor(options);
  return async (action: string, parameters: Record<string, string>, signal?: AbortSignal): Promise<string> => {
    const text = new URLSearchParams({ Action: action, Version: options.version, ...parameters }).toString();
    const until = signal ?? AbortSignal.timeout(30_000);
    const send = async (endpoint: URL): Promise<Response> => {
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path: '/',
        query: {},
        headers: { host: endpoint.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: text,
      });
      const headers = { ...(signed.headers as Record<string, string>) };
      delete headers.host;
      return fetch(new URL('/', endpoint), { method: 'POST', headers, body: text, signal: until });
    };
    const response = await fetchThrough(options.endpoint, send, until);
    const answer = await response.text();
    if (!response.ok) {
      const code = xmlText(answer, 'Code') ?? 'Error';
      throw new ServerError(response.status, code, xmlText(answer, 'Message') ?? answer);
    }
    return answer;
  };
}
