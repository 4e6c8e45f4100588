import { sql, type CompiledQuery, type Generated, type RawBuilder, type Selectable } from 'kysely';
import { copyLine } from '../../core/db/copy.js';
import type { Db } from '../../core/db/db.js';
import type { Database, Executor, Trx } from '../../core/db/database.js';
import { searchDocument, searchVector, tsQuery } from './catalog.search.js';
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
      update_cycle: string;
      security_grade: string;
      category: string;
      /** tsvector (text form), made by catalog.search.ts; null for versions written before 002_search. */
      search_vector: string | null;
    };
    /** The search read model (002_search.sql), kept by triggers: one row per entry and visible version. */
    catalog_search: {
      entry_id: string;
      version: number;
      in_force: boolean;
      latest: boolean;
      provider_id: string;
      provider_name: string;
      reviewer_org_id: string | null;
      code: string;
      status: EntryStatus;
      name: string;
      resource_type: string;
      format: string;
      share_type: string;
      open_type: string;
      update_cycle: string;
      security_grade: string;
      category: string;
      updated_at: Date;
      search_vector: string;
    };
  }
}

export type SystemRow = Selectable<Database['information_systems']>;
export type EntryRow = Selectable<Database['catalog_entries']>;
export type VersionRow = Selectable<Database['catalog_versions']>;

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

/** The columns copied from the content for filters and facets, and the version's search text (a tsvector literal). */
const denormalisedText = (content: CatalogContent, entry: { providerName: string; code: string }) => ({
  content: JSON.stringify(content),
  name: content.name,
  summary: content.summary,
  resource_type: content.resourceType,
  format: content.format,
  share_type: content.shareType,
  open_type: content.openType,
  update_cycle: content.updateCycle,
  security_grade: content.securityGrade,
  category: content.category,
  search_vector: searchVector(searchDocument(content, entry)),
});

const denormalised = (content: CatalogContent, entry: { providerName: string; code: string }) => {
  const text = denormalisedText(content, entry);
  return { ...text, content: text.content as unknown as CatalogContent, search_vector: sql<string>`${text.search_vector}::tsvector` };
};

/** The entry-level parts of a version's search text (provider name, code). */
async function entryText(db: Executor, entryId: string): Promise<{ providerName: string; code: string }> {
  const e = await db.selectFrom('catalog_entries').select(['provider_name', 'code']).where('id', '=', entryId).executeTakeFirstOrThrow();
  return { providerName: e.provider_name, code: e.code };
}

export async function insertVersion(db: Executor, v: { entry_id: string; version: number; status: VersionStatus; content: CatalogContent; by: string }): Promise<void> {
  const entry = await entryText(db, v.entry_id);
  await db
    .insertInto('catalog_versions')
    .values({ entry_id: v.entry_id, version: v.version, status: v.status, ...denormalised(v.content, entry), return_reasons: null, created_by: v.by, updated_by: v.by, submitted_by: null, submitted_at: null, decided_by: null, decided_at: null })
    .execute();
}

export async function updateVersionContent(db: Executor, entryId: string, version: number, content: CatalogContent, by: string): Promise<void> {
  const entry = await entryText(db, entryId);
  await db
    .updateTable('catalog_versions')
    .set({ ...denormalised(content, entry), status: 'draft', updated_by: by, updated_at: sql<Date>`now()` })
    .where('entry_id', '=', entryId)
    .where('version', '=', version)
    .execute();
}

/** Versions written before search existed (002_search), a batch at a time. */
export async function unindexedVersions(db: Executor, limit: number): Promise<Array<{ entry_id: string; version: number; content: CatalogContent; provider_name: string; code: string }>> {
  return db
    .selectFrom('catalog_versions as v')
    .innerJoin('catalog_entries as e', 'e.id', 'v.entry_id')
    .select(['v.entry_id', 'v.version', 'v.content', 'e.provider_name', 'e.code'])
    .where('v.search_vector', 'is', null)
    .limit(limit)
    .execute();
}

