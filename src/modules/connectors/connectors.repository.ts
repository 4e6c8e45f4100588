import { sql, type Generated, type Selectable, type Updateable } from 'kysely';
import type { Database, Executor } from '../../core/db/database.js';
import type { TargetColumn } from './connectors.rows.js';

export type RunStatus = 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed';
export type RunTrigger = 'schedule' | 'manual';
export type LoadMode = 'replace' | 'upsert';

export interface RunError {
  code: string;
  message: string;
  messageZh: string;
}

declare module '../../core/db/database.js' {
  interface Database {
    connectors: {
      id: Generated<string>;
      resource_id: string;
      provider_id: string;
      name: string;
      kind: string;
      config: object;
      resource_columns: TargetColumn[];
      secret_sealed: string | null;
      interval_minutes: number | null;
      mode: LoadMode;
      max_errors: number;
      max_attempts: number;
      enabled: boolean;
      watermark: string | null;
      config_version: Generated<number>;
      next_run_at: Date | null;
      created_by: string | null;
      created_at: Date;
      updated_at: Date;
    };
    connector_runs: {
      id: Generated<string>;
      seq: Generated<number>;
      connector_id: string;
      job_id: string | null;
      trigger: RunTrigger;
      requested_by: string | null;
      attempt: Generated<number>;
      status: RunStatus;
      queued_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
      next_retry_at: Date | null;
      rows_read: number | null;
      load_id: string | null;
      inserted: number | null;
      updated: number | null;
      rejected: number | null;
      watermark_from: string | null;
      watermark_to: string | null;
      watermark_held: RunError | null;
      error: RunError | null;
    };
  }
}

export type ConnectorRow = Selectable<Database['connectors']>;
export type RunRow = Selectable<Database['connector_runs']>;
export type ConnectorPatch = Updateable<Database['connectors']>;
export type RunPatch = Updateable<Database['connector_runs']>;

const json = <T>(value: T): T => JSON.stringify(value) as unknown as T;

export async function insertConnector(
  db: Executor,
  row: Omit<ConnectorRow, 'id' | 'config_version' | 'watermark'>,
): Promise<ConnectorRow> {
  return db
    .insertInto('connectors')
    .values({ ...row, config: json(row.config), resource_columns: json(row.resource_columns), watermark: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findConnector(db: Executor, id: string): Promise<ConnectorRow | undefined> {
  return db.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockConnector(db: Executor, id: string): Promise<ConnectorRow | undefined> {
  return db.selectFrom('connectors').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function nameTaken(db: Executor, resourceId: string, name: string, except?: string): Promise<boolean> {
  let q = db.selectFrom('connectors').select('id').where('resource_id', '=', resourceId).where('name', '=', name);
  if (except) q = q.where('id', '<>', except);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function updateConnector(db: Executor, id: string, patch: ConnectorPatch): Promise<ConnectorRow> {
  const { config, resource_columns: columns, ...rest } = patch;
  return db
    .updateTable('connectors')
    .set({ ...rest, ...(config === undefined ? {} : { config: json(config) }), ...(columns === undefined ? {} : { resource_columns: json(columns) }) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteConnector(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('connectors').where('id', '=', id).execute();
}

export async function listConnectors(
  db: Executor,
  filter: { resourceId?: string | undefined; providerId?: string | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: ConnectorRow[]; total: number }> {
  let q = db.selectFrom('connectors');
  if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
  if (filter.providerId) q = q.where('provider_id', '=', filter.providerId);
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute();
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/**
 * Claims enabled connectors whose next run is due and moves their next run on, in the caller's
 * transaction. Rows another replica's scheduler holds are skipped (SKIP LOCKED); the condition is
 * checked again on the locked row, so a connector is scheduled once per due time.
 */
export async function claimDueConnectors(db: Executor, now: Date, limit: number): Promise<ConnectorRow[]> {
  const { rows } = await sql<ConnectorRow>`
    update connectors c
    set next_run_at = ${now}::timestamptz + make_interval(mins => c.interval_minutes)
    where c.id in (
      select id from connectors
      where enabled and next_run_at <= ${now} and interval_minutes is not null
      order by next_run_at, id
      limit ${limit}
      for update skip locked
    ) and c.enabled and c.next_run_at <= ${now}
    returning c.*`.execute(db);
  return rows;
}

// ---- runs

export async function insertRun(db: Executor, row: { connector_id: string; job_id: string; trigger: RunTrigger; requested_by: string | null; queued_at: Date }): Promise<RunRow> {
  return db.insertInto('connector_runs').values({ ...row, status: 'queued' }).returningAll().executeTakeFirstOrThrow();
}

export async function lockRunOfJob(db: Executor, jobId: string): Promise<RunRow | undefined> {
  return db.selectFrom('connector_runs').selectAll().where('job_id', '=', jobId).forUpdate().executeTakeFirst();
}

export async function updateRun(db: Executor, id: string, patch: RunPatch): Promise<RunRow> {
  const { error, watermark_held: held, ...rest } = patch;
  return db
    .updateTable('connector_runs')
    .set({
      ...rest,
      ...(error === undefined ? {} : { error: error === null ? null : json(error) }),
      ...(held === undefined ? {} : { watermark_held: held === null ? null : json(held) }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The run queued or under way, if any. */
export async function activeRun(db: Executor, connectorId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('connector_runs')
    .selectAll()
    .where('connector_id', '=', connectorId)
    .where('status', 'in', ['queued', 'running', 'retrying'])
    .orderBy('seq', 'desc')
    .executeTakeFirst();
}

export async function listRuns(db: Executor, connectorId: string, page: { offset: number; limit: number }): Promise<{ rows: RunRow[]; total: number }> {
  const rows = await db
    .selectFrom('connector_runs')
    .selectAll()
    .where('connector_id', '=', connectorId)
    .orderBy('seq', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  const total = await db.selectFrom('connector_runs').select((eb) => eb.fn.countAll<number>().as('n')).where('connector_id', '=', connectorId).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/** The latest run of each connector. */
export async function latestRuns(db: Executor, connectorIds: readonly string[]): Promise<Map<string, RunRow>> {
  if (connectorIds.length === 0) return new Map();
  const { rows } = await sql<RunRow>`
    select distinct on (connector_id) * from connector_runs
    where connector_id in (${sql.join(connectorIds)})
    order by connector_id, seq desc`.execute(db);
  return new Map(rows.map((r) => [r.connector_id, r]));
}
