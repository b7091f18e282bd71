import type { CredentialSource } from '../agent/index.ts';
import { endpointServers, type ServerEndpoint } from './server-endpoints.ts';
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
    // With the registry's names known, an image elsewhere costs no token (nor the permission for one).
    if (options.hosts && !options.hosts().includes(image.split('/')[0]!)) return undefined;
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

/**
 * The names a `berth agent` knows its server's registry by: the server's own host, its loopback
 * twins, and the proxy endpoint an ECR token names (asked once, with the agent's identity; if that
 * fails, the others do). Images elsewhere get no ECR token, as the ECS agent tells ECR images by name.
 */
export async function serverRegistryHosts(
  call: ReturnType<typeof signedJsonClient>,
  endpoint: ServerEndpoint,
  log: { warn(obj: object, msg: string): void },
): Promise<string[]> {
  const hosts = new Set<string>();
  for (const server of endpointServers(endpoint)) {
    hosts.add(server.host);
    if (['127.0.0.1', 'localhost'].includes(server.hostname)) {
      for (const name of ['127.0.0.1', 'localhost']) hosts.add(`${name}:${server.port || '80'}`);
    }
  }
  try {
    const { authorizationData } = await call<{ authorizationData: AuthorizationData[] }>(
      '/',
      {},
      {
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
        'content-type': 'application/x-amz-json-1.1',
      },
    );
    const proxy = authorizationData[0]?.proxyEndpoint;
    if (proxy) hosts.add(new URL(proxy).host);
  } catch (error) {
    log.warn({ err: String(error) }, "cannot learn the registry's name: images are matched by the server's host");
  }
  return [...hosts];
}
