import { sql, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../core/db/database.js';
import type { ColumnSpec } from './ingest/values.js';
import type { StoredApiConfig } from './resources.api.js';

export type ResourceKind = 'table' | 'api' | 'file';
export type LoadStatus = 'validating' | 'validated' | 'merging' | 'succeeded' | 'failed' | 'aborted';

declare module '../../core/db/database.js' {
  interface Database {
    resources: {
      id: Generated<string>;
      catalog_entry_id: string;
      catalog_code: string;
      catalog_version: number;
      provider_id: string;
      kind: ResourceKind;
      name: string;
      table_name: string | null;
      columns: ColumnSpec[] | null;
      api: StoredApiConfig | null;
      /** The secret header's value, sealed with the node key (sealSecret). */
      api_secret: string | null;
      row_count: Generated<number>;
      last_loaded_at: Date | null;
      change_retention_days: Generated<number>;
      /** The sequence number of the last change logged (table resources). */
      change_seq: Generated<number>;
      created_by: string | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    resource_loads: {
      id: Generated<string>;
      resource_id: string;
      mode: 'replace' | 'upsert';
      source: string;
      format: string;
      encoding: string | null;
      status: LoadStatus;
      rows_read: Generated<number>;
      inserted: Generated<number>;
      updated: Generated<number>;
      deleted: Generated<number>;
      unchanged: Generated<number>;
      rejected: Generated<number>;
      errors: Generated<unknown>;
      failure: unknown;
      content_sm3: string | null;
      /** The staging table (in schema data) where the validated rows wait until merged. */
      spool: string | null;
      /** The columns the file had, in the resource's order (a resume merges them the same way). */
      present: string[] | null;
      /** No two accepted rows had the same key (the merge need not look). */
      keys_distinct: boolean | null;
      started_by: string | null;
      started_at: Generated<Date>;
      finished_at: Date | null;
    };
    resource_files: {
      id: Generated<string>;
      resource_id: string;
      /** Null while the upload is arriving. */
      version: number | null;
      file_name: string;
      media_type: string;
      size: Generated<number>;
      sm3: string | null;
      note: string | null;
      uploaded_by: string | null;
      started_at: Generated<Date>;
      uploaded_at: Date | null;
    };
    resource_file_chunks: {
      file_id: string;
      seq: number;
      data: Uint8Array;
    };
  }
}

export type ResourceRow = Selectable<import('../../core/db/database.js').Database['resources']>;
export type LoadRow = Selectable<import('../../core/db/database.js').Database['resource_loads']>;
export type FileRow = Selectable<import('../../core/db/database.js').Database['resource_files']>;

export async function insertResource(
  db: Executor,
  row: {
    id: string;
    catalog_entry_id: string;
    catalog_code: string;
    catalog_version: number;
    provider_id: string;
    kind: ResourceKind;
    name: string;
    table_name: string | null;
    columns: ColumnSpec[] | null;
    api?: StoredApiConfig | null;
    api_secret?: string | null;
    created_by: string;
  },
): Promise<ResourceRow> {
  const { api, ...rest } = row;
  return db
    .insertInto('resources')
    .values({
      ...rest,
      columns: row.columns === null ? null : (JSON.stringify(row.columns) as unknown as ColumnSpec[]),
      ...(api ? { api: JSON.stringify(api) as unknown as StoredApiConfig } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findResource(db: Executor, id: string): Promise<ResourceRow | undefined> {
  return db.selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockResource(db: Executor, id: string): Promise<ResourceRow | undefined> {
  return db.selectFrom('resources').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function tableResourceOfEntry(db: Executor, entryId: string): Promise<ResourceRow | undefined> {
  return db.selectFrom('resources').selectAll().where('catalog_entry_id', '=', entryId).where('kind', '=', 'table').executeTakeFirst();
}

export interface ResourceFilter {
  catalogEntryId?: string | undefined;
  providerId?: string | undefined;
  kind?: ResourceKind | undefined;
}

export async function listResources(db: Executor, filter: ResourceFilter, page: { offset: number; limit: number }): Promise<{ rows: ResourceRow[]; total: number }> {
  let q = db.selectFrom('resources');
  if (filter.catalogEntryId) q = q.where('catalog_entry_id', '=', filter.catalogEntryId);
  if (filter.providerId) q = q.where('provider_id', '=', filter.providerId);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute();
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/** Table resources whose key includes a column of this PII kind (profiles). */
export async function tablesKeyedBy(db: Executor, piiKind: string): Promise<ResourceRow[]> {
  const { rows } = await sql<ResourceRow>`
    select * from resources r
    where r.kind = 'table' and exists (
      select 1 from jsonb_array_elements(r.columns) c where (c ->> 'isKey')::boolean and c ->> 'piiKind' = ${piiKind})
    order by r.catalog_code`.execute(db);
  return rows;
}

export async function recordLoaded(db: Executor, id: string, rowCount: number, changeSeq: number): Promise<void> {
  await db
    .updateTable('resources')
    .set({ row_count: rowCount, change_seq: changeSeq, last_loaded_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function insertLoad(
  db: Executor,
  row: { resource_id: string; mode: 'replace' | 'upsert'; source: string; format: string; started_by: string | null },
): Promise<LoadRow> {
  return db.insertInto('resource_loads').values({ ...row, status: 'validating', encoding: null, failure: null, content_sm3: null, spool: null, present: null, keys_distinct: null, finished_at: null }).returningAll().executeTakeFirstOrThrow();
}

export async function updateLoad(
  db: Executor,
  id: string,
  patch: Partial<Pick<LoadRow, 'status' | 'format' | 'encoding' | 'rows_read' | 'inserted' | 'updated' | 'deleted' | 'unchanged' | 'rejected' | 'content_sm3' | 'spool' | 'keys_distinct' | 'finished_at'>> & {
    errors?: unknown;
    failure?: unknown;
    present?: readonly string[];
  },
): Promise<void> {
  const { errors, failure, present, ...rest } = patch;
  await db
    .updateTable('resource_loads')
    .set({
      ...rest,
      ...(errors === undefined ? {} : { errors: JSON.stringify(errors) }),
      ...(failure === undefined ? {} : { failure: failure === null ? null : JSON.stringify(failure) }),
      ...(present === undefined ? {} : { present: JSON.stringify(present) as unknown as string[] }),
    })
    .where('id', '=', id)
    .execute();
}

export async function findLoad(db: Executor, resourceId: string, id: string): Promise<LoadRow | undefined> {
  return db.selectFrom('resource_loads').selectAll().where('resource_id', '=', resourceId).where('id', '=', id).executeTakeFirst();
}

export async function lockLoad(db: Executor, resourceId: string, id: string): Promise<LoadRow | undefined> {
  return db.selectFrom('resource_loads').selectAll().where('resource_id', '=', resourceId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listLoads(db: Executor, resourceId: string, page: { offset: number; limit: number }): Promise<{ rows: LoadRow[]; total: number }> {
  const rows = await db.selectFrom('resource_loads').selectAll().where('resource_id', '=', resourceId).orderBy('started_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute();
  const total = await db.selectFrom('resource_loads').select((eb) => eb.fn.countAll<number>().as('n')).where('resource_id', '=', resourceId).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

// ---------------------------------------------------------------- api resources

export async function updateApi(db: Executor, id: string, api: StoredApiConfig, apiSecret: string | null): Promise<ResourceRow> {
  return db
    .updateTable('resources')
    .set({ api: JSON.stringify(api) as unknown as StoredApiConfig, api_secret: apiSecret, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---------------------------------------------------------------- file resources

/** An upload starting: a row without a version, which its chunks belong to. */
export async function insertPendingFile(
  db: Executor,
  row: { resource_id: string; file_name: string; media_type: string; note: string | null; uploaded_by: string | null },
): Promise<FileRow> {
  return db.insertInto('resource_files').values({ ...row, version: null, sm3: null, uploaded_at: null }).returningAll().executeTakeFirstOrThrow();
}

// Parts travel as base64 text, decoded and encoded by the database: both drivers pass a bytea
// parameter or result through JavaScript hex code that is several times slower (PGlite: ~10x).
export async function insertFileChunk(db: Executor, fileId: string, seq: number, data: Buffer): Promise<void> {
  await db
    .insertInto('resource_file_chunks')
    .values({ file_id: fileId, seq, data: sql<Uint8Array>`decode(${data.toString('base64')}, 'base64')` })
    .execute();
}

/** The next version of a resource's file; the caller holds the resource's row lock. */
export async function nextFileVersion(db: Executor, resourceId: string): Promise<number> {
  const row = await db
    .selectFrom('resource_files')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('resource_id', '=', resourceId)
    .executeTakeFirstOrThrow();
  return Number(row.v ?? 0) + 1;
}

/** The upload has arrived whole: it becomes version `version`. */
export async function completeFile(db: Executor, id: string, done: { version: number; size: number; sm3: string }): Promise<FileRow> {
  return db
    .updateTable('resource_files')
    .set({ ...done, uploaded_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('version', 'is', null)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Drops an upload that did not complete (its chunks go with it). */
export async function deletePendingFile(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('resource_files').where('id', '=', id).where('version', 'is', null).execute();
}

/** Uploads left without a version (by a stopped process) that started more than `hours` ago, by the database's clock. */
export async function purgePendingFiles(db: Executor, hours: number): Promise<number> {
  const result = await db
    .deleteFrom('resource_files')
    .where('version', 'is', null)
    .where('started_at', '<', sql<Date>`now() - ${hours} * interval '1 hour'`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function recordUploaded(db: Executor, id: string): Promise<void> {
  await db.updateTable('resources').set({ last_loaded_at: sql<Date>`now()`, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

export async function findFileVersion(db: Executor, resourceId: string, version: number): Promise<FileRow | undefined> {
  return db.selectFrom('resource_files').selectAll().where('resource_id', '=', resourceId).where('version', '=', version).executeTakeFirst();
}

/** The versions of a resource's file, newest first. */
export async function listFiles(db: Executor, resourceId: string, page: { offset: number; limit: number }): Promise<{ rows: FileRow[]; total: number }> {
  const q = db.selectFrom('resource_files').where('resource_id', '=', resourceId).where('version', 'is not', null);
  const rows = await q.selectAll().orderBy('version', 'desc').offset(page.offset).limit(page.limit).execute();
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/** The newest version of each resource's file (versions are never removed: its number is the count). */
export async function latestFiles(db: Executor, resourceIds: readonly string[]): Promise<FileRow[]> {
  if (resourceIds.length === 0) return [];
  const { rows } = await sql<FileRow>`
    select distinct on (resource_id) * from resource_files
    where resource_id in (${sql.join(resourceIds)}) and version is not null
    order by resource_id, version desc`.execute(db);
  return rows;
}

export async function fileChunk(db: Executor, fileId: string, seq: number): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('resource_file_chunks')
    .select(sql<string>`encode(data, 'base64')`.as('data'))
    .where('file_id', '=', fileId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row === undefined ? undefined : Buffer.from(row.data, 'base64');
}

/** Loads that look abandoned: still reading since `readingSince`, or waiting to be merged since `waitingSince`. */
export async function staleLoads(db: Executor, readingSince: Date, waitingSince: Date): Promise<Array<{ id: string; resource_id: string }>> {
  return db
    .selectFrom('resource_loads')
    .select(['id', 'resource_id'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'validating'), eb('started_at', '<', readingSince)]),
        eb.and([eb('status', 'in', ['validated', 'merging', 'failed']), eb('started_at', '<', waitingSince)]),
      ]),
    )
    .limit(100)
    .execute();
}
