import { sql, type Generated, type Selectable } from 'kysely';
import type { Database, Executor } from '../../core/db/database.js';
import type { CatalogContent, EntryStatus, ReturnReasonType, VersionStatus } from './catalog.types.js';

declare module '../../core/db/database.js' {
  interface Database {
    information_systems: {
      id: Generated<string>;
      organisation_id: string;
      name: string;
      description: Generated<string>;
      created_by: string | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    catalog_entries: {
      id: Generated<string>;
      code: string;
      provider_id: string;
      provider_name: string;
      provider_code: string;
      reviewer_org_id: string | null;
      seq: number;
      version: Generated<number>;
      status: EntryStatus;
      published_version: number | null;
      retired_reason: string | null;
      created_by: string | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    catalog_versions: {
      entry_id: string;
      version: number;
      status: VersionStatus;
      content: CatalogContent;
      name: string;
      summary: string;
      resource_type: string;
      format: string;
      share_type: string;
      open_type: string;
      return_reasons: ReturnReasonType[] | null;
      created_by: string | null;
      created_at: Generated<Date>;
      updated_by: string | null;
      updated_at: Generated<Date>;
      submitted_by: string | null;
      submitted_at: Date | null;
      decided_by: string | null;
      decided_at: Date | null;
    };
  }
}

export type SystemRow = Selectable<Database['information_systems']>;
export type EntryRow = Selectable<Database['catalog_entries']>;
export type VersionRow = Selectable<Database['catalog_versions']>;

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, '\\$&');

// ---- information systems ----

export async function insertSystem(db: Executor, s: { organisation_id: string; name: string; description: string; created_by: string }): Promise<SystemRow> {
  return db.insertInto('information_systems').values(s).returningAll().executeTakeFirstOrThrow();
}

export async function findSystemByName(db: Executor, organisationId: string, name: string): Promise<SystemRow | undefined> {
  return db.selectFrom('information_systems').selectAll().where('organisation_id', '=', organisationId).where('name', '=', name).executeTakeFirst();
}

export async function findSystems(db: Executor, ids: readonly string[]): Promise<SystemRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('information_systems').selectAll().where('id', 'in', [...ids]).execute();
}

