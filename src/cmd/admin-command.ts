import { parseArgs } from 'node:util';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { localServerUrl } from '../shared/config.ts';
import type { AdminPath } from './admin.ts';

export interface AdminCommand {
  /** e.g. "gc": what `berth <name>` is called, for messages. */
  readonly name: string;
  readonly path: AdminPath;
  /** One line: what the command does. */
  readonly summary: string;
  /** --flag → the input member it fills; every one is required. */
  readonly flags?: Readonly<Record<string, string>>;
}

/**
 * `berth gc`, `berth lifecycle`: asks a running server to run one of its
 * own operations now, signed with the AWS credentials of the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_REGION). The server is found as `npm start` configures it: --endpoint,
 * else BERTH_ENDPOINT, else http://BERTH_HOST:BERTH_PORT (127.0.0.1:4510). Every failure is one
 * line on stderr and an exit code: 2 for a usage error, 1 when the call failed.
 */
export async function runAdminCommand(
  command: AdminCommand,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const flagNames = Object.keys(command.flags ?? {});
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        endpoint: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(flagNames.map((flag) => [flag, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return usageError(command, (error as Error).message);
  }
  if (values.help) {
    process.stdout.write(helpOf(command));
    return 0;
  }
  const input: Record<string, string> = {};
  for (const flag of flagNames) {
    const value = values[flag];
    if (typeof value !== 'string') return usageError(command, `--${flag} is required`);
    input[command.flags![flag]!] = value;
  }
  let endpoint: URL;
  try {
    endpoint = new URL((values.endpoint as string | undefined) ?? localServerUrl(env));
  } catch {
    return usageError(command, `--endpoint must be a URL such as http://127.0.0.1:4510`);
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    process.stderr.write(
      `berth ${command.name}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the keys the server printed)\n`,
    );
    return 2;
  }
  const body = flagNames.length > 0 ? JSON.stringify(input) : '';
  let response: Response;
  try {
    response = await signedPost(endpoint, command.path, body, {
      accessKeyId,
      secretAccessKey,
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    process.stderr.write(
      `berth ${command.name}: cannot reach the Berth server at ${endpoint.origin} (${cause?.code ?? cause?.message ?? (error as Error).message}); ` +
        'is it running? Point at it with --endpoint URL or BERTH_PORT.\n',
    );
    return 1;
  }
  const text = await response.text();
  if (response.ok) {
    process.stdout.write(`${text}\n`);
    return 0;
  }
  process.stderr.write(`berth ${command.name}: ${describeFailure(response.status, text)}\n`);
  return 1;
}

function helpOf(command: AdminCommand): string {
  const flags = Object.keys(command.flags ?? {})
    .map((flag) => ` --${flag} VALUE`)
    .join('');
  return `Usage: berth ${command.name}${flags} [--endpoint URL]

${command.summary}

  --endpoint URL  the Berth server (BERTH_ENDPOINT; default http://BERTH_HOST:BERTH_PORT, i.e. http://127.0.0.1:4510)
Signed with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the root keys the server printed at its first start).
`;
}

function usageError(command: AdminCommand, message: string): number {
  process.stderr.write(`berth ${command.name}: ${message} (berth ${command.name} --help)\n`);
  return 2;
}

/** "AccessDeniedException: User: … is not authorized …" from an error body, whatever its shape. */
function describeFailure(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string };
    if (body.message !== undefined) return body.__type ? `${body.__type}: ${body.message}` : body.message;
  } catch {
    // not JSON: show the text
  }
  return `the server answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

function signedPost(
  endpoint: URL,
  path: string,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string; region: string },
): Promise<Response> {
  const signer = new SignatureV4({
    credentials,
    region: credentials.region,
    service: 'ecr',
    sha256: Hash.bind(null, 'sha256'),
  });
  return signer
    .sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path,
      query: {},
      headers: { host: endpoint.host, 'content-type': 'application/json' },
      body,
    })
    .then((signed) => {
      const headers = { ...(signed.headers as Record<string, string>) };
      delete headers.host;
      return fetch(new URL(path, endpoint), { method: 'POST', headers, body, signal: AbortSignal.timeout(120_000) });
    });
}
