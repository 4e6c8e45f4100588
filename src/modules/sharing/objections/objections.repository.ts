import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Database, Executor } from '../../../core/db/database.js';
import type { ApplicationRow } from '../sharing.repository.js';
import type { ArbitrationOutcome, DataOutcome, ObjectionKind, ObjectionStatus } from './objections.types.js';

type Json<T> = ColumnType<T, string | undefined, string>;

declare module '../../../core/db/database.js' {
  interface Database {
    share_objections: {
      id: Generated<string>;
      seq: Generated<number>;
      kind: ObjectionKind;
      grant_id: string | null;
      application_id: string | null;
      catalog_entry_id: string;
      catalog_code: string;
      catalog_name: string;
      objector_org_id: string;
      objector_org_name: string;
      objector_user_id: string;
      objector_user_name: string;
      provider_org_id: string;
      provider_name: string;
      authority_org_id: string | null;
      record_keys: Json<string[]>;
      items: Json<string[]>;
      description: string;
      status: ObjectionStatus;
      outcome: DataOutcome | ArbitrationOutcome | null;
      outcome_comment: string | null;
      decided_by_user_id: string | null;
      decided_by_name: string | null;
      decided_at: Date | null;
      due_date: string;
      reminded_at: Date | null;
      escalated_at: Date | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
  }
}

export type ObjectionRow = Selectable<Database['share_objections']>;

export interface NewObjection {
  kind: ObjectionKind;
  grant_id: string | null;
  application_id: string | null;
  catalog_entry_id: string;
  catalog_code: string;
  catalog_name: string;
  objector_org_id: string;
  objector_org_name: string;
  objector_user_id: string;
  objector_user_name: string;
  provider_org_id: string;
  provider_name: string;
  authority_org_id: string | null;
  record_keys: string[];
  items: string[];
  description: string;
  due_date: string;
  created_at: Date;
}

export async function insertObjection(db: Executor, o: NewObjection): Promise<ObjectionRow> {
  return db
    .insertInto('share_objections')
    .values({ ...o, record_keys: JSON.stringify(o.record_keys), items: JSON.stringify(o.items), status: 'open', updated_at: o.created_at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findObjection(db: Executor, id: string, forUpdate = false): Promise<ObjectionRow | undefined> {
  let q = db.selectFrom('share_objections').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findObjections(db: Executor, ids: readonly string[]): Promise<ObjectionRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('share_objections').selectAll().where('id', 'in', ids).orderBy('due_date').orderBy('id').execute();
}

export async function findForApplication(db: Executor, applicationId: string): Promise<ObjectionRow | undefined> {
  return db.selectFrom('share_objections').selectAll().where('application_id', '=', applicationId).where('kind', '=', 'refusal').executeTakeFirst();
}

export async function decide(
  db: Executor,
  id: string,
  d: { status: ObjectionStatus; outcome: DataOutcome | ArbitrationOutcome; outcome_comment: string; decided_by_user_id: string; decided_by_name: string; decided_at: Date },
): Promise<ObjectionRow> {
  return db.updateTable('share_objections').set({ ...d, updated_at: d.decided_at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * An overturned refusal: the application goes back to the step that refused it, with a new due
 * date and its reminders and escalation still to come (SQL on the sharing tables: the same module).
 * Back to the authority's countersignature, the provider's approval and proposed terms stand;
 * back to the provider, it decides afresh.
 */
export async function reopenApplication(db: Executor, id: string, status: 'pending' | 'countersigning', dueDate: string, at: Date): Promise<ApplicationRow> {
  return db
    .updateTable('share_applications')
    .set({ status, due_date: dueDate, reminded_at: null, escalated_at: null, decided_at: null, ...(status === 'pending' ? { proposed_terms: null } : {}), updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'rejected')
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The open data objections to a grant (to refuse a repeat). */
export async function openDataObjections(db: Executor, grantId: string): Promise<ObjectionRow[]> {
  return db.selectFrom('share_objections').selectAll().where('grant_id', '=', grantId).where('kind', '=', 'data').where('status', '=', 'open').execute();
}

export async function withdrawObjection(db: Executor, id: string, w: { reason: string | null; user_id: string; user_name: string; at: Date }): Promise<ObjectionRow> {
  return db
    .updateTable('share_objections')
    .set({ status: 'withdrawn', outcome: null, outcome_comment: w.reason, decided_by_user_id: w.user_id, decided_by_name: w.user_name, decided_at: w.at, updated_at: w.at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The arbitration step in the application's decisions (003 widened the step and outcome checks). */
export async function insertArbitrationDecision(
  db: Executor,
  d: { application_id: string; actor_user_id: string; actor_name: string; organisation_id: string; comment: string; at: Date },
): Promise<void> {
  await sql`
    insert into share_decisions (application_id, step, outcome, actor_user_id, actor_name, organisation_id, comment, at)
    values (${d.application_id}, 'arbitration', 'reopened', ${d.actor_user_id}, ${d.actor_name}, ${d.organisation_id}, ${d.comment}, ${d.at})`.execute(db);
}

export type ObjectionScope =
  | { kind: 'mine'; organisationId: string }
  | { kind: 'assigned'; organisationId: string }
  | { kind: 'arbitration'; organisationId: string };

/**
 * mine: the objecting organisation's, newest first. assigned: those about the provider — objections
 * to its data and to its refusals (read-only); arbitration: the refusals an authority arbitrates
 * and the data objections of its providers that went past their due date; open ones first, the
 * most urgent first.
 */
export async function listObjections(
  db: Executor,
  scope: ObjectionScope,
  filter: { status?: ObjectionStatus | undefined; kind?: ObjectionKind | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: ObjectionRow[]; total: number }> {
  let q = db.selectFrom('share_objections');
  if (scope.kind === 'mine') q = q.where('objector_org_id', '=', scope.organisationId);
  else if (scope.kind === 'assigned') q = q.where('provider_org_id', '=', scope.organisationId);
  else
    q = q
      .where('authority_org_id', '=', scope.organisationId)
      .where((eb) => eb.or([eb('kind', '=', 'refusal'), eb('escalated_at', 'is not', null)]));
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  let rows = q.selectAll();
  rows =
    scope.kind === 'mine'
      ? rows.orderBy('created_at', 'desc')
      : rows.orderBy(sql`case when status = 'open' then 0 else 1 end`).orderBy('due_date').orderBy('created_at', 'desc');
  const found = await rows.orderBy('seq', 'desc').offset(page.offset).limit(page.limit).execute();
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows: found, total: Number(count.n) };
}
