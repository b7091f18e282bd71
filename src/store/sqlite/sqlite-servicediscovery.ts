import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  CloudMapInstanceRecord,
  CloudMapNamespaceRecord,
  CloudMapOperationRecord,
  CloudMapServiceRecord,
  CloudMapWrite,
  ServiceDiscoveryRepository,
  StoredNamespace,
  StoredService,
} from '../servicediscovery-repository.ts';
import { sqliteDialect, type SqlDialect } from '../sql-dialect.ts';
import type { Database } from './schema.ts';
import type {
  ServiceDiscoveryInstancesTable,
  ServiceDiscoveryNamespacesTable,
  ServiceDiscoveryOperationsTable,
  ServiceDiscoveryServicesTable,
} from './sqlite-servicediscovery-schema.ts';

/** A change planned from a revision that is no longer the stored one, or a name taken meanwhile. */
class Conflict extends Error {}

/** How many expired operations one write deletes: the rest go with the next writes. */
const PRUNE_BATCH = 100;

/** Cloud Map in SQLite: each write one transaction, checked against the revisions it was planned from. */
export class SqliteServiceDiscovery implements ServiceDiscoveryRepository {
  readonly #db: Kysely<Database>;
  readonly #dialect: SqlDialect;
  constructor(db: Kysely<Database>, dialect: SqlDialect = sqliteDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async namespace(id: string): Promise<StoredNamespace | undefined> {
    const row = await this.#namespaces().where('n.id', '=', id).executeTakeFirst();
    return row && fromNamespaceRow(row);
  }

  async namespaceByName(nameKey: string): Promise<StoredNamespace | undefined> {
    const row = await this.#namespaces().where('n.name_key', '=', nameKey).executeTakeFirst();
    return row && fromNamespaceRow(row);
  }

  async namespaces(): Promise<StoredNamespace[]> {
    return (await this.#namespaces().orderBy('n.id').execute()).map(fromNamespaceRow);
  }

  async service(id: string): Promise<StoredService | undefined> {
    const row = await this.#services().where('s.id', '=', id).executeTakeFirst();
    return row && fromServiceRow(row);
  }

  async serviceByName(namespaceId: string, nameKey: string): Promise<StoredService | undefined> {
    const row = await this.#services()
      .where('s.namespace_id', '=', namespaceId)
      .where('s.name_key', '=', nameKey)
      .executeTakeFirst();
    return row && fromServiceRow(row);
  }

  async services(namespaceId?: string): Promise<StoredService[]> {
    let select = this.#services().orderBy('s.id');
    if (namespaceId !== undefined) select = select.where('s.namespace_id', '=', namespaceId);
    return (await select.execute()).map(fromServiceRow);
  }

  async instance(serviceId: string, id: string): Promise<CloudMapInstanceRecord | undefined> {
    const row = await this.#db
      .selectFrom('servicediscovery_instances')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromInstanceRow(row);
  }

  async instances(serviceIds: string | readonly string[]): Promise<CloudMapInstanceRecord[]> {
    const ids = typeof serviceIds === 'string' ? [serviceIds] : serviceIds;
    if (ids.length === 0) return [];
    const rows = await this.#db
      .selectFrom('servicediscovery_instances')
      .selectAll()
      .where('service_id', 'in', ids)
      .orderBy('service_id')
      .orderBy('id')
      .execute();
    return rows.map(fromInstanceRow);
  }

  async operation(id: string): Promise<CloudMapOperationRecord | undefined> {
    const row = await this.#db
      .selectFrom('servicediscovery_operations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromOperationRow(row);
  }

  async operationByRequest(requestKey: string): Promise<CloudMapOperationRecord | undefined> {
    const row = await this.#db
      .selectFrom('servicediscovery_operations')
      .selectAll()
      .where('request_key', '=', requestKey)
      .executeTakeFirst();
    return row && fromOperationRow(row);
  }

  async operations(page: {
    after?: { createdAt: Date; id: string };
    limit: number;
  }): Promise<CloudMapOperationRecord[]> {
    let select = this.#db
      .selectFrom('servicediscovery_operations')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(sql.lit(safeLimit(page.limit)));
    const after = page.after;
    if (after) {
      const at = after.createdAt.getTime();
      select = select.where((eb) =>
        eb.or([eb('created_at', '>', at), eb.and([eb('created_at', '=', at), eb('id', '>', after.id)])]),
      );
    }
    return (await select.execute()).map(fromOperationRow);
  }

  async revision(): Promise<number> {
    const row = await this.#db
      .selectFrom('servicediscovery_state')
      .select('revision')
      .where('id', '=', 1)
      .executeTakeFirst();
    return Number(row?.revision ?? 0);
  }

  async write(change: CloudMapWrite): Promise<boolean> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        for (const namespace of change.namespaces ?? []) await writeNamespace(trx, namespace);
        for (const service of change.services ?? []) await writeService(trx, service);
        for (const instance of change.instances ?? []) await writeInstance(trx, instance);
        for (const operation of change.operations ?? []) await writeOperation(trx, operation);
        if (change.pruneOperationsBefore) await pruneOperations(trx, change.pruneOperationsBefore);
        await trx
          .updateTable('servicediscovery_state')
          .set((eb) => ({ revision: eb('revision', '+', 1) }))
          .where('id', '=', 1)
          .execute();
      });
      return true;
    } catch (error) {
      if (error instanceof Conflict || this.#dialect.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  #namespaces() {
    return this.#db
      .selectFrom('servicediscovery_namespaces as n')
      .selectAll('n')
      .select((eb) =>
        eb
          .selectFrom('servicediscovery_services as s')
          .select(eb.fn.countAll<number>().as('count'))
          .whereRef('s.namespace_id', '=', 'n.id')
          .as('service_count'),
      );
  }

  #services() {
    return this.#db
      .selectFrom('servicediscovery_services as s')
      .selectAll('s')
      .select((eb) =>
        eb
          .selectFrom('servicediscovery_instances as i')
          .select(eb.fn.countAll<number>().as('count'))
          .whereRef('i.service_id', '=', 's.id')
          .as('instance_count'),
      );
  }
}

