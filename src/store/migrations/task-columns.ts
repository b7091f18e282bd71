/** The columns that copy a task body's fields the service scheduler reads (tasks table, 0010). */
export interface TaskSchedulingColumns {
  started_at: number | null;
  health_status: string | null;
  /** Each container's healthStatus ('' for none) followed by ';': '' for no containers, ';' for one unchecked. */
  container_health: string;
}

export function taskSchedulingColumns(body: Readonly<Record<string, unknown>>): TaskSchedulingColumns {
  const containers = (body.containers ?? []) as { healthStatus?: string }[];
  return {
    started_at: typeof body.startedAt === 'number' ? body.startedAt : null,
    health_status: typeof body.healthStatus === 'string' ? body.healthStatus : null,
    container_health: containers.map((c) => `${c.healthStatus ?? ''};`).join(''),
  };
}

/** The containers' health statuses back from container_health, as the body has them. */
export function containerHealthOf(column: string): { healthStatus?: string }[] {
  return column
    .split(';')
    .slice(0, -1)
    .map((health) => (health === '' ? {} : { healthStatus: health }));
}