export async function setSearchVector(db: Executor, entryId: string, version: number, vector: string): Promise<void> {
  await db
    .updateTable('catalog_versions')
    .set({ search_vector: sql<string>`${vector}::tsvector` })
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

export type SortOrder = 'relevance' | 'recent' | 'name';

export interface EntryFilter {
  q?: string | undefined;
  provider?: string | undefined;
  status?: EntryStatus | undefined;
  shareType?: string | undefined;
  openType?: string | undefined;
  resourceType?: string | undefined;
  format?: string | undefined;
  updateCycle?: string | undefined;
  securityGrade?: string | undefined;
  /** A prefix of the 类-项-目-细目 code by whole segments: `1` or `1-01` (checked by the route schema). */
  category?: string | undefined;
  /** Default: relevance when `q` is given, else recent. */
  sort?: SortOrder | undefined;
  /** Never estimate (exports): count and rank every match whatever it costs. Not an HTTP parameter. */
  exact?: boolean | undefined;
  /** Only the caller's organisation's entries (`own`) or the ones it reviews for others (`reviewing`), at their latest version. */
  scope?: 'own' | 'reviewing' | undefined;
}

export type ListedRow = EntryRow & { v_version: number; v_status: VersionStatus; content: CatalogContent; return_reasons: ReturnReasonType[] | null };

export const FACET_NAMES = ['status', 'provider', 'resourceType', 'shareType', 'openType', 'updateCycle', 'securityGrade', 'category', 'format'] as const;
export type FacetName = (typeof FACET_NAMES)[number];
export interface FacetCount {
  value: string;
  count: number;
  label?: string;
}
export type Facets = Record<FacetName, FacetCount[]>;

/** At most this many values per facet, the most frequent first. */
const FACET_LIMIT = 50;
/**
 * Up to this many matches, the total and the facets are exact and relevance ranks every match.
 * Beyond it (a word found in a large part of a national catalog) they are estimated from a sample:
 * the cost stays bounded at any scale.
 */
export const EXACT_LIMIT = 1_000;
/** Rows of catalog_search read for an estimate (a block sample). */
const SAMPLE_ROWS = 3_000;
/** Matches in the sample that make an estimate trustworthy enough to skip counting. */
const SAMPLE_HITS = 8;
/** How many matches relevance ranks when there are more than EXACT_LIMIT and the text index serves them. */
const RANKED = 1_000;
/** How many of the most recent matches relevance ranks when matches are dense enough to walk to them. */
const RANKED_RECENT = 200;
/** Walking an order's index and checking the text on each row pays up to this many rows. */
const MAX_WALK = 20_000;

/** The column of catalog_search each facet counts (category: the 类, its first segment). */
const FACET_COLUMNS: Record<FacetName, string> = {
  status: 'status',
  provider: 'provider_id',
  resourceType: 'resource_type',
  shareType: 'share_type',
  openType: 'open_type',
  updateCycle: 'update_cycle',
  securityGrade: 'security_grade',
  category: 'category_class',
  format: 'format',
};

/** Statuses only an insider (provider, reviewer) can see. */
const OPEN_STATUSES: ReadonlySet<string> = new Set(['draft', 'submitted', 'returned']);

/**
 * Who is looking: the caller's organisation, and the organisation whose entries it reviews (its own when
 * it holds data_authority, else none — catalog.policy reviewerOrganisation).
 */
export interface Viewer {
  organisationId: string;
  reviewerOrgId: string | null;
}

/**
 * What the viewer may see of catalog_search, filtered: its organisation's own entries and those it
 * reviews at their latest version, everyone else's at the version in force. Two branches in UNION
 * ALL rather than one OR, so each uses its own indexes (the in-force partial indexes for the public
 * branch, provider/reviewer for the insiders') and a browse by recency can merge two ordered index
 * scans.
 * `use.sample` reads a block sample of the table instead (estimates); `use.rank` computes ts_rank_cd.
 */
function visibleRows(
  viewer: Viewer,
  filter: EntryFilter,
  query: string | undefined,
  use: { sample?: number; rank: boolean; walk?: { order: RawBuilder<unknown>; rows: number } },
): RawBuilder<unknown>[] {
  const { organisationId, reviewerOrgId } = viewer;
  const conditions: RawBuilder<unknown>[] = [];
  if (filter.provider) conditions.push(sql`s.provider_id = ${filter.provider}`);
  if (filter.status) conditions.push(sql`s.status = ${filter.status}`);
  if (filter.shareType) conditions.push(sql`s.share_type = ${filter.shareType}`);
  if (filter.openType) conditions.push(sql`s.open_type = ${filter.openType}`);
  if (filter.resourceType) conditions.push(sql`s.resource_type = ${filter.resourceType}`);
  if (filter.format) conditions.push(sql`s.format = ${filter.format}`);
  if (filter.updateCycle) conditions.push(sql`s.update_cycle = ${filter.updateCycle}`);
  if (filter.securityGrade) conditions.push(sql`s.security_grade = ${filter.securityGrade}`);
  if (filter.category) conditions.push(sql`(s.category = ${filter.category} or s.category like ${`${filter.category}-%`})`);
  if (filter.scope === 'own') conditions.push(sql`s.provider_id = ${organisationId}`);
  if (filter.scope === 'reviewing') conditions.push(reviewerOrgId === null ? sql`false` : sql`s.reviewer_org_id = ${reviewerOrgId} and s.provider_id <> ${organisationId}`);
  const text =
    filter.q === undefined ? undefined : query === undefined ? sql`s.code = ${filter.q}` : sql`(s.search_vector @@ ${query}::tsquery or s.code = ${filter.q})`;
  const where = conditions.length > 0 ? sql` and ${sql.join(conditions, sql` and `)}` : sql``;
  // `is true` is no operator an index can serve: the text is then checked on each row that the other
  // conditions' indexes yield. Right for rows that are few whatever the words (an organisation's own
  // and reviewed entries, one provider's), where the text index would build the bitmap of every match
  // of a common word first.
  const perRow = text === undefined ? sql`` : sql` and ${text} is true`;
  const textWhere = text === undefined ? sql`` : use.walk || filter.provider ? perRow : sql` and ${text}`;
  // Ranking reads the whole tsvector of a row: only the page's rows pay for it, never the counts.
  const rank =
    query === undefined || !use.rank
      ? sql`0::real`
      : sql`case when s.code = ${filter.q ?? ''} then 1000::real else ts_rank_cd(s.search_vector, ${query}::tsquery) end`;
  const columns = (walked: boolean) => sql`s.entry_id, s.version, s.provider_id, s.provider_name, s.status, s.name, s.resource_type, s.format,
    s.share_type, s.open_type, s.update_cycle, s.security_grade, split_part(s.category, '-', 1) as category_class, s.updated_at,
    ${rank} as rank, ${sql.raw(walked ? 'true' : 'false')} as walked`;
  // A viewer who reviews nothing (no data_authority) is an insider of its own organisation's entries only.
  const insider =
    reviewerOrgId === null
      ? sql`s.latest and s.provider_id = ${organisationId}`
      : sql`s.latest and (s.provider_id = ${organisationId} or s.reviewer_org_id = ${reviewerOrgId})`;
  const outsider =
    reviewerOrgId === null
      ? sql`s.in_force and s.provider_id <> ${organisationId}`
      : sql`s.in_force and s.provider_id <> ${organisationId} and s.reviewer_org_id is distinct from ${reviewerOrgId}`;
  // Drafts, submitted and returned entries are only ever seen by insiders.
  const insidersOnly = Boolean(filter.scope || (filter.status && OPEN_STATUSES.has(filter.status)));

  if (use.sample !== undefined) {
    // One sample scan for both kinds of row: a UNION of two would plan a parallel append, whose
    // workers cost more to start than the few thousand rows of a sample take to read.
    // A number we computed, not input: TABLESAMPLE takes it as a literal. The same blocks every time
    // (REPEATABLE): the estimates stay put from one page to the next.
    const visible = insidersOnly ? insider : sql`((${outsider}) or (${insider}))`;
    return [sql`select ${columns(false)} from catalog_search s tablesample system (${sql.raw(use.sample.toFixed(4))}) repeatable (7) where ${visible}${where}${textWhere}`];
  }
  // An organisation's own and reviewed rows are few: read them all (through the provider and
  // reviewer indexes) and check the text on each.
  const insiders = sql`select ${columns(false)} from catalog_search s where ${insider}${where}${perRow}`;
  if (insidersOnly) return [insiders];
  const outsiders =
    use.walk && text
      ? // The first `rows` rows in the order (through its index), then the text on each of them.
        sql`select ${columns(true)} from (select * from catalog_search s where ${outsider}${where} order by ${use.walk.order} limit ${use.walk.rows}) s where ${text}`
      : sql`select ${columns(false)} from catalog_search s where ${outsider}${where}${textWhere}`;
  return [outsiders, insiders];
}

/** The branches as one row set. */
const union = (branches: readonly RawBuilder<unknown>[]) => sql`(${sql.join(branches, sql` union all `)})`;

/**
 * The first `n` rows of the branches in `order` (or as the indexes yield them): each branch is
 * ordered and cut on its own, so each can walk its index (in force by updated_at or name) and stop,
 * whatever the planner makes of a union.
 */
const topOf = (branches: readonly RawBuilder<unknown>[], order: RawBuilder<unknown> | undefined, n: number) =>
  union(branches.map((b) => (order ? sql`(${b} order by ${order} limit ${n})` : sql`(${b} limit ${n})`)));

type FacetRow = { facet: FacetName; value: string; label: string | null; count: number };

/** Every facet in one GROUPING SETS scan of `rows`. */
function facetQuery(rows: RawBuilder<unknown>) {
  return sql<FacetRow>`
    select case ${sql.join(
      FACET_NAMES.map((name) => sql`when grouping(${sql.ref(FACET_COLUMNS[name])}) = 0 then ${name}`),
      sql` `,
    )} end as facet,
      coalesce(${sql.join(FACET_NAMES.map((name) => sql`${sql.ref(FACET_COLUMNS[name])}::text`))}) as value,
      provider_name as label,
      count(*)::integer as count
    from ${rows} p
    group by grouping sets (${sql.join(
      // The provider's name is grouped with its id (an aggregate such as max() in every set costs 3×).
      FACET_NAMES.map((name) => (name === 'provider' ? sql`(provider_id, provider_name)` : sql`(${sql.ref(FACET_COLUMNS[name])})`)),
    )})`;
}

function toFacets(rows: readonly FacetRow[], scale: number): Facets {
  const facets = Object.fromEntries(FACET_NAMES.map((name) => [name, [] as FacetCount[]])) as Facets;
  for (const r of rows) {
    const count = Math.max(1, Math.round(Number(r.count) * scale));
    // A provider renamed between entries comes in two groups: one value, the counts added.
    const same = r.facet === 'provider' ? facets.provider.find((p) => p.value === r.value) : undefined;
    if (same) same.count += count;
    else facets[r.facet].push({ value: r.value, count, ...(r.facet === 'provider' && r.label ? { label: r.label } : {}) });
  }
  for (const name of FACET_NAMES) {
    facets[name] = facets[name].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)).slice(0, FACET_LIMIT);
  }
  return facets;
}