async function expectRevision(
  trx: Transaction<Database>,
  table: 'servicediscovery_namespaces' | 'servicediscovery_services',
  id: string,
  expected: number | undefined,
): Promise<number> {
  const stored = await trx.selectFrom(table).select('revision').where('id', '=', id).executeTakeFirst();
  const revision = stored === undefined ? undefined : Number(stored.revision);
  if (revision !== expected) throw new Conflict();
  return revision ?? 0;
}

async function writeNamespace(
  trx: Transaction<Database>,
  change: NonNullable<CloudMapWrite['namespaces']>[number],
): Promise<void> {
  const revision = await expectRevision(trx, 'servicediscovery_namespaces', change.id, change.expectRevision);
  if (!change.next) {
    await trx.deleteFrom('servicediscovery_namespaces').where('id', '=', change.id).execute();
    return;
  }
  const { id, ...rest } = toNamespaceRow(change.next, revision + 1);
  await trx
    .insertInto('servicediscovery_namespaces')
    .values({ id, ...rest })
    .onConflict((oc) => oc.column('id').doUpdateSet(rest))
    .execute();
}

async function writeService(
  trx: Transaction<Database>,
  change: NonNullable<CloudMapWrite['services']>[number],
): Promise<void> {
  const revision = await expectRevision(trx, 'servicediscovery_services', change.id, change.expectRevision);
  if (!change.next) {
    await trx.deleteFrom('servicediscovery_services').where('id', '=', change.id).execute();
    return;
  }
  const { id, ...rest } = toServiceRow(change.next, revision + 1);
  await trx
    .insertInto('servicediscovery_services')
    .values({ id, ...rest })
    .onConflict((oc) => oc.column('id').doUpdateSet(rest))
    .execute();
}

async function writeInstance(
  trx: Transaction<Database>,
  change: NonNullable<CloudMapWrite['instances']>[number],
): Promise<void> {
  if (!change.next) {
    await trx
      .deleteFrom('servicediscovery_instances')
      .where('service_id', '=', change.serviceId)
      .where('id', '=', change.id)
      .execute();
    return;
  }
  const row = toInstanceRow(change.next);
  await trx
    .insertInto('servicediscovery_instances')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['service_id', 'id']).doUpdateSet({ health: row.health, updated_at: row.updated_at, body: row.body }),
    )
    .execute();
}

