import type { IncomingMessage } from 'node:http';
import { isPresigned, verifySignature, type SecretLookup } from '../aws-protocol/index.ts';
import { RegistryError, type TokenKey } from '../ecr/index.ts';
import { AwsError } from '../shared/aws-error.ts';
import type { Clock } from '../shared/clock.ts';
import { basicAuthenticator } from './basic-auth.ts';
import type { RegistryPrincipal } from './registry-http.ts';

export interface RegistryAuthOptions {
  readonly tokenKey: TokenKey;
  readonly secrets: SecretLookup;
  readonly clock: Clock;
  readonly region: string;
}

/**
 * Who calls the registry: Basic `AWS:<token>` as docker sends it, or a SigV4-presigned URL (what
 * GetDownloadUrlForLayer hands out), which only reads.
 */
export function registryAuthenticator(options: RegistryAuthOptions) {
  const basic = basicAuthenticator(options);
  return async (request: IncomingMessage, path: string, query: URLSearchParams): Promise<RegistryPrincipal> => {
    const params = Object.fromEntries(query);
    const signed = {
      method: request.method ?? 'GET',
      path,
      query: params,
      headers: request.headers as Record<string, string>,
      body: undefined,
    };
    if (!isPresigned(signed)) return basic(request.headers.authorization);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      throw new RegistryError('DENIED', 'a presigned URL only reads');
    try {
      const caller = await verifySignature(signed, {
        secrets: options.secrets,
        clock: options.clock,
        region: options.region,
        service: 'ecr',
      });
      return {
        accessKeyId: caller.accessKeyId,
        arn: options.secrets.principalOf(caller.accessKeyId)?.arn ?? 'unknown',
      };
    } catch (error) {
      if (error instanceof AwsError) throw new RegistryError('DENIED', `${error.code}: ${error.message}`);
      throw error;
    }
  };
}
