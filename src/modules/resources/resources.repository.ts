import { sql, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../core/db/database.js';
import type { ColumnSpec } from './ingest/values.js';

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
      api: Record<string, unknown> | null;
      api_secret: string | null;
      row_count: Generated<number>;
      last_loaded_at: Date | null;
      change_retention_days: Generated<number>;
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
      spool: string | null;
      started_by: string | null;
      started_at: Generated<Date>;
      finished_at: Date | null;
    };
  }
}

export type ResourceRow = Selectable<import('../../core/db/database.js').Database['resources']>;
export type LoadRow = Selectable<import('../../core/db/database.js').Database['resource_loads']>;

export async function insertResource(
  db: Executor,
  row: { id: string; catalog_entry_id: string; catalog_code: string; catalog_version: number; provider_id: string; kind: ResourceKind; name: string; table_name: string | null; columns: ColumnSpec[] | null; created_by: string },
): Promise<ResourceRow> {
  return db
    .insertInto('resources')
    .values({ ...row, columns: row.columns === null ? null : (JSON.stringify(row.columns) as unknown as ColumnSpec[]) })
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

export async function recordLoaded(db: Executor, id: string, rowCount: number): Promise<void> {
  await db.updateTable('resources').set({ row_count: rowCount, last_loaded_at: sql<Date>`now()`, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

export async function insertLoad(
  db: Executor,
  row: { resource_id: string; mode: 'replace' | 'upsert'; source: string; format: string; started_by: string | null },
): Promise<LoadRow> {
  return db.insertInto('resource_loads').values({ ...row, status: 'validating', encoding: null, failure: null, content_sm3: null, spool: null, finished_at: null }).returningAll().executeTakeFirstOrThrow();
}

export async function updateLoad(
  db: Executor,
  id: string,
  patch: Partial<Pick<LoadRow, 'status' | 'format' | 'encoding' | 'rows_read' | 'inserted' | 'updated' | 'deleted' | 'unchanged' | 'rejected' | 'content_sm3' | 'spool' | 'finished_at'>> & { errors?: unknown; failure?: unknown },
): Promise<void> {
  const { errors, failure, ...rest } = patch;
  await db
    .updateTable('resource_loads')
    .set({
      ...rest,
      ...(errors === undefined ? {} : { errors: JSON.stringify(errors) }),
      ...(failure === undefined ? {} : { failure: failure === null ? null : JSON.stringify(failure) }),
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