/**
 * One page of what the viewer may see, with the total and the facets over the same filtered
 * set (every filter applied, including a facet's own: a chosen value shows its count alone).
 * `q` is segmented by jieba and matched against catalog_search.search_vector; an exact code matches
 * too. Up to EXACT_LIMIT matches everything is exact: the facets and the total in one GROUPING SETS
 * scan, the page ranked over every match. Past it, `approximate` is true: the total and the facets
 * are scaled from a block sample of SAMPLE_ROWS rows, and relevance ranks the first RANKED matches
 * (recent and name orders stay exact).
 */
export async function listEntries(
  db: Executor,
  viewer: Viewer,
  filter: EntryFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: ListedRow[]; total: number; facets: Facets; approximate: boolean }> {
  const q = filter.q?.trim() ? filter.q.trim() : undefined;
  const f = { ...filter, q };
  const query = q === undefined ? undefined : tsQuery(q);
  const sort = filter.sort ?? (q === undefined ? 'recent' : 'relevance');
  const needed = page.offset + page.limit;
  const { total, facets, approximate, density } = filter.exact ? await exactCounts(db, viewer, f, query) : await estimatedCounts(db, viewer, f, query);

  const keys = (t: string) =>
    sort === 'name'
      ? sql`${sql.ref(`${t}.name`)} asc, ${sql.ref(`${t}.entry_id`)} asc`
      : sort === 'relevance' && q !== undefined
        ? sql`${sql.ref(`${t}.rank`)} desc, ${sql.ref(`${t}.updated_at`)} desc, ${sql.ref(`${t}.entry_id`)} asc`
        : sql`${sql.ref(`${t}.updated_at`)} desc, ${sql.ref(`${t}.entry_id`)} asc`;
  const recent = sql`s.updated_at desc, s.entry_id asc`;
  const relevance = sort === 'relevance' && q !== undefined;
  const candidates = relevance ? Math.max(RANKED_RECENT, needed) : needed;
  const fetchPage = (rows: RawBuilder<unknown>) => sql<ListedRow & { found: number; walked: boolean }>`
    with found as materialized (select * from ${rows} f),
    p as (select * from found p order by ${keys('p')} offset ${page.offset} limit ${page.limit})
    select e.*, v.version as v_version, v.status as v_status, v.content, v.return_reasons, (select count(*)::integer from found where walked) as found
    from p
    join catalog_entries e on e.id = p.entry_id
    join catalog_versions v on v.entry_id = p.entry_id and v.version = p.version
    order by ${keys('p')}`.execute(db);
  const listed = (rows: ReadonlyArray<ListedRow & { found: number; walked: boolean }>): ListedRow[] => rows.map(({ found: _f, walked: _w, ...row }) => row);

  // Dense matches (a common word): walk the order's index over at most MAX_WALK rows and check the
  // text on each; relevance then ranks the most recent matches found. Exact whenever the walk finds
  // the rows the page needs (every row before them was looked at); when matches cluster further
  // along the order than the estimate suggested, the text index serves the page instead.
  if (query !== undefined && density !== undefined && candidates / density <= MAX_WALK) {
    const order = relevance ? recent : keys('s');
    const branches = visibleRows(viewer, f, query, { rank: true, walk: { order, rows: MAX_WALK } });
    const walked = await fetchPage(topOf(branches, order, candidates));
    // The walked branch must have found the rows the page needs; the insiders' branch is read whole.
    const exact = branches.length === 1 || Number(walked.rows[0]?.found ?? 0) >= needed;
    if (exact && walked.rows.length > 0) return { rows: listed(walked.rows), total, facets, approximate };
  }
  const branches = visibleRows(viewer, f, query, { rank: true });
  // Past EXACT_LIMIT, relevance ranks the first RANKED matches the text index yields; otherwise every
  // branch is cut at the rows the page needs, in the page's own order.
  const rows =
    approximate && relevance
      ? topOf(branches, undefined, Math.max(RANKED, needed))
      : relevance
        ? topOf(branches, sql`rank desc, s.updated_at desc, s.entry_id asc`, needed)
        : topOf(branches, keys('s'), needed);
  const pageRows = await fetchPage(rows);
  return { rows: listed(pageRows.rows), total, facets, approximate };
}

