import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore, RepositoryRecord } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import { DEFAULT_SCANNING_CONFIGURATION, repositoryScanning } from './scanning-rules.ts';
import type {
  BatchGetRepositoryScanningConfigurationRequest,
  BatchGetRepositoryScanningConfigurationResponse,
  GetRegistryScanningConfigurationResponse,
  PutRegistryScanningConfigurationRequest,
  PutRegistryScanningConfigurationResponse,
  RegistryScanningConfiguration,
  RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure,
} from './shapes.generated.ts';

/**
 * The registry's scanning configuration. Berth scans with its placeholder scanner (scans.ts), so
 * it takes BASIC scanning, whose rules it acts on: an image pushed to a repository a SCAN_ON_PUSH
 * filter matches is scanned on push, as is one pushed to a repository with its own scanOnPush.
 * ENHANCED scanning is Amazon Inspector's, which Berth does not have: it is refused, not stored.
 */

const SETTING = 'scanning-configuration';

export async function registryScanningConfiguration(store: MetadataStore): Promise<RegistryScanningConfiguration> {
  const stored = (await store.registrySettings.get(SETTING)) as RegistryScanningConfiguration | undefined;
  return stored ?? { scanType: DEFAULT_SCANNING_CONFIGURATION.scanType, rules: [] };
}

/** Whether an image pushed to the repository is scanned on push. */
export async function scansOnPush(store: MetadataStore, repository: RepositoryRecord): Promise<boolean> {
  const own = (repository.details as { imageScanningConfiguration?: { scanOnPush?: boolean } })
    .imageScanningConfiguration?.scanOnPush;
  if (own) return true;
  return (
    repositoryScanning(await registryScanningConfiguration(store), repository.name).scanFrequency === 'SCAN_ON_PUSH'
  );
}

function checkScanningConfiguration(configuration: Required<RegistryScanningConfiguration>): void {
  if (configuration.scanType === 'ENHANCED') {
    throw new InvalidParameterException(
      "Invalid parameter at 'scanType' failed to satisfy constraint: 'ENHANCED scanning is Amazon Inspector's, which Berth does not have: use BASIC'",
    );
  }
  for (const [i, rule] of configuration.rules.entries()) {
    if (rule.scanFrequency === 'CONTINUOUS_SCAN') {
      throw new InvalidParameterException(
        `Invalid parameter at 'rules.${i + 1}.member.scanFrequency' failed to satisfy constraint: 'BASIC scanning supports SCAN_ON_PUSH and MANUAL; CONTINUOUS_SCAN needs ENHANCED scanning'`,
      );
    }
  }
}

export async function putRegistryScanningConfiguration(
  deps: { store: MetadataStore },
  input: PutRegistryScanningConfigurationRequest,
): Promise<PutRegistryScanningConfigurationResponse> {
  const configuration = {
    scanType: input.scanType ?? DEFAULT_SCANNING_CONFIGURATION.scanType,
    rules: input.rules ?? [],
  };
  checkScanningConfiguration(configuration);
  await deps.store.registrySettings.put(SETTING, configuration);
  return { registryScanningConfiguration: configuration };
}

export async function getRegistryScanningConfiguration(
  deps: { store: MetadataStore },
  context: RequestContext,
): Promise<GetRegistryScanningConfigurationResponse> {
  return { registryId: context.accountId, scanningConfiguration: await registryScanningConfiguration(deps.store) };
}

export async function batchGetRepositoryScanningConfiguration(
  deps: { store: MetadataStore },
  input: BatchGetRepositoryScanningConfigurationRequest,
  context: RequestContext,
): Promise<BatchGetRepositoryScanningConfigurationResponse> {
  const configuration = await registryScanningConfiguration(deps.store);
  const found = new Map((await deps.store.repositories.getByNames(input.repositoryNames)).map((r) => [r.name, r]));
  const scanningConfigurations: RepositoryScanningConfiguration[] = [];
  const failures: RepositoryScanningConfigurationFailure[] = [];
  for (const name of new Set(input.repositoryNames)) {
    const record = found.get(name);
    if (!record) {
      failures.push({
        repositoryName: name,
        failureCode: 'REPOSITORY_NOT_FOUND',
        failureReason: `The repository with name '${name}' does not exist in the registry with id '${context.accountId}'`,
      });
      continue;
    }
    const details = record.details as { imageScanningConfiguration?: { scanOnPush?: boolean } };
    scanningConfigurations.push({
      repositoryArn: record.arn,
      repositoryName: record.name,
      scanOnPush: details.imageScanningConfiguration?.scanOnPush ?? false,
      ...repositoryScanning(configuration, record.name),
    });
  }
  return { scanningConfigurations, failures };
}
