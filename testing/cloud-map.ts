import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { aws } from './aws-cli.ts';
import type { TestServer } from './server.ts';

/** Polls `probe` every 250 ms until it answers something, failing after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * The AWS CLI v2 against a test server as its root, answering parsed JSON. DiscoverInstances' host
 * prefix ("data-") goes on the URL's user part, which the CLI does not send.
 */
export function cloudMapCli(server: () => TestServer) {
  return async <T>(...args: string[]): Promise<T> => {
    const { url, credentials } = server();
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const endpoint = url.replace('http://', 'http://berth@');
    const result = await aws(['--endpoint-url', endpoint, '--output', 'json', ...args], env);
    assert.equal(result.code, 0, `aws ${args.join(' ')}: ${result.stderr}`);
    return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
  };
}

/** Creates a private DNS namespace and waits for its operation: resolves with the namespace's id. */
export async function createPrivateNamespace(cli: ReturnType<typeof cloudMapCli>, name: string): Promise<string> {
  const { OperationId } = await cli<{ OperationId: string }>(
    ...['servicediscovery', 'create-private-dns-namespace', '--name', name, '--vpc', 'vpc-berth'],
  );
  return waitFor('the namespace', async () => {
    const { Operation } = await cli<{ Operation: { Status: string; Targets: { NAMESPACE?: string } } }>(
      ...['servicediscovery', 'get-operation', '--operation-id', OperationId],
    );
    return Operation.Status === 'SUCCESS' ? Operation.Targets.NAMESPACE : undefined;
  });
}
