import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SignedClientOptions {
  readonly endpoint: URL;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
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
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    region: options.region,
    service: options.service,
    sha256: Hash.bind(null, 'sha256'),
  });
  const { endpoint } = options;
  return async <T>(
    path: string,
    body: object,
    extraHeaders: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<T> => {
    const text = JSON.stringify(body);
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
    const response = await fetch(new URL(path, endpoint), {
      method: 'POST',
      headers,
      body: text,
      ...(signal ? { signal } : {}),
    });
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
