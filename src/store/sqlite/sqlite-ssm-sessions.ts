import { sql, type Kysely, type Selectable } from 'kysely';
import {
  ACTIVE_SESSION_STATUSES,
  type SsmSessionQuery,
  type SsmSessionRecord,
  type SsmSessionRepository,
  type SsmSessionStatus,
} from '../ssm-session-repository.ts';
import type { SsmSessionsTable, SsmSessionTables } from './sqlite-ssm-sessions-schema.ts';

const HISTORY: readonly SsmSessionStatus[] = ['Terminated', 'Failed'];

/** Session Manager sessions: one row each, listed newest first. */
export class SqliteSsmSessions implements SsmSessionRepository {
  readonly #db: Kysely<SsmSessionTables>;
  constructor(db: Kysely<SsmSessionTables>) {
    this.#db = db;
  }

  async insert(record: SsmSessionRecord): Promise<void> {
    await this.#db
      .insertInto('ssm_sessions')
      .values({
        session_id: record.sessionId,
        target: record.target,
        owner: record.owner,
        status: record.status,
        start_date: record.startDate.getTime(),
        end_date: record.endDate?.getTime() ?? null,
        document_name: record.documentName,
        details: JSON.stringify(record.details),
      })
      .execute();
  }

  async get(sessionId: string): Promise<SsmSessionRecord | undefined> {
    const row = await this.#db
      .selectFrom('ssm_sessions')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async transition(
    sessionId: string,
    change: { readonly from: readonly SsmSessionStatus[]; readonly status: SsmSessionStatus; readonly endDate?: Date },
  ): Promise<boolean> {
    if (change.from.length === 0) return false;
    const result = await this.#db
      .updateTable('ssm_sessions')
      .set({ status: change.status, ...(change.endDate ? { end_date: change.endDate.getTime() } : {}) })
      .where('session_id', '=', sessionId)
      .where('status', 'in', [...change.from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list(query: SsmSessionQuery): Promise<SsmSessionRecord[]> {
    const statuses = query.state === 'Active' ? ACTIVE_SESSION_STATUSES : HISTORY;
    const wanted = query.status === undefined ? statuses : statuses.filter((s) => s === query.status);
    if (wanted.length === 0) return [];
    let select = this.#db
      .selectFrom('ssm_sessions')
      .selectAll()
      .where('status', 'in', [...wanted])
      .orderBy('start_date', 'desc')
      .orderBy('session_id', 'desc')
      .limit(sql.lit(safeLimit(query.limit)));
    if (query.invokedAfter) select = select.where('start_date', '>=', query.invokedAfter.getTime());
    if (query.invokedBefore) select = select.where('start_date', '<', query.invokedBefore.getTime());
    if (query.target !== undefined) select = select.where('target', '=', query.target);
    if (query.owner !== undefined) select = select.where('owner', '=', query.owner);
    if (query.sessionId !== undefined) select = select.where('session_id', '=', query.sessionId);
    const after = query.after;
    if (after) {
      const at = after.startDate.getTime();
      select = select.where((eb) =>
        eb.or([eb('start_date', '<', at), eb.and([eb('start_date', '=', at), eb('session_id', '<', after.sessionId)])]),
      );
    }
    return (await select.execute()).map(fromRow);
  }

  async endLive(at: Date): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      const failed = await trx
        .updateTable('ssm_sessions')
        .set({ status: 'Failed', end_date: at.getTime() })
        .where('status', '=', 'Connecting')
        .executeTakeFirst();
      const terminated = await trx
        .updateTable('ssm_sessions')
        .set({ status: 'Terminated', end_date: at.getTime() })
        .where('status', 'in', ['Connected', 'Disconnected', 'Terminating'])
        .executeTakeFirst();
      return Number(failed.numUpdatedRows) + Number(terminated.numUpdatedRows);
    });
  }

  async deleteEndedBefore(before: Date): Promise<number> {
    const result = await this.#db
      .deleteFrom('ssm_sessions')
      .where('end_date', 'is not', null)
      .where('end_date', '<', before.getTime())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function safeLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid page limit ${limit}`);
  return limit;
}

function fromRow(row: Selectable<SsmSessionsTable>): SsmSessionRecord {
  return {
    sessionId: row.session_id,
    target: row.target,
    owner: row.owner,
    status: row.status as SsmSessionStatus,
    startDate: new Date(Number(row.start_date)),
    ...(row.end_date !== null ? { endDate: new Date(Number(row.end_date)) } : {}),
    documentName: row.document_name,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
