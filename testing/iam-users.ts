import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { TestServer } from './server.ts';

/** A policy statement for `allowing`: Allow the actions on every resource. */
export function allowStatement(...actions: string[]): object {
  return { Effect: 'Allow', Action: actions, Resource: '*' };
}

/**
 * An IAM user with one access key, made through the IAM API as the root; resolves with the key.
 * `statements` become the user's inline policy (none: the user may do nothing).
 */
export async function createUser(
  server: Pick<TestServer, 'url' | 'credentials'>,
  name: string,
  options: { statements?: readonly object[] } = {},
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  // IAM is global: the SDK signs it for us-east-1, whatever region the server serves.
  const iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
  try {
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (options.statements?.length)
      await iam.send(
        new PutUserPolicyCommand({
          UserName: name,
          PolicyName: 'inline',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: options.statements }),
        }),
      );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}
