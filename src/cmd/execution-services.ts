import type { CredentialSource, ExecutionServices } from '../agent/index.ts';
import { httpEnvironmentFiles } from './environment-file-readers.ts';
import { httpLogSink } from './log-sinks.ts';
import { ecrRegistryCredentials } from './registry-credentials.ts';
import { httpSecretsApi } from './secrets-api.ts';
import type { ServerEndpoint } from './server-endpoints.ts';
import { signedJsonClient } from './signed-fetch.ts';

/**
 * What an agent does for a task as its execution role, over the server's APIs signed with the
 * role's session: ECR tokens for pulls, PutLogEvents for awslogs, GetObject for environment files,
 * GetSecretValue and GetParameters for secrets. Each is authorized as the role, so a permission
 * the role lacks stops the task with the service's own denial, as on ECS. `berth agent` and
 * managed capacity (calling its own server) alike.
 */
export function httpExecutionServices(options: {
  readonly endpoint: ServerEndpoint;
  readonly region: string;
  readonly credentials: CredentialSource;
  /** Every host[:port] the server's registry answers to (its images get the role's ECR token). */
  readonly registryHosts?: () => readonly string[];
}): ExecutionServices {
  const { endpoint, region, credentials } = options;
  const client = (service: string) => signedJsonClient({ endpoint, credentials, region, service });
  return {
    registryAuth: ecrRegistryCredentials(client('ecr'), credentials, {
      ...(options.registryHosts ? { hosts: options.registryHosts } : {}),
    }),
    logSink: httpLogSink(client('logs')),
    readEnvironmentFile: httpEnvironmentFiles({ endpoint, credentials, region }),
    secrets: httpSecretsApi((service) => client(service)),
  };
}
