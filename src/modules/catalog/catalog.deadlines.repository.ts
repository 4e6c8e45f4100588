import { sql, type Generated, type Selectable } from 'kysely';
import type { Database, Executor } from '../../core/db/database.js';

export type DeadlineKind = 'link_resource' | 'resubmit';
export type DeadlineOutcome = 'met' | 'missed';
export type ResourceKind = 'table' | 'api' | 'file';

declare module '../../core/db/database.js' {
  interface Database {
    catalog_deadlines: {
      id: Generated<string>;
      entry_id: string;
      kind: DeadlineKind;
      version: number;
      started_on: string;
      due_on: string;
      created_at: Generated<Date>;
      closed_at: Date | null;
      closed_on: string | null;
      closed_reason: string | null;
      outcome: DeadlineOutcome | null;
      due_soon_notified_at: Date | null;
      overdue_notified_at: Date | null;
    };
    catalog_linked_resources: {
      entry_id: string;
      resource_id: string;
      kind: ResourceKind;
      name: string;
      linked_by: string | null;
      linked_at: Generated<Date>;
    };
  }
}

export type DeadlineRow = Selectable<Database['catalog_deadlines']>;
export type LinkedResourceRow = Selectable<Database['catalog_linked_resources']>;

/** A deadline with what lists show of its entry (the latest version's name). */
export type DeadlineListRow = DeadlineRow & {
  code: string;
  provider_id: string;
  provider_name: string;
  reviewer_org_id: string | null;
  name: string;
};

/** Which deadlines a list covers: an organisation's own entries, or those its authority reviews. */
export type DeadlineScope = { providerId: string } | { reviewerOrgId: string } | { entryId: string };
export type DeadlineStateFilter = 'open' | 'due_soon' | 'overdue' | 'closed';

/** Dates that split open deadlines: overdue before `today`, due soon before `soonLimit`. */
export interface DeadlineBounds {
  today: string;
  soonLimit: string;
}

export async function versionInfo(db: Executor, entryId: string, version: number): Promise<{ name: string; format: string } | undefined> {
  return db.selectFrom('catalog_versions').select(['name', 'format']).where('entry_id', '=', entryId).where('version', '=', version).executeTakeFirst();
}

export async function insertDeadline(
  db: Executor,
  d: { entry_id: string; kind: DeadlineKind; version: number; started_on: string; due_on: string; created_at: Date },
): Promise<DeadlineRow> {
  return db.insertInto('catalog_deadlines').values(d).returningAll().executeTakeFirstOrThrow();
}

export async function findOpenDeadlines(db: Executor, entryId: string, kind?: DeadlineKind): Promise<DeadlineRow[]> {
  let q = db.selectFrom('catalog_deadlines').selectAll().where('entry_id', '=', entryId).where('closed_at', 'is', null);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('kind').forUpdate().execute();
}

export async function closeDeadline(
  db: Executor,
  id: string,
  c: { closed_at: Date; closed_on: string; closed_reason: string; outcome: DeadlineOutcome },
): Promise<void> {
  await db.updateTable('catalog_deadlines').set(c).where('id', '=', id).where('closed_at', 'is', null).execute();
}

// ---- linked resources ----

export async function listLinked(db: Executor, entryId: string): Promise<LinkedResourceRow[]> {
  return db.selectFrom('catalog_linked_resources').selectAll().where('entry_id', '=', entryId).orderBy('linked_at').orderBy('resource_id').execute();
}

export async function findLinked(db: Executor, entryId: string, resourceId: string): Promise<LinkedResourceRow | undefined> {
  return db.selectFrom('catalog_linked_resources').selectAll().where('entry_id', '=', entryId).where('resource_id', '=', resourceId).executeTakeFirst();
}

export async function upsertLinked(
  db: Executor,
  r: { entry_id: string; resource_id: string; kind: ResourceKind; name: string; linked_by: string | null; linked_at: Date },
): Promise<void> {
  await db
    .insertInto('catalog_linked_resources')
    .values(r)
    .onConflict((oc) => oc.columns(['entry_id', 'resource_id']).doUpdateSet({ kind: r.kind, name: r.name }))
    .execute();
}

