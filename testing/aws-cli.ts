import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The AWS CLI v2 from Debian's awscli package. Other `aws` binaries on PATH (a pyenv CLI v1, say)
 * are not what we test against. In CI it must exist: a missing CLI fails instead of skipping.
 */
export const AWS_CLI = ['/usr/bin/aws', '/usr/local/bin/aws'].find((path) => existsSync(path));

export function awsCliSkipReason(): string | false {
  if (AWS_CLI) return false;
  if (process.env.CI === 'true') throw new Error('CI=true but the AWS CLI v2 (/usr/bin/aws) is not installed');
  return 'AWS CLI v2 not installed (apt-get install awscli)';
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function aws(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(AWS_CLI!, [...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AWS_PAGER: '',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        ...env,
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * The CLI pointed at a test server for one service, as its root: `run(...args)` gives the raw
 * result, `json(...args)` asserts success and parses the output.
 */
export function awsCliFor(
  server: { url: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  service: 'ecs' | 'ecr' | 'logs' | 'elbv2' | 's3' | 's3api' | 'cloudwatch' | 'application-autoscaling',
) {
  const env = {
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const run = (...args: string[]) => aws(['--endpoint-url', server.url, '--output', 'json', service, ...args], env);
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await run(...args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout || '{}') as T;
  };
  return { run, json };
}
