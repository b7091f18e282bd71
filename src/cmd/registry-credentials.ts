import type { signedJsonClient } from './signed-fetch.ts';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

interface AuthorizationData {
  authorizationToken: string;
  expiresAt: number;
  proxyEndpoint: string;
}

/**
 * Credentials for images in the server's own registry, as an ECS agent gets them: an ECR
 * authorization token (GetAuthorizationToken, signed with the agent's keys), cached until an hour
 * before it expires. Images from any other registry are pulled anonymously (undefined).
 */
export function ecrRegistryCredentials(call: ReturnType<typeof signedJsonClient>) {
  let cached: { host: string; username: string; password: string; renewAt: number } | undefined;
  return async (image: string): Promise<RegistryCredentials | undefined> => {
    if (!cached || Date.now() >= cached.renewAt) {
      const { authorizationData } = await call<{ authorizationData: AuthorizationData[] }>(
        '/',
        {},
        {
          'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
          'content-type': 'application/x-amz-json-1.1',
        },
      );
      const data = authorizationData[0]!;
      const [username, password] = Buffer.from(data.authorizationToken, 'base64').toString('utf8').split(':');
      cached = {
        host: new URL(data.proxyEndpoint).host,
        username: username!,
        password: password!,
        renewAt: data.expiresAt * 1000 - 3_600_000,
      };
    }
    const host = image.split('/')[0]!;
    if (host !== cached.host) return undefined;
    return { username: cached.username, password: cached.password, serveraddress: host };
  };
}
