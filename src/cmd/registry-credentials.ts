import type { CredentialSource } from '../agent/index.ts';
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
 * before it expires. A token made with a role session works only as long as the session does, so
 * a new session (the agent's credentials renewed) means a new token, as the ECS agent keys its
 * token cache by the credentials it used. Images from any other registry (not the proxy endpoint's
 * host nor one of `hosts`, the other names of the same registry) are pulled anonymously.
 */
export function ecrRegistryCredentials(
  call: ReturnType<typeof signedJsonClient>,
  credentials: CredentialSource,
  options: { readonly hosts?: () => readonly string[] } = {},
) {
  let cached: { host: string; username: string; password: string; renewAt: number; keyId: string } | undefined;
  return async (image: string): Promise<RegistryCredentials | undefined> => {
    const { accessKeyId } = await credentials.current();
    if (!cached || Date.now() >= cached.renewAt || cached.keyId !== accessKeyId) {
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
        keyId: accessKeyId,
      };
    }
    const host = image.split('/')[0]!;
    if (host !== cached.host && !options.hosts?.().includes(host)) return undefined;
    return { username: cached.username, password: cached.password, serveraddress: host };
  };
}
