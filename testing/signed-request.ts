import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

export const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113';

/** Signs a JSON 1.1 call the way the AWS SDK does, for tests that need to bend the request. */
export async function signJsonCall(
  url: string,
  target: string,
  body: string,
  options: {
    credentials: Credentials;
    region?: string;
    service?: string;
    date?: Date;
    headers?: Record<string, string>;
  },
): Promise<{ headers: Record<string, string>; body: string }> {
  const { host } = new URL(url);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'ecs',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: host,
      path: '/',
      query: {},
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
        ...options.headers,
      },
      body,
    },
    { signingDate: options.date ?? new Date() },
  );
  return { headers: signed.headers as Record<string, string>, body };
}

export async function post(url: string, headers: Record<string, string>, body: string | Buffer): Promise<RawResponse> {
  const sendable = { ...headers };
  delete sendable.host; // fetch sets Host itself, to the same value
  const response = await fetch(url, { method: 'POST', headers: sendable, body });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: leave empty
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Signs and sends one JSON 1.1 call. */
export async function callJson(
  url: string,
  target: string,
  body: string,
  options: Parameters<typeof signJsonCall>[3],
): Promise<RawResponse> {
  const signed = await signJsonCall(url, target, body, options);
  return post(url, signed.headers, signed.body);
}
