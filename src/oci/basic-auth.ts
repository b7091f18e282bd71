import { checkPassword, RegistryError, type TokenKey } from '../ecr/index.ts';
import type { SecretLookup } from '../aws-protocol/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { RegistryPrincipal } from './registry-http.ts';

export interface BasicAuthOptions {
  readonly tokenKey: TokenKey;
  /** Whether an access key still exists (a token dies with the key that asked for it). */
  readonly secrets: SecretLookup;
  readonly clock: Clock;
}

/**
 * ECR's registry authentication: `Authorization: Basic base64(AWS:<password>)`, the password from
 * GetAuthorizationToken. Missing or bad credentials are UNAUTHORIZED (401, with a Basic challenge);
 * an expired token is DENIED with ECR's message.
 */
export function basicAuthenticator(
  options: BasicAuthOptions,
): (authorization: string | undefined) => RegistryPrincipal {
  return (authorization) => {
    if (authorization === undefined || !/^basic /i.test(authorization)) {
      throw new RegistryError(
        'UNAUTHORIZED',
        'authentication required: docker login with a password from aws ecr get-login-password',
      );
    }
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    if (user !== 'AWS' || colon === -1) throw new RegistryError('UNAUTHORIZED', "the user name must be 'AWS'");
    const check = checkPassword(options.tokenKey, decoded.slice(colon + 1), options.clock.now());
    if (!check.ok) {
      if (check.reason === 'expired') {
        throw new RegistryError('DENIED', 'Your authorization token has expired. Reauthenticate and try again.');
      }
      throw new RegistryError('UNAUTHORIZED', 'invalid authorization token');
    }
    // Resolved on every request: a password made with temporary credentials ends with their session.
    const session = options.secrets.sessionOf?.(check.claims.accessKeyId);
    if (session !== undefined && options.clock.now().getTime() >= session.expiresAt.getTime()) {
      throw new RegistryError('DENIED', 'Your authorization token has expired. Reauthenticate and try again.');
    }
    const principal = options.secrets.principalOf(check.claims.accessKeyId);
    if (principal === undefined) {
      throw new RegistryError('UNAUTHORIZED', 'the access key this token was issued to no longer exists');
    }
    return { accessKeyId: check.claims.accessKeyId, arn: principal.arn };
  };
}
