import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Database, Executor } from '../../../core/db/database.js';

/** A jsonb column: read as T, written as its JSON text. */
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

export type ExportStatus = 'queued' | 'running' | 'ready' | 'failed' | 'expired';
export type ExportFormat = 'csv' | 'xlsx';

/** Why an export failed: the error's code and messages, and the pipeline stage it came from. */
export interface ExportError {
  code: string;
  message: string;
  messageZh: string;
  stage: string | null;
  /** The HTTP status the error has (kept for the call log). */
  status?: number;
}

declare module '../../../core/db/database.js' {
  interface Database {
    share_exports: {
      id: Generated<string>;
      grant_id: string;
      consumer_org_id: string;
      consumer_name: string;
      provider_org_id: string;
      provider_name: string;
      authority_org_id: string | null;
      catalog_entry_id: string;
      catalog_code: string;
      catalog_name: string;
      requested_by: string;
      requested_by_name: string;
      format: ExportFormat;
      fields: NullableJson<string[]>;
      filters: NullableJson<Record<string, unknown>>;
      status: ExportStatus;
      attempts: Generated<number>;
      job_id: string | null;
      file_name: string | null;
      media_type: string | null;
      // bigint columns come back as strings from pg, numbers from PGlite: read through Number().
      rows_written: ColumnType<string | number | null, number | null, number | null>;
      size: ColumnType<string | number | null, number | null, number | null>;
      sm3: string | null;
      /** SM3 of the grant's terms (items, masking, row filter) the file was built under (006). */
      terms_sm3: string | null;
      watermark: NullableJson<Record<string, unknown>>;
      error: NullableJson<ExportError>;
      created_at: Generated<Date>;
      started_at: Date | null;
      finished_at: Date | null;
      expires_at: Date | null;
      updated_at: Generated<Date>;
    };
    share_export_chunks: {
      export_id: string;
      seq: number;
      data: Uint8Array;
    };
    share_export_links: {
      id: Generated<string>;
      export_id: string;
      token_sm3: string;
      created_by: string;
      created_at: Generated<Date>;
      expires_at: Date;
      used_at: Date | null;
      used_ip: string | null;
    };
  }
}

export type ExportRow = Selectable<Database['share_exports']>;
export type LinkRow = Selectable<Database['share_export_links']>;

export interface NewExport {
  grant_id: string;
  consumer_org_id: string;
  consumer_name: string;
  provider_org_id: string;
  provider_name: string;
  authority_org_id: string | null;
  catalog_entry_id: string;
  catalog_code: string;
  catalog_name: string;
  requested_by: string;
  requested_by_name: string;
  format: ExportFormat;
  fields: string[] | null;
  filters: Record<string, unknown> | null;
  created_at: Date;
}

