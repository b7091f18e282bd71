import assert from 'node:assert/strict';
import { aws, type CliResult } from './aws-cli.ts';

/** Long-term or session keys, as the AWS CLI takes them from its environment. */
export interface CliKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export const ACCOUNT = '000000000000';

/** A policy document of the statements. */
export function policyDocument(...statements: readonly object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * The AWS CLI v2 against a test server with one set of keys: `run(...args)` gives the raw result,
 * `json(...args)` asserts success and parses the output, `denied(...args)` asserts an
 * authorization refusal and gives its message (the text after "operation: ").
 */
export function cliAs(server: { readonly url: string }, keys: CliKeys) {
  const env = {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    ...(keys.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: keys.sessionToken }),
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
  };
  const run = (...args: string[]): Promise<CliResult> =>
    aws(['--endpoint-url', server.url, '--output', 'json', ...args], env);
  const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
    const result = await run(...args);
    assert.equal(result.code, 0, `aws ${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout || '{}') as T;
  };
  const denied = async (...args: string[]): Promise<string> => {
    const result = await run(...args);
    assert.notEqual(result.code, 0, `aws ${args.join(' ')} was allowed`);
    const match =
      /\((AccessDenied(?:Exception)?)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)/.exec(
        result.stderr,
      );
    assert.ok(match, `aws ${args.join(' ')}: not an access denial: ${result.stderr}`);
    return match[2]!.trim();
  };
  return { run, json, denied, env };
}

export type Cli = ReturnType<typeof cliAs>;

/**
 * An IAM user made with the AWS CLI as the root: the user, then its managed policies attached,
 * then a key. Resolves with the user's own CLI.
 */
export async function cliUser(
  server: { readonly url: string },
  root: Cli,
  name: string,
  options: { readonly managed?: readonly string[]; readonly boundary?: string } = {},
): Promise<Cli & { readonly keys: CliKeys; readonly arn: string }> {
  const { User } = await root.json<{ User: { Arn: string } }>(
    'iam',
    'create-user',
    '--user-name',
    name,
    ...(options.boundary ? ['--permissions-boundary', options.boundary] : []),
  );
  for (const arn of options.managed ?? [])
    await root.json('iam', 'attach-user-policy', '--user-name', name, '--policy-arn', arn);
  const { AccessKey } = await root.json<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(
    'iam',
    'create-access-key',
    '--user-name',
    name,
  );
  const keys = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
  return { ...cliAs(server, keys), keys, arn: User.Arn };
}

/** A customer managed policy made with the AWS CLI; resolves with its ARN. */
export async function cliPolicy(root: Cli, name: string, document: string): Promise<string> {
  const { Policy } = await root.json<{ Policy: { Arn: string } }>(
    'iam',
    'create-policy',
    '--policy-name',
    name,
    '--policy-document',
    document,
  );
  return Policy.Arn;
}

/** The refusal AWS words for an action no identity-based policy allows. */
export function notAllowed(user: string, action: string, resource: string, missing = 'identity-based policy'): string {
  return `User: ${user} is not authorized to perform: ${action} on resource: ${resource} because no ${missing} allows the ${action} action`;
}

/** The refusal AWS words for an explicit deny. */
export function explicitlyDenied(user: string, action: string, resource: string, source = 'identity-based policy') {
  const article = /^[aeiou]/.test(source) ? 'an' : 'a';
  return `User: ${user} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in ${article} ${source}`;
}
