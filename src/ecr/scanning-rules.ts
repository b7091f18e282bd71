import { compileWildcard } from '../shared/wildcard.ts';
import type { RegistryScanningConfiguration, ScanFrequency, ScanningRepositoryFilter } from './shapes.generated.ts';

/**
 * Which registry scanning rule applies to a repository (pure). ECR's user guide ("Filters to choose
 * which repositories are scanned"): a filter without a wildcard matches every repository name that
 * contains it; a filter with `*` matches a name where each star stands for zero or more characters.
 * A repository no filter matches is scanned manually; when filters of several frequencies match,
 * continuous scanning wins over scan on push.
 */

export interface RepositoryScanning {
  readonly scanFrequency: ScanFrequency;
  /** The matching filters of the rule that applies. */
  readonly appliedScanFilters: ScanningRepositoryFilter[];
}

/** What a registry without a scanning configuration has: basic scanning, no rules. */
export const DEFAULT_SCANNING_CONFIGURATION = { scanType: 'BASIC', rules: [] } as const;

const PRECEDENCE: readonly ScanFrequency[] = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL'];

/** Whether a WILDCARD filter covers a repository name (linear time: no RegExp from the filter). */
export function scanningFilterMatches(filter: string, repositoryName: string): boolean {
  const pattern = filter.includes('*') ? filter : `*${filter}*`;
  return compileWildcard(pattern).test(repositoryName);
}

export function repositoryScanning(
  configuration: RegistryScanningConfiguration,
  repositoryName: string,
): RepositoryScanning {
  const rules = configuration.rules ?? [];
  for (const scanFrequency of PRECEDENCE) {
    const appliedScanFilters = rules
      .filter((rule) => rule.scanFrequency === scanFrequency)
      .flatMap((rule) => rule.repositoryFilters.filter((f) => scanningFilterMatches(f.filter, repositoryName)));
    if (appliedScanFilters.length > 0) return { scanFrequency, appliedScanFilters };
  }
  return { scanFrequency: 'MANUAL', appliedScanFilters: [] };
}