export async function insertExport(db: Executor, e: NewExport): Promise<ExportRow> {
  return db
    .insertInto('share_exports')
    .values({
      ...e,
      fields: e.fields === null ? null : JSON.stringify(e.fields),
      filters: e.filters === null ? null : JSON.stringify(e.filters),
      status: 'queued',
      updated_at: e.created_at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findExport(db: Executor, id: string, forUpdate = false): Promise<ExportRow | undefined> {
  let q = db.selectFrom('share_exports').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export interface ExportChange {
  status?: ExportStatus;
  attempts?: number;
  job_id?: string | null;
  file_name?: string | null;
  media_type?: string | null;
  rows_written?: number | null;
  size?: number | null;
  sm3?: string | null;
  terms_sm3?: string | null;
  watermark?: Record<string, unknown> | null;
  error?: ExportError | null;
  started_at?: Date | null;
  finished_at?: Date | null;
  expires_at?: Date | null;
  updated_at: Date;
}

export async function updateExport(db: Executor, id: string, change: ExportChange): Promise<ExportRow> {
  const { watermark, error, ...rest } = change;
  return db
    .updateTable('share_exports')
    .set({
      ...rest,
      ...(watermark === undefined ? {} : { watermark: watermark === null ? null : JSON.stringify(watermark) }),
      ...(error === undefined ? {} : { error: error === null ? null : JSON.stringify(error) }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Unfinished exports of one user (the cap on what one person may have under way). */
export async function countUnfinished(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('share_exports')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('requested_by', '=', userId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Serialises export requests of one user (the cap above holds across replicas). */
export async function requestLock(db: Executor, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`share_export:${userId}`}))`.execute(db);
}

/** Which side of exports a list shows (an OR of the sides given). */
export interface ExportScope {
  consumerOrgId?: string | undefined;
  providerOrgId?: string | undefined;
  authorityOrgId?: string | undefined;
}

export interface ExportFilter {
  status?: ExportStatus | undefined;
  grantId?: string | undefined;
}

export async function listExports(db: Executor, scope: ExportScope, filter: ExportFilter, page: { offset: number; limit: number }): Promise<{ rows: ExportRow[]; total: number }> {
  let q = db.selectFrom('share_exports').where((eb) => {
    const sides = [];
    if (scope.consumerOrgId) sides.push(eb('consumer_org_id', '=', scope.consumerOrgId));
    if (scope.providerOrgId) sides.push(eb('provider_org_id', '=', scope.providerOrgId));
    if (scope.authorityOrgId) sides.push(eb('authority_org_id', '=', scope.authorityOrgId));
    return sides.length === 0 ? sql<boolean>`false` : eb.or(sides);
  });
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.grantId) q = q.where('grant_id', '=', filter.grantId);
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute();
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(count.n) };
}

// ---------------------------------------------------------------- the file's parts

// Parts travel as base64 text, encoded and decoded by the database (DECISIONS §22: both drivers turn
// bytea into hex in JavaScript, several times slower).
/**
 * Stores a part for one attempt: written only while the export is running under that attempt (the
 * export row is share-locked, so a newer attempt's claim waits for it or it waits for the claim).
 * False when a newer attempt has taken the export over: the caller's attempt must stop, so that its
 * parts never mix with the newer attempt's.
 */
export async function insertChunk(db: Executor, exportId: string, attempt: number, seq: number, data: Buffer): Promise<boolean> {
  const { rows } = await sql<{ seq: number }>`
    with claim as (
      select id from share_exports where id = ${exportId} and status = 'running' and attempts = ${attempt} for share
    )
    insert into share_export_chunks (export_id, seq, data)
    select claim.id, ${seq}, decode(${data.toString('base64')}, 'base64') from claim
    returning seq`.execute(db);
  return rows.length === 1;
}

export async function chunk(db: Executor, exportId: string, seq: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('share_export_chunks')
    .select(sql<string>`encode(data, 'base64')`.as('data'))
    .where('export_id', '=', exportId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row === undefined ? undefined : Buffer.from(row.data, 'base64');
}

export async function deleteChunks(db: Executor, exportId: string): Promise<void> {
  await db.deleteFrom('share_export_chunks').where('export_id', '=', exportId).execute();
}

// ---------------------------------------------------------------- links

export async function insertLink(db: Executor, l: { export_id: string; token_sm3: string; created_by: string; created_at: Date; expires_at: Date }): Promise<LinkRow> {
  return db.insertInto('share_export_links').values(l).returningAll().executeTakeFirstOrThrow();
}

/**
 * Takes a link for a download: marks it used if it is unused and unexpired, in one statement, so two
 * requests with the same token cannot both get the file. Undefined when it could not be taken.
 */
export async function takeLink(db: Executor, tokenSm3: string, now: Date, ip: string): Promise<LinkRow | undefined> {
  return db
    .updateTable('share_export_links')
    .set({ used_at: now, used_ip: ip })
    .where('token_sm3', '=', tokenSm3)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export async function findLink(db: Executor, tokenSm3: string): Promise<LinkRow | undefined> {
  return db.selectFrom('share_export_links').selectAll().where('token_sm3', '=', tokenSm3).executeTakeFirst();
}

export async function countLinks(db: Executor, exportIds: readonly string[]): Promise<Map<string, { links: number; downloads: number }>> {
  const out = new Map<string, { links: number; downloads: number }>();
  if (exportIds.length === 0) return out;
  const rows = await db
    .selectFrom('share_export_links')
    .select((eb) => ['export_id', eb.fn.countAll<number>().as('links'), eb.fn.count<number>('used_at').as('downloads')])
    .where('export_id', 'in', exportIds)
    .groupBy('export_id')
    .execute();
  for (const r of rows) out.set(r.export_id, { links: Number(r.links), downloads: Number(r.downloads) });
  return out;
}

// ---------------------------------------------------------------- purging

/**
 * Exports whose file expired before `expiredBefore` (ready; the caller leaves a grace period so that
 * a download started just before the expiry can finish) or that failed before `failedBefore`: claimed
 * with SKIP LOCKED so replicas share the work, their parts deleted and ready ones marked expired.
 */
export async function claimExpired(db: Executor, expiredBefore: Date, failedBefore: Date, limit: number): Promise<Array<{ id: string; status: ExportStatus; catalog_code: string; consumer_org_id: string; sm3: string | null }>> {
  const { rows } = await sql<{ id: string; status: ExportStatus; catalog_code: string; consumer_org_id: string; sm3: string | null }>`
    select id, status, catalog_code, consumer_org_id, sm3 from share_exports
    where (status = 'ready' and expires_at <= ${expiredBefore})
       or (status = 'failed' and finished_at <= ${failedBefore} and exists (select 1 from share_export_chunks c where c.export_id = share_exports.id))
    order by expires_at nulls last
    limit ${limit}
    for update skip locked`.execute(db);
  return rows;
}