async function writeOperation(trx: Transaction<Database>, operation: CloudMapOperationRecord): Promise<void> {
  const row = toOperationRow(operation);
  await trx
    .insertInto('servicediscovery_operations')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ updated_at: row.updated_at, body: row.body }))
    .execute();
}

async function pruneOperations(trx: Transaction<Database>, before: Date): Promise<void> {
  const expired = trx
    .selectFrom('servicediscovery_operations')
    .select('id')
    .where('updated_at', '<', before.getTime())
    .limit(sql.lit(PRUNE_BATCH));
  await trx.deleteFrom('servicediscovery_operations').where('id', 'in', expired).execute();
}

function safeLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid page limit ${limit}`);
  return limit;
}

function toNamespaceRow(record: CloudMapNamespaceRecord, revision: number): ServiceDiscoveryNamespacesTable {
  return {
    id: record.id,
    arn: record.arn,
    name: record.name,
    name_key: record.nameKey,
    type: record.type,
    revision,
    created_at: record.createdAt.getTime(),
    details: JSON.stringify(record.details),
  };
}

function fromNamespaceRow(
  row: Selectable<ServiceDiscoveryNamespacesTable> & { service_count: number | null },
): StoredNamespace {
  return {
    id: row.id,
    arn: row.arn,
    name: row.name,
    nameKey: row.name_key,
    type: row.type as StoredNamespace['type'],
    revision: Number(row.revision),
    createdAt: new Date(Number(row.created_at)),
    details: JSON.parse(row.details) as StoredNamespace['details'],
    serviceCount: Number(row.service_count ?? 0),
  };
}

function toServiceRow(record: CloudMapServiceRecord, revision: number): ServiceDiscoveryServicesTable {
  return {
    id: record.id,
    arn: record.arn,
    namespace_id: record.namespaceId,
    name: record.name,
    name_key: record.nameKey,
    revision,
    created_at: record.createdAt.getTime(),
    details: JSON.stringify(record.details),
  };
}

function fromServiceRow(
  row: Selectable<ServiceDiscoveryServicesTable> & { instance_count: number | null },
): StoredService {
  return {
    id: row.id,
    arn: row.arn,
    namespaceId: row.namespace_id,
    name: row.name,
    nameKey: row.name_key,
    revision: Number(row.revision),
    createdAt: new Date(Number(row.created_at)),
    details: JSON.parse(row.details) as StoredService['details'],
    instanceCount: Number(row.instance_count ?? 0),
  };
}

function toInstanceRow(record: CloudMapInstanceRecord): ServiceDiscoveryInstancesTable {
  return {
    service_id: record.serviceId,
    id: record.id,
    health: record.health,
    created_at: record.createdAt.getTime(),
    updated_at: record.updatedAt.getTime(),
    body: JSON.stringify({
      attributes: record.attributes,
      ...(record.creatorRequestId !== undefined ? { creatorRequestId: record.creatorRequestId } : {}),
    }),
  };
}

function fromInstanceRow(row: Selectable<ServiceDiscoveryInstancesTable>): CloudMapInstanceRecord {
  const body = JSON.parse(row.body) as { attributes: Record<string, string>; creatorRequestId?: string };
  return {
    serviceId: row.service_id,
    id: row.id,
    attributes: body.attributes,
    ...(body.creatorRequestId !== undefined ? { creatorRequestId: body.creatorRequestId } : {}),
    health: row.health as CloudMapInstanceRecord['health'],
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function toOperationRow(record: CloudMapOperationRecord): ServiceDiscoveryOperationsTable {
  const { id, requestKey, createdAt, updatedAt, ...body } = record;
  return {
    id,
    request_key: requestKey ?? null,
    created_at: createdAt.getTime(),
    updated_at: updatedAt.getTime(),
    body: JSON.stringify(body),
  };
}

function fromOperationRow(row: Selectable<ServiceDiscoveryOperationsTable>): CloudMapOperationRecord {
  const body = JSON.parse(row.body) as Omit<CloudMapOperationRecord, 'id' | 'requestKey' | 'createdAt' | 'updatedAt'>;
  return {
    id: row.id,
    ...body,
    ...(row.request_key !== null ? { requestKey: row.request_key } : {}),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
