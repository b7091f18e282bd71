import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CredentialSource, EnvironmentFileReader } from '../agent/index.ts';
import { S3Error, type S3 } from '../s3/index.ts';
import { fetchThrough, type ServerEndpoint } from './server-endpoints.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Managed capacity reads environment files from the server's own S3, in process. */
export function inProcessEnvironmentFiles(s3: S3): EnvironmentFileReader {
  return async (bucket, key) => {
    try {
      const { read } = await s3.getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of read()) chunks.push(chunk);
      return Buffer.concat(chunks);
    } catch (error) {
      if (error instanceof S3Error)
        throw new Error(`${error.code}: ${error.message} status code: ${error.httpStatus}`, { cause: error });
      throw error;
    }
  };
}

/**
 * `berth agent` reads environment files with GetObject on the server it joined, signed (SigV4,
 * service s3) with the agent's own credentials (a session's token included), like its other calls.
 */
export function httpEnvironmentFiles(
  options: { readonly endpoint: ServerEndpoint; readonly region: string } & (
    { readonly credentials: CredentialSource } | { readonly accessKeyId: string; readonly secretAccessKey: string }
  ),
): EnvironmentFileReader {
  const signer = new SignatureV4({
    credentials: 'credentials' in options ? () => options.credentials.current() : options,
    region: options.region,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  return async (bucket, key) => {
    const path = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const signal = AbortSignal.timeout(60_000);
    const send = async (endpoint: URL): Promise<Response> => {
      const signed = await signer.sign({
        method: 'GET',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path,
        query: {},
        headers: { host: endpoint.host, 'x-amz-content-sha256': EMPTY_SHA256 },
      });
      const headers = { ...(signed.headers as Record<string, string>) };
      delete headers.host;
      return fetch(new URL(path, endpoint), { headers, signal });
    };
    const response = await fetchThrough(options.endpoint, send, signal);
    const body = Buffer.from(await response.arrayBuffer());
    if (response.ok) return body;
    const text = body.toString('utf8');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'UnknownError';
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? response.statusText;
    throw new Error(`${code}: ${message} status code: ${response.status}`);
  };
}