interface Counts {
  total: number;
  facets: Facets;
  approximate: boolean;
  /** Estimated share of catalog_search's rows that match (when estimated). */
  density?: number;
}

/** Every match counted: the facets and the total in one GROUPING SETS scan. */
async function exactCounts(db: Executor, viewer: Viewer, filter: EntryFilter, query: string | undefined): Promise<Counts> {
  const facets = toFacets((await facetQuery(union(visibleRows(viewer, filter, query, { rank: false }))).execute(db)).rows, 1);
  // Every visible row has a status, so the status facet (never cut: five values) sums to the total.
  return { total: facets.status.reduce((n, s) => n + s.count, 0), facets, approximate: false };
}

/**
 * A block sample first (cheap at any size): when it finds many matches, the total and the facets are
 * scaled from it and nothing is counted; when it finds few, the matches are counted up to
 * EXACT_LIMIT + 1 (cheap when they are few) and, if no more, the facets are exact.
 */
async function estimatedCounts(db: Executor, viewer: Viewer, filter: EntryFilter, query: string | undefined): Promise<Counts> {
  const size = await sql<{ n: number }>`select greatest(reltuples, 1)::float8 as n from pg_class where oid = 'catalog_search'::regclass`.execute(db);
  const rowsInTable = Math.max(1, Number(size.rows[0]?.n ?? 1));
  const percent = Math.min(100, (100 * SAMPLE_ROWS) / rowsInTable);
  const sampled = (await facetQuery(union(visibleRows(viewer, filter, query, { sample: percent, rank: false }))).execute(db)).rows;
  const hits = sampled.reduce((n, r) => (r.facet === 'status' ? n + Number(r.count) : n), 0);
  if (percent >= 100) {
    const facets = toFacets(sampled, 1);
    return { total: hits, facets, approximate: false };
  }
  const estimate = (hits * 100) / percent;
  const scaled = (): Counts => {
    const facets = toFacets(sampled, 100 / percent);
    // Never below what was counted exactly.
    return { total: Math.max(EXACT_LIMIT + 1, facets.status.reduce((n, s) => n + s.count, 0)), facets, approximate: true, density: estimate / rowsInTable };
  };
  if (hits >= SAMPLE_HITS && estimate >= 2 * EXACT_LIMIT) return scaled();
  const visible = union(visibleRows(viewer, filter, query, { rank: false }));
  const probe = await sql<{ n: number }>`select count(*)::integer as n from (select 1 from ${visible} b limit ${EXACT_LIMIT + 1}) c`.execute(db);
  if (Number(probe.rows[0]?.n ?? 0) <= EXACT_LIMIT) return exactCounts(db, viewer, filter, query);
  return scaled();
}

