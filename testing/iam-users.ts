import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { TestServer } from './server.ts';

/** An IAM user with one access key, made through the IAM API as the root; resolves with the key. */
export async function createUser(
  server: Pick<TestServer, 'url' | 'credentials'>,
  name: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  // IAM is global: the SDK signs it for us-east-1, whatever region the server serves.
  const iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
  try {
    await iam.send(new CreateUserCommand({ UserName: name }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}
