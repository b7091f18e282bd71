import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import type {
  DescribeRegistryResponse,
  PutReplicationConfigurationRequest,
  PutReplicationConfigurationResponse,
  ReplicationConfiguration,
} from './shapes.generated.ts';

/**
 * The registry's replication configuration, stored and described. Berth does not replicate to other
 * registries yet, and the API has no place to say that a rule is inert, so a destination is refused
 * rather than stored to do nothing: this registry's own region and account as ECR refuses it (a
 * registry does not replicate to itself), any other with an error that says Berth cannot reach it.
 * What may be stored is therefore a configuration without destinations, which replicates nothing
 * in ECR as in Berth: it is how a configuration is cleared.
 */

const SETTING = 'replication-configuration';

function checkDestinations(configuration: ReplicationConfiguration, context: RequestContext): void {
  const destinations = configuration.rules.flatMap((rule, i) => rule.destinations.map((d) => ({ ...d, rule: i + 1 })));
  if (destinations.some((d) => d.region === context.region && d.registryId === context.accountId)) {
    throw new InvalidParameterException(
      "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Replication destination cannot be the same as the source registry'",
    );
  }
  const other = destinations[0];
  if (other) {
    throw new InvalidParameterException(
      `Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Berth does not replicate to other registries yet: rule ${other.rule} names registry ${other.registryId} in ${other.region}, which it cannot replicate to'`,
    );
  }
}

export async function putReplicationConfiguration(
  deps: { store: MetadataStore },
  input: PutReplicationConfigurationRequest,
  context: RequestContext,
): Promise<PutReplicationConfigurationResponse> {
  checkDestinations(input.replicationConfiguration, context);
  const configuration: ReplicationConfiguration = { rules: input.replicationConfiguration.rules };
  await deps.store.registrySettings.put(SETTING, configuration);
  return { replicationConfiguration: configuration };
}

export async function describeRegistry(
  deps: { store: MetadataStore },
  context: RequestContext,
): Promise<DescribeRegistryResponse> {
  const stored = (await deps.store.registrySettings.get(SETTING)) as ReplicationConfiguration | undefined;
  return { registryId: context.accountId, replicationConfiguration: stored ?? { rules: [] } };
}