// ---- bulk reads and writes of the Excel import (catalog.import.ts) ----

export type EntryWithContent = EntryRow & { content: CatalogContent };

/**
 * Entries by id or code with their latest version's content. The wanted set drives the query, one index
 * look-up each, whatever the (often stale, right after an import) statistics say.
 */
export async function findEntriesWithContent(db: Executor, by: { ids?: readonly string[]; codes?: readonly string[] }): Promise<EntryWithContent[]> {
  const ids = by.ids ?? [];
  const codes = by.codes ?? [];
  if (ids.length === 0 && codes.length === 0) return [];
  const result = await sql<EntryWithContent>`
    with wanted as materialized (
      select distinct e.id from catalog_entries e
      where e.id in (select (jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))::uuid)
         or e.code in (select jsonb_array_elements_text(${JSON.stringify(codes)}::jsonb))
    )
    select e.*, v.content from wanted
    join catalog_entries e on e.id = wanted.id
    join catalog_versions v on v.entry_id = e.id and v.version = e.version`.execute(db);
  return result.rows;
}

/** The provider's entries that are not retired, with the name of their latest version. */
export async function entryNamesOfProvider(db: Executor, providerId: string): Promise<Array<{ id: string; name: string }>> {
  const result = await sql<{ id: string; name: string }>`
    select e.id, v.name from catalog_entries e
    join catalog_versions v on v.entry_id = e.id and v.version = e.version
    where e.provider_id = ${providerId} and e.status <> 'retired'`.execute(db);
  return result.rows;
}