export async function listSystems(
  db: Executor,
  filter: { organisationId?: string | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: SystemRow[]; total: number }> {
  let q = db.selectFrom('information_systems');
  if (filter.organisationId) q = q.where('organisation_id', '=', filter.organisationId);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('name').orderBy('id').offset(page.offset).limit(page.limit).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export async function findSystem(db: Executor, id: string, forUpdate = false): Promise<SystemRow | undefined> {
  let q = db.selectFrom('information_systems').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateSystem(db: Executor, id: string, patch: { name: string; description: string }): Promise<SystemRow> {
  return db.updateTable('information_systems').set({ ...patch, updated_at: sql<Date>`now()` }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteSystem(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('information_systems').where('id', '=', id).execute();
}

/** Codes of entries whose current or in-force version names the system as a source (数据—系统). */
export async function entriesUsingSystem(db: Executor, systemId: string, limit = 20): Promise<string[]> {
  const rows = await db
    .selectFrom('catalog_entries as e')
    .innerJoin('catalog_versions as v', (join) =>
      join.onRef('v.entry_id', '=', 'e.id').on((eb) => eb.or([eb('v.version', '=', eb.ref('e.version')), eb('v.version', '=', eb.ref('e.published_version'))])),
    )
    .select('e.code')
    .distinct()
    .where(sql<boolean>`v.content -> 'sourceSystemIds' @> jsonb_build_array(${systemId}::text)`)
    .orderBy('e.code')
    .limit(limit)
    .execute();
  return rows.map((r) => r.code);
}

// ---- entries and versions ----

/** The next sequence of a provider; the advisory lock serialises concurrent creations per provider. */
export async function nextSequence(db: Executor, providerId: string): Promise<number> {
  await sql`select pg_advisory_xact_lock(hashtext(${`tianshu.catalog.seq.${providerId}`}))`.execute(db);
  const row = await db
    .selectFrom('catalog_entries')
    .select((eb) => eb.fn.max('seq').as('max'))
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export async function insertEntry(
  db: Executor,
  e: Omit<EntryRow, 'id' | 'version' | 'created_at' | 'updated_at' | 'published_version' | 'retired_reason'>,
): Promise<string> {
  const row = await db.insertInto('catalog_entries').values({ ...e, published_version: null, retired_reason: null }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateEntry(
  db: Executor,
  id: string,
  patch: Partial<Pick<EntryRow, 'version' | 'status' | 'published_version' | 'reviewer_org_id' | 'retired_reason'>>,
): Promise<void> {
  await db.updateTable('catalog_entries').set({ ...patch, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

const denormalised = (content: CatalogContent) => ({
  content: JSON.stringify(content) as unknown as CatalogContent,
  name: content.name,
  summary: content.summary,
  resource_type: content.resourceType,
  format: content.format,
  share_type: content.shareType,
  open_type: content.openType,
});

export async function insertVersion(db: Executor, v: { entry_id: string; version: number; status: VersionStatus; content: CatalogContent; by: string }): Promise<void> {
  await db
    .insertInto('catalog_versions')
    .values({ entry_id: v.entry_id, version: v.version, status: v.status, ...denormalised(v.content), return_reasons: null, created_by: v.by, updated_by: v.by, submitted_by: null, submitted_at: null, decided_by: null, decided_at: null })
    .execute();
}

export async function updateVersionContent(db: Executor, entryId: string, version: number, content: CatalogContent, by: string): Promise<void> {
  await db
    .updateTable('catalog_versions')
    .set({ ...denormalised(content), status: 'draft', updated_by: by, updated_at: sql<Date>`now()` })
    .where('entry_id', '=', entryId)
    .where('version', '=', version)
    .execute();
}

export async function updateVersion(
  db: Executor,
  entryId: string,
  version: number,
  patch: Partial<Pick<VersionRow, 'status' | 'submitted_by' | 'submitted_at' | 'decided_by' | 'decided_at'>> & { return_reasons?: ReturnReasonType[] | null },
): Promise<void> {
  const { return_reasons, ...rest } = patch;
  await db
    .updateTable('catalog_versions')
    .set({
      ...rest,
      ...(return_reasons === undefined ? {} : { return_reasons: (return_reasons === null ? null : JSON.stringify(return_reasons)) as unknown as ReturnReasonType[] | null }),
      updated_at: sql<Date>`now()`,
    })
    .where('entry_id', '=', entryId)
    .where('version', '=', version)
    .execute();
}

/** By id (a uuid) or by code; `forUpdate` locks the row for a transition. */
export async function findEntry(db: Executor, idOrCode: string, forUpdate = false): Promise<EntryRow | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrCode);
  let q = db.selectFrom('catalog_entries').selectAll();
  q = isUuid ? q.where('id', '=', idOrCode.toLowerCase()) : q.where('code', '=', idOrCode);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findVersion(db: Executor, entryId: string, version: number): Promise<VersionRow | undefined> {
  return db.selectFrom('catalog_versions').selectAll().where('entry_id', '=', entryId).where('version', '=', version).executeTakeFirst();
}

export async function listVersions(db: Executor, entryId: string, statuses?: readonly VersionStatus[]): Promise<VersionRow[]> {
  let q = db.selectFrom('catalog_versions').selectAll().where('entry_id', '=', entryId);
  if (statuses) q = q.where('status', 'in', [...statuses]);
  return q.orderBy('version').execute();
}

export interface EntryFilter {
  q?: string | undefined;
  provider?: string | undefined;
  status?: EntryStatus | undefined;
  shareType?: string | undefined;
  openType?: string | undefined;
  resourceType?: string | undefined;
  format?: string | undefined;
}

export type ListedRow = EntryRow & { v_version: number; v_status: VersionStatus; content: CatalogContent; return_reasons: ReturnReasonType[] | null };

/**
 * What `organisationId` may see: its own and its reviewed entries at their latest version, everyone
 * else's at the version in force. Facets are counts over the same filtered set.
 * The `q` filter is a plain ILIKE for now; Chinese full-text search (jieba) replaces it later.
 */
export async function listEntries(
  db: Executor,
  organisationId: string,
  filter: EntryFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: ListedRow[]; total: number; facets: Record<'status' | 'shareType' | 'openType' | 'resourceType' | 'provider', Array<{ value: string; count: number }>> }> {
  let q = db
    .selectFrom('catalog_entries as e')
    .innerJoin('catalog_versions as v', (join) =>
      join.onRef('v.entry_id', '=', 'e.id').on((eb) =>
        eb.or([
          eb.and([eb.or([eb('e.provider_id', '=', organisationId), eb('e.reviewer_org_id', '=', organisationId)]), eb('v.version', '=', eb.ref('e.version'))]),
          eb.and([
            eb('e.provider_id', '<>', organisationId),
            eb.or([eb('e.reviewer_org_id', 'is', null), eb('e.reviewer_org_id', '<>', organisationId)]),
            eb('v.version', '=', eb.ref('e.published_version')),
          ]),
        ]),
      ),
    );
  // The status seen is the entry's for insiders, and published/retired for everyone else.
  const seenStatus = sql<string>`case when v.version = e.version then e.status when e.status = 'retired' then 'retired' else 'published' end`;
  if (filter.q) {
    const like = `%${escapeLike(filter.q)}%`;
    q = q.where((eb) => eb.or([eb('v.name', 'ilike', like), eb('v.summary', 'ilike', like), eb('e.code', '=', filter.q!)]));
  }
  if (filter.provider) q = q.where('e.provider_id', '=', filter.provider);
  if (filter.status) q = q.where(sql<boolean>`${seenStatus} = ${filter.status}`);
  if (filter.shareType) q = q.where('v.share_type', '=', filter.shareType);
  if (filter.openType) q = q.where('v.open_type', '=', filter.openType);
  if (filter.resourceType) q = q.where('v.resource_type', '=', filter.resourceType);
  if (filter.format) q = q.where('v.format', '=', filter.format);

  const facet = async (expr: ReturnType<typeof sql<string>>) => {
    const rows = await q.select([expr.as('value'), (eb) => eb.fn.countAll<number>().as('count')]).groupBy(expr).orderBy('count', 'desc').limit(50).execute();
    return rows.map((r) => ({ value: String(r.value), count: Number(r.count) }));
  };
  const rows = await q
    .selectAll('e')
    .select(['v.version as v_version', 'v.status as v_status', 'v.content', 'v.return_reasons'])
    .orderBy('e.updated_at', 'desc')
    .orderBy('e.id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
  const facets = {
    status: await facet(seenStatus),
    shareType: await facet(sql<string>`v.share_type`),
    openType: await facet(sql<string>`v.open_type`),
    resourceType: await facet(sql<string>`v.resource_type`),
    provider: await facet(sql<string>`e.provider_id::text`),
  };
  return { rows: rows as ListedRow[], total, facets };
}
