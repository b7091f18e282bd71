import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { TestServer } from './server.ts';

/** `berth iam create-user`, as an operator runs it with the root keys; resolves with the new keys. */
export function createUser(
  server: TestServer,
  name: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(import.meta.dirname, '..', 'bin', 'berth.js'),
        'iam',
        'create-user',
        '--user-name',
        name,
        '--endpoint',
        server.url,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        },
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(stderr));
        const key = (JSON.parse(stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } }).AccessKey;
        resolve({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
      },
    );
  });
}
