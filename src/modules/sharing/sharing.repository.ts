import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Database, Executor } from '../../core/db/database.js';
import type { ApplicationStatus, GrantTerms, MaskRule, RowFilter, ShareMethod } from './sharing.types.js';

/** A jsonb column: read as T, written as its JSON text (pg would send a JS array as a PostgreSQL array). */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

declare module '../../core/db/database.js' {
  interface Database {
    share_applications: {
      id: Generated<string>;
      batch_id: string | null;
      applicant_org_id: string;
      applicant_org_name: Generated<string>;
      applicant_user_id: string;
      applicant_user_name: Generated<string>;
      catalog_entry_id: string;
      catalog_code: string;
      catalog_version: number;
      catalog_name: string;
      provider_org_id: string;
      provider_name: Generated<string>;
      share_type: 'unconditional' | 'conditional';
      security_grade: string;
      items: Json<string[]>;
      purpose: string;
      legal_basis: string;
      scenario: string;
      methods: Json<ShareMethod[]>;
      valid_until: string;
      status: ApplicationStatus;
      due_date: string | null;
      authority_org_id: string | null;
      proposed_terms: NullableJson<GrantTerms>;
      default_masking: Json<Record<string, MaskRule>>;
      reminded_at: Date | null;
      escalated_at: Date | null;
      decided_at: Date | null;
      grant_id: string | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    share_decisions: {
      id: Generated<string>;
      /** The order of the steps (002). */
      seq: Generated<number>;
      application_id: string;
      step: 'auto' | 'provider' | 'authority' | 'applicant';
      outcome: 'approved' | 'rejected' | 'withdrawn';
      actor_user_id: string | null;
      actor_name: string | null;
      organisation_id: string | null;
      comment: string | null;
      reason: string | null;
      legal_basis: string | null;
      at: Generated<Date>;
    };
    share_grants: {
      id: Generated<string>;
      /** Creation order across replicas (002). */
      seq: Generated<number>;
      application_id: string | null;
      consumer_org_id: string;
      consumer_name: Generated<string>;
      provider_org_id: string;
      provider_name: Generated<string>;
      authority_org_id: string | null;
      catalog_entry_id: string;
      catalog_code: string;
      catalog_name: string;
      items: Json<string[]>;
      masking: Json<Record<string, MaskRule>>;
      row_filter: NullableJson<RowFilter>;
      methods: Json<ShareMethod[]>;
      rate_limit_per_minute: number;
      ip_allow: ColumnType<string[], string | undefined, string>;
      valid_from: Generated<Date>;
      expires_at: Date;
      status: 'active' | 'revoked';
      revoked_at: Date | null;
      revoked_by: string | null;
      revoke_reason: string | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
  }
}

export type ApplicationRow = Selectable<Database['share_applications']>;
export type DecisionRow = Selectable<Database['share_decisions']>;
export type GrantRow = Selectable<Database['share_grants']>;

export const OPEN_STATUSES: readonly ApplicationStatus[] = ['pending', 'countersigning'];

// ---------------------------------------------------------------- applications

export interface NewApplication {
  batch_id: string | null;
  applicant_org_id: string;
  applicant_org_name: string;
  applicant_user_id: string;
  applicant_user_name: string;
  catalog_entry_id: string;
  catalog_code: string;
  catalog_version: number;
  catalog_name: string;
  provider_org_id: string;
  provider_name: string;
  share_type: 'unconditional' | 'conditional';
  security_grade: string;
  items: string[];
  default_masking: Record<string, MaskRule>;
  purpose: string;
  legal_basis: string;
  scenario: string;
  methods: ShareMethod[];
  valid_until: string;
  status: ApplicationStatus;
  due_date: string | null;
  authority_org_id: string | null;
  decided_at: Date | null;
  created_at: Date;
}

export async function insertApplication(db: Executor, a: NewApplication): Promise<ApplicationRow> {
  return db
    .insertInto('share_applications')
    .values({
      ...a,
      items: JSON.stringify(a.items),
      default_masking: JSON.stringify(a.default_masking),
      methods: JSON.stringify(a.methods),
      updated_at: a.created_at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApplication(db: Executor, id: string, forUpdate = false): Promise<ApplicationRow | undefined> {
  let q = db.selectFrom('share_applications').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export interface ApplicationChange {
  status?: ApplicationStatus;
  proposed_terms?: GrantTerms | null;
  reminded_at?: Date | null;
  decided_at?: Date | null;
  grant_id?: string | null;
  updated_at: Date;
}

export async function updateApplication(db: Executor, id: string, change: ApplicationChange): Promise<ApplicationRow> {
  const { proposed_terms, ...rest } = change;
  return db
    .updateTable('share_applications')
    .set({ ...rest, ...(proposed_terms === undefined ? {} : { proposed_terms: proposed_terms === null ? null : JSON.stringify(proposed_terms) }) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * What stands in the way of a new application for an entry by an organisation: an open application,
 * or a grant in force (active and not yet expired). Run under applyLock, so that two requests at
 * once cannot both find nothing.
 */
export async function findBlocking(
  db: Executor,
  entryId: string,
  applicantOrgId: string,
  now: Date,
): Promise<{ kind: 'application' | 'grant'; id: string } | undefined> {
  const open = await db
    .selectFrom('share_applications')
    .select('id')
    .where('catalog_entry_id', '=', entryId)
    .where('applicant_org_id', '=', applicantOrgId)
    .where('status', 'in', OPEN_STATUSES)
    .executeTakeFirst();
  if (open) return { kind: 'application', id: open.id };
  const grant = await db
    .selectFrom('share_grants')
    .select('id')
    .where('catalog_entry_id', '=', entryId)
    .where('consumer_org_id', '=', applicantOrgId)
    .where('status', '=', 'active')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return grant ? { kind: 'grant', id: grant.id } : undefined;
}

/**
 * Serialises applications for one entry by one organisation until the transaction ends, on both
 * engines (a transaction-scoped advisory lock; PGlite has one connection anyway). Callers taking
 * several take them in a fixed order (sorted keys), so two batches cannot deadlock.
 */
export async function applyLock(db: Executor, entryId: string, applicantOrgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('sharing.apply'), hashtext(${`${entryId}/${applicantOrgId}`}))`.execute(db);
}

export type ApplicationScope =
  | { kind: 'mine'; organisationId: string }
  | { kind: 'approval'; organisationId: string }
  | { kind: 'countersign'; organisationId: string };

export interface ApplicationFilter {
  status?: ApplicationStatus | undefined;
  catalogId?: string | undefined;
}

/**
 * Lists for the three queues. Without a status, `approval` is the provider's waiting queue (pending)
 * and `countersign` the authority's (countersigning, and pending ones escalated to it); with one,
 * the scope's applications in that status (their history).
 */
export async function listApplications(
  db: Executor,
  scope: ApplicationScope,
  filter: ApplicationFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: ApplicationRow[]; total: number }> {
  let q = db.selectFrom('share_applications');
  switch (scope.kind) {
    case 'mine':
      q = q.where('applicant_org_id', '=', scope.organisationId);
      if (filter.status) q = q.where('status', '=', filter.status);
      break;
    case 'approval':
      q = q.where('provider_org_id', '=', scope.organisationId).where('status', '=', filter.status ?? 'pending');
      break;
    case 'countersign':
      q = q.where('authority_org_id', '=', scope.organisationId);
      q = filter.status
        ? q.where('status', '=', filter.status)
        : q.where((eb) => eb.or([eb('status', '=', 'countersigning'), eb.and([eb('status', '=', 'pending'), eb('escalated_at', 'is not', null)])]));
      break;
  }
  if (filter.catalogId) q = q.where('catalog_entry_id', '=', filter.catalogId);
  let rowsQuery = q.selectAll();
  // Queues: the most urgent first; one's own applications: the latest first.
  rowsQuery =
    scope.kind === 'mine'
      ? rowsQuery.orderBy('created_at', 'desc').orderBy('id')
      : rowsQuery.orderBy(sql`due_date asc nulls last`).orderBy('created_at').orderBy('id');
  const rows = await rowsQuery.offset(page.offset).limit(page.limit).execute();
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(count.n) };
}

// ---------------------------------------------------------------- decisions

export async function insertDecision(db: Executor, d: Omit<DecisionRow, 'id' | 'seq' | 'at'> & { at: Date }): Promise<void> {
  await db.insertInto('share_decisions').values(d).execute();
}

export async function listDecisions(db: Executor, applicationIds: readonly string[]): Promise<DecisionRow[]> {
  if (applicationIds.length === 0) return [];
  return db.selectFrom('share_decisions').selectAll().where('application_id', 'in', applicationIds).orderBy('seq').execute();
}

// ---------------------------------------------------------------- deadlines

export interface ClaimedApplication {
  id: string;
  status: ApplicationStatus;
  due_date: string;
  catalog_entry_id: string;
  catalog_code: string;
  catalog_name: string;
  applicant_org_name: string;
  provider_org_id: string;
  provider_name: string;
  authority_org_id: string | null;
}

/**
 * Claims up to `limit` open applications that need the reminder (due within [today, soonLimit)) or
 * the escalation (due before today), and marks them, in one statement inside the caller's
 * transaction. SKIP LOCKED leaves rows another replica is claiming, and the outer condition is
 * checked again on the row's latest version, so each is claimed once; a rollback undoes the claim.
 */
export async function claimDeadlines(
  db: Executor,
  stage: 'reminder' | 'escalation',
  bounds: { today: string; soonLimit: string },
  at: Date,
  limit: number,
): Promise<ClaimedApplication[]> {
  const due =
    stage === 'escalation'
      ? sql`due_date < ${bounds.today}::date and escalated_at is null`
      : sql`due_date >= ${bounds.today}::date and due_date < ${bounds.soonLimit}::date and reminded_at is null`;
  const column = stage === 'escalation' ? sql.ref('escalated_at') : sql.ref('reminded_at');
  const result = await sql<ClaimedApplication>`
    update share_applications set ${column} = ${at}, updated_at = ${at}
    where id in (
      select id from share_applications
      where status in ('pending', 'countersigning') and ${due}
      order by due_date, id
      limit ${limit}
      for update skip locked
    ) and status in ('pending', 'countersigning') and ${due}
    returning id, status, due_date, catalog_entry_id, catalog_code, catalog_name, applicant_org_name,
              provider_org_id, provider_name, authority_org_id`.execute(db);
  return result.rows;
}

// ---------------------------------------------------------------- grants

export interface NewGrant {
  application_id: string | null;
  consumer_org_id: string;
  consumer_name: string;
  provider_org_id: string;
  provider_name: string;
  authority_org_id: string | null;
  catalog_entry_id: string;
  catalog_code: string;
  catalog_name: string;
  items: string[];
  masking: Record<string, MaskRule>;
  row_filter: RowFilter | null;
  methods: ShareMethod[];
  rate_limit_per_minute: number;
  ip_allow: string[];
  expires_at: Date;
  created_at: Date;
}

export async function insertGrant(db: Executor, g: NewGrant): Promise<GrantRow> {
  return db
    .insertInto('share_grants')
    .values({
      ...g,
      items: JSON.stringify(g.items),
      masking: JSON.stringify(g.masking),
      row_filter: g.row_filter === null ? null : JSON.stringify(g.row_filter),
      methods: JSON.stringify(g.methods),
      ip_allow: JSON.stringify(g.ip_allow),
      valid_from: g.created_at,
      updated_at: g.created_at,
      status: 'active',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findGrant(db: Executor, id: string, forUpdate = false): Promise<GrantRow | undefined> {
  let q = db.selectFrom('share_grants').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The gateway's lookup: every grant of the consumer for the entry with this code, newest first. */
export async function grantsFor(db: Executor, consumerOrgId: string, catalogCode: string): Promise<GrantRow[]> {
  return db
    .selectFrom('share_grants')
    .selectAll()
    .where('consumer_org_id', '=', consumerOrgId)
    .where('catalog_code', '=', catalogCode)
    .orderBy('seq', 'desc')
    .execute();
}

export interface GrantTermsChange {
  masking: Record<string, MaskRule>;
  row_filter: RowFilter | null;
  rate_limit_per_minute: number;
  ip_allow: string[];
  expires_at: Date;
  updated_at: Date;
}

export async function updateGrantTerms(db: Executor, id: string, t: GrantTermsChange): Promise<GrantRow> {
  return db
    .updateTable('share_grants')
    .set({
      ...t,
      masking: JSON.stringify(t.masking),
      row_filter: t.row_filter === null ? null : JSON.stringify(t.row_filter),
      ip_allow: JSON.stringify(t.ip_allow),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function revokeGrant(db: Executor, id: string, r: { revoked_at: Date; revoked_by: string; revoke_reason: string }): Promise<GrantRow> {
  return db
    .updateTable('share_grants')
    .set({ ...r, status: 'revoked', updated_at: r.revoked_at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Which side of grants a list shows: the consumer's, the provider's, or the authority's providers'. */
export interface GrantScope {
  consumerOrgId?: string | undefined;
  providerOrgId?: string | undefined;
  authorityOrgId?: string | undefined;
}

export interface GrantFilter {
  status?: 'active' | 'expired' | 'revoked' | undefined;
  catalogCode?: string | undefined;
}

/** Grants on any of the scope's sides (an OR), newest first. An empty scope lists nothing. */
export async function listGrants(
  db: Executor,
  scope: GrantScope,
  filter: GrantFilter,
  now: Date,
  page: { offset: number; limit: number },
): Promise<{ rows: GrantRow[]; total: number }> {
  let q = db.selectFrom('share_grants').where((eb) => {
    const sides = [];
    if (scope.consumerOrgId) sides.push(eb('consumer_org_id', '=', scope.consumerOrgId));
    if (scope.providerOrgId) sides.push(eb('provider_org_id', '=', scope.providerOrgId));
    if (scope.authorityOrgId) sides.push(eb('authority_org_id', '=', scope.authorityOrgId));
    return sides.length === 0 ? sql<boolean>`false` : eb.or(sides);
  });
  switch (filter.status) {
    case 'active':
      q = q.where('status', '=', 'active').where('expires_at', '>', now);
      break;
    case 'expired':
      q = q.where('status', '=', 'active').where('expires_at', '<=', now);
      break;
    case 'revoked':
      q = q.where('status', '=', 'revoked');
      break;
    case undefined:
      break;
  }
  if (filter.catalogCode) q = q.where('catalog_code', '=', filter.catalogCode);
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('seq', 'desc').offset(page.offset).limit(page.limit).execute();
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(count.n) };
}