/** Refreshes the planner's statistics after a bulk write (PGlite has no autovacuum to do it). */
export async function analyseCatalog(db: Executor): Promise<void> {
  // The read model is what searches plan on (and what sizes their sample); the import's own reads
  // of entries and versions are written not to depend on statistics.
  await sql`analyze catalog_search`.execute(db);
}

/** Locks entries about to change and returns their version and status, to check nothing moved meanwhile. */
export async function lockEntries(db: Executor, ids: readonly string[]): Promise<Array<{ id: string; version: number; status: EntryStatus }>> {
  if (ids.length === 0) return [];
  const result = await sql<{ id: string; version: number; status: EntryStatus }>`
    select id, version, status from catalog_entries
    where id in (select (jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))::uuid)
    for update`.execute(db);
  return result.rows;
}

const chunks = <T>(rows: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

export type NewEntryRow = Omit<EntryRow, 'version' | 'created_at' | 'updated_at' | 'published_version' | 'retired_reason'>;

const NEW_ENTRY_COLUMNS = ['id', 'code', 'provider_id', 'provider_name', 'provider_code', 'reviewer_org_id', 'seq', 'status', 'created_by'] as const;

/** New entries (version 1) by COPY; ids are the caller's. */
export async function copyNewEntries(db: Db, trx: Trx, rows: readonly NewEntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const lines = rows.map((e) => copyLine(NEW_ENTRY_COLUMNS.map((c) => (e[c] === null ? null : String(e[c])))));
  await db.copyFrom(trx, { table: 'catalog_entries', columns: NEW_ENTRY_COLUMNS }, lines);
}

const DRAFT_VERSION_COLUMNS = [
  'entry_id', 'version', 'status', 'created_by', 'updated_by',
  'content', 'name', 'summary', 'resource_type', 'format', 'share_type', 'open_type', 'update_cycle', 'security_grade', 'category', 'search_vector',
] as const;

/**
 * Draft versions by COPY, denormalised exactly as insertVersion does. The lines (with their search
 * text) are made as COPY asks for them, so on PostgreSQL the server stores one part while the next
 * is being segmented.
 */
export async function copyDraftVersions(
  db: Db,
  trx: Trx,
  rows: ReadonlyArray<{ entry_id: string; version: number; content: CatalogContent; by: string; providerName: string; code: string }>,
  /** Called for each row as its line is made: work that can run while the server stores the previous part. */
  each?: (row: (typeof rows)[number]) => void,
): Promise<void> {
  if (rows.length === 0) return;
  function* lines(): Generator<string> {
    for (const v of rows) {
      each?.(v);
      const t = denormalisedText(v.content, { providerName: v.providerName, code: v.code });
      yield copyLine([
        v.entry_id, String(v.version), 'draft', v.by, v.by,
        t.content, t.name, t.summary, t.resource_type, t.format, t.share_type, t.open_type, t.update_cycle, t.security_grade, t.category, t.search_vector,
      ]);
    }
  }
  await db.copyFrom(trx, { table: 'catalog_versions', columns: DRAFT_VERSION_COLUMNS }, lines());
}

/** Points entries at their new latest (draft) version; built lazily like entryInserts. */
export function* draftVersionPointers(db: Executor, rows: ReadonlyArray<{ id: string; version: number }>): Generator<CompiledQuery> {
  for (const chunk of chunks(rows, 5000)) {
    yield sql`
      update catalog_entries e set version = x.version, status = 'draft', updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as x(id uuid, version integer)
      where e.id = x.id`.compile(db);
  }
}