export async function deleteLinked(db: Executor, entryId: string, resourceId: string): Promise<boolean> {
  const result = await db.deleteFrom('catalog_linked_resources').where('entry_id', '=', entryId).where('resource_id', '=', resourceId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countLinked(db: Executor, entryId: string): Promise<number> {
  const row = await db.selectFrom('catalog_linked_resources').select((eb) => eb.fn.countAll<number>().as('n')).where('entry_id', '=', entryId).executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- lists ----

function listQuery(db: Executor, scope: DeadlineScope) {
  let q = db
    .selectFrom('catalog_deadlines as d')
    .innerJoin('catalog_entries as e', 'e.id', 'd.entry_id')
    .innerJoin('catalog_versions as v', (join) => join.onRef('v.entry_id', '=', 'e.id').onRef('v.version', '=', 'e.version'));
  if ('providerId' in scope) q = q.where('e.provider_id', '=', scope.providerId);
  else if ('reviewerOrgId' in scope) q = q.where('e.reviewer_org_id', '=', scope.reviewerOrgId);
  else q = q.where('d.entry_id', '=', scope.entryId);
  return q;
}

export async function listDeadlines(
  db: Executor,
  scope: DeadlineScope,
  filter: { state?: DeadlineStateFilter | undefined; kind?: DeadlineKind | undefined },
  bounds: DeadlineBounds,
  page: { offset: number; limit: number } | undefined,
): Promise<{ rows: DeadlineListRow[]; total: number }> {
  let q = listQuery(db, scope);
  if (filter.kind) q = q.where('d.kind', '=', filter.kind);
  switch (filter.state) {
    case 'open':
      q = q.where('d.closed_at', 'is', null);
      break;
    case 'due_soon':
      q = q.where('d.closed_at', 'is', null).where('d.due_on', '>=', bounds.today).where('d.due_on', '<', bounds.soonLimit);
      break;
    case 'overdue':
      q = q.where('d.closed_at', 'is', null).where('d.due_on', '<', bounds.today);
      break;
    case 'closed':
      q = q.where('d.closed_at', 'is not', null);
      break;
    case undefined:
      break;
  }
  // Open ones first, the most urgent first; then closed ones, the latest first.
  let rowsQuery = q
    .selectAll('d')
    .select(['e.code', 'e.provider_id', 'e.provider_name', 'e.reviewer_org_id', 'v.name'])
    .orderBy(sql`d.closed_at is null`, 'desc')
    .orderBy(sql`case when d.closed_at is null then d.due_on end`, 'asc')
    .orderBy('d.closed_at', 'desc')
    .orderBy('d.id');
  if (page) rowsQuery = rowsQuery.offset(page.offset).limit(page.limit);
  const rows = await rowsQuery.execute();
  if (!page) return { rows, total: rows.length };
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(count.n) };
}

/** Counts of open, due-soon and overdue deadlines in a scope (open counts all three). */
export async function summarise(
  db: Executor,
  scope: DeadlineScope,
  filter: { kind?: DeadlineKind | undefined },
  bounds: DeadlineBounds,
): Promise<{ open: number; dueSoon: number; overdue: number }> {
  let q = listQuery(db, scope).where('d.closed_at', 'is', null);
  if (filter.kind) q = q.where('d.kind', '=', filter.kind);
  const row = await q
    .select([
      sql<number>`count(*)`.as('open'),
      sql<number>`count(*) filter (where d.due_on >= ${bounds.today}::date and d.due_on < ${bounds.soonLimit}::date)`.as('due_soon'),
      sql<number>`count(*) filter (where d.due_on < ${bounds.today}::date)`.as('overdue'),
    ])
    .executeTakeFirstOrThrow();
  return { open: Number(row.open), dueSoon: Number(row.due_soon), overdue: Number(row.overdue) };
}

// ---- reminders ----

export interface ClaimedDeadline {
  id: string;
  entry_id: string;
  kind: DeadlineKind;
  due_on: string;
  code: string;
  provider_id: string;
  provider_name: string;
  reviewer_org_id: string | null;
  name: string;
}

/**
 * Claims up to `limit` open deadlines that need the reminder `stage` and marks them sent, in one
 * statement inside the caller's transaction. Rows another replica is claiming are skipped (SKIP
 * LOCKED) and the outer condition is checked again on the row's latest version, so each reminder is
 * claimed exactly once; if the caller's transaction rolls back, the claim does too.
 */
export async function claimReminders(
  db: Executor,
  stage: 'due_soon' | 'overdue',
  bounds: DeadlineBounds,
  at: Date,
  limit: number,
): Promise<ClaimedDeadline[]> {
  const due =
    stage === 'overdue'
      ? sql`due_on < ${bounds.today}::date and overdue_notified_at is null`
      : sql`due_on >= ${bounds.today}::date and due_on < ${bounds.soonLimit}::date and due_soon_notified_at is null`;
  const column = stage === 'overdue' ? sql.ref('overdue_notified_at') : sql.ref('due_soon_notified_at');
  const result = await sql<ClaimedDeadline>`
    with claimed as (
      update catalog_deadlines set ${column} = ${at}
      where id in (
        select id from catalog_deadlines
        where closed_at is null and ${due}
        order by due_on, id
        limit ${limit}
        for update skip locked
      ) and closed_at is null and ${due}
      returning id, entry_id, kind, due_on
    )
    select c.id, c.entry_id, c.kind, c.due_on, e.code, e.provider_id, e.provider_name, e.reviewer_org_id, v.name
    from claimed c
    join catalog_entries e on e.id = c.entry_id
    join catalog_versions v on v.entry_id = e.id and v.version = e.version
    order by c.due_on, c.id`.execute(db);
  return result.rows;
}
