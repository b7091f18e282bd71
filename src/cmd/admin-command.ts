import { parseArgs } from 'node:util';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AdminPath } from './admin.ts';

/**
 * `berth gc`, `berth lifecycle`, `berth iam create-user [--endpoint URL]`: asks a running server to run an admin
 * operation now, signed with the AWS credentials of the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_REGION).
 */
export async function runAdminCommand(
  path: AdminPath,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { flags?: Record<string, string> } = {},
): Promise<number> {
  const flagNames = Object.keys(options.flags ?? {});
  const { values } = parseArgs({
    args: [...argv],
    options: {
      endpoint: { type: 'string' },
      ...Object.fromEntries(flagNames.map((flag) => [flag, { type: 'string' as const }])),
    },
    strict: true,
  });
  const input: Record<string, string> = {};
  for (const flag of flagNames) {
    const value = (values as Record<string, string | undefined>)[flag];
    if (typeof value !== 'string') {
      process.stderr.write(`berth: --${flag} is required\n`);
      return 2;
    }
    input[options.flags![flag]!] = value;
  }
  const body = flagNames.length > 0 ? JSON.stringify(input) : '';
  const endpoint = new URL(values.endpoint ?? env.BERTH_ENDPOINT ?? 'http://127.0.0.1:4510');
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    process.stderr.write('berth: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the keys the server printed)\n');
    return 2;
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service: 'ecr',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path,
    query: {},
    headers: { host: endpoint.host, 'content-type': 'application/json' },
    body,
  });
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  const response = await fetch(new URL(path, endpoint), { method: 'POST', headers, body });
  const text = await response.text();
  (response.ok ? process.stdout : process.stderr).write(`${text}\n`);
  return response.ok ? 0 : 1;
}
