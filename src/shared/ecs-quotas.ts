/**
 * The ECS service quotas Berth enforces, with AWS's defaults; an operator may raise or lower them
 * (BERTH_ECS_QUOTAS, JSON). Each is refused with the error AWS gives when exceeded.
 */
export interface EcsQuotas {
  /** Tasks one RunTask (count) or StartTask (instances) may start. */
  readonly tasksPerRunTask: number;
  /** ACTIVE services in one cluster. */
  readonly servicesPerCluster: number;
  /** Placement constraints of one task (task definition's and the call's together). */
  readonly placementConstraints: number;
  /** Placement strategies of one call. */
  readonly placementStrategies: number;
}

export const DEFAULT_ECS_QUOTAS: EcsQuotas = {
  tasksPerRunTask: 10,
  servicesPerCluster: 5000,
  placementConstraints: 10,
  placementStrategies: 5,
};

/** Reads `{"servicesPerCluster": 100, ...}`; names not given keep AWS's default. Throws on anything else. */
export function parseEcsQuotas(text: string): EcsQuotas {
  let given: unknown;
  try {
    given = JSON.parse(text);
  } catch {
    throw new Error('must be a JSON object');
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new Error('must be a JSON object');
  const quotas: Record<string, number> = { ...DEFAULT_ECS_QUOTAS };
  for (const [name, value] of Object.entries(given)) {
    if (!(name in DEFAULT_ECS_QUOTAS)) {
      throw new Error(`unknown quota '${name}' (known: ${Object.keys(DEFAULT_ECS_QUOTAS).join(', ')})`);
    }
    if (!Number.isSafeInteger(value) || (value as number) < 1) throw new Error(`${name} must be a positive integer`);
    quotas[name] = value as number;
  }
  return quotas as unknown as EcsQuotas;
}
