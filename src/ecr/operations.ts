import type { Clock } from '../shared/clock.ts';
import type { MetadataStore } from '../store/index.ts';
import { issuePassword, TOKEN_LIFETIME_MS, type TokenKey } from './authorization-tokens.ts';
import type { Registry } from './registry.ts';
import { createRepository, deleteRepository, describeRepositories } from './repositories.ts';
import type { EcrApi } from './shapes.generated.ts';

export interface EcrDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly registry: Registry;
  /** host[:port] of the registry (repository URIs, proxyEndpoint). */
  readonly registryHost: () => string;
  /** The key registry passwords are signed with. */
  readonly tokenKey: TokenKey;
}

/** The ECR operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function ecrOperations(deps: EcrDeps): Partial<EcrApi> {
  const repositoryDeps = { ...deps, uploads: deps.registry.uploads };
  return {
    CreateRepository: (input, context) => createRepository(repositoryDeps, input, context),
    DescribeRepositories: (input, context) => describeRepositories(repositoryDeps, input, context),
    DeleteRepository: (input, context) => deleteRepository(repositoryDeps, input, context),
    GetAuthorizationToken: async (_input, context) => {
      const expiresAt = new Date(deps.clock.now().getTime() + TOKEN_LIFETIME_MS);
      const password = issuePassword(deps.tokenKey, { accessKeyId: context.accessKeyId, expiresAt });
      return {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
            expiresAt,
            proxyEndpoint: `http://${deps.registryHost()}`,
          },
        ],
      };
    },
  };
}
