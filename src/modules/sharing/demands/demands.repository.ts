import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Database, Executor } from '../../../core/db/database.js';
import type { DemandAnswerKind, DemandStatus, DemandStepKind } from './demands.types.js';

/** A jsonb column: read as T, written as its JSON text. */
type Json<T> = ColumnType<T, string | undefined, string>;

declare module '../../../core/db/database.js' {
  interface Database {
    share_demands: {
      id: Generated<string>;
      seq: Generated<number>;
      requester_org_id: string;
      requester_org_name: string;
      requester_user_id: string;
      requester_user_name: string;
      title: string;
      description: string;
      items: Json<string[]>;
      purpose: string;
      legal_basis: string | null;
      expected_by: string | null;
      status: DemandStatus;
      authority_org_id: string | null;
      provider_org_id: string | null;
      provider_name: string | null;
      routed_org_ids: Json<string[]>;
      due_date: string | null;
      reminded_at: Date | null;
      escalated_at: Date | null;
      answer_kind: DemandAnswerKind | null;
      answer_catalog_id: string | null;
      answer_catalog_code: string | null;
      answer_catalog_name: string | null;
      answer_planned_date: string | null;
      answer_text: string | null;
      answered_at: Date | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    share_demand_steps: {
      id: Generated<string>;
      seq: Generated<number>;
      demand_id: string;
      step: DemandStepKind;
      actor_user_id: string | null;
      actor_name: string | null;
      organisation_id: string | null;
      organisation_name: string | null;
      details: Json<Record<string, unknown>>;
      at: Generated<Date>;
    };
  }
}

export type DemandRow = Selectable<Database['share_demands']>;
export type DemandStepRow = Selectable<Database['share_demand_steps']>;

export interface NewDemand {
  requester_org_id: string;
  requester_org_name: string;
  requester_user_id: string;
  requester_user_name: string;
  title: string;
  description: string;
  items: string[];
  purpose: string;
  legal_basis: string | null;
  expected_by: string | null;
  authority_org_id: string;
  created_at: Date;
}

export async function insertDemand(db: Executor, d: NewDemand): Promise<DemandRow> {
  return db
    .insertInto('share_demands')
    .values({ ...d, items: JSON.stringify(d.items), status: 'submitted', updated_at: d.created_at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findDemand(db: Executor, id: string, forUpdate = false): Promise<DemandRow | undefined> {
  let q = db.selectFrom('share_demands').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findDemands(db: Executor, ids: readonly string[]): Promise<DemandRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('share_demands').selectAll().where('id', 'in', ids).orderBy('due_date').orderBy('id').execute();
}

export interface DemandChange {
  status?: DemandStatus;
  provider_org_id?: string | null;
  provider_name?: string | null;
  routed_org_ids?: string[];
  due_date?: string | null;
  reminded_at?: Date | null;
  escalated_at?: Date | null;
  answer_kind?: DemandAnswerKind | null;
  answer_catalog_id?: string | null;
  answer_catalog_code?: string | null;
  answer_catalog_name?: string | null;
  answer_planned_date?: string | null;
  answer_text?: string | null;
  answered_at?: Date | null;
  updated_at: Date;
}

export async function updateDemand(db: Executor, id: string, change: DemandChange): Promise<DemandRow> {
  const { routed_org_ids, ...rest } = change;
  return db
    .updateTable('share_demands')
    .set({ ...rest, ...(routed_org_ids === undefined ? {} : { routed_org_ids: JSON.stringify(routed_org_ids) }) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertStep(
  db: Executor,
  s: { demand_id: string; step: DemandStepKind; actor_user_id: string | null; actor_name: string | null; organisation_id: string | null; organisation_name: string | null; details: Record<string, unknown>; at: Date },
): Promise<void> {
  await db.insertInto('share_demand_steps').values({ ...s, details: JSON.stringify(s.details) }).execute();
}

export async function listSteps(db: Executor, demandId: string): Promise<DemandStepRow[]> {
  return db.selectFrom('share_demand_steps').selectAll().where('demand_id', '=', demandId).orderBy('seq').execute();
}

export type DemandScope =
  | { kind: 'mine'; organisationId: string }
  | { kind: 'routing'; organisationId: string }
  | { kind: 'assigned'; organisationId: string };

/**
 * mine: the requester organisation's demands, newest first; routing: the authority's, those waiting
 * for routing first; assigned: those routed to the organisation now, the most urgent first.
 */
export async function listDemands(
  db: Executor,
  scope: DemandScope,
  status: DemandStatus | undefined,
  page: { offset: number; limit: number },
): Promise<{ rows: DemandRow[]; total: number }> {
  let q = db.selectFrom('share_demands');
  switch (scope.kind) {
    case 'mine':
      q = q.where('requester_org_id', '=', scope.organisationId);
      break;
    case 'routing':
      q = q.where('authority_org_id', '=', scope.organisationId);
      break;
    case 'assigned':
      q = q.where('provider_org_id', '=', scope.organisationId);
      break;
  }
  if (status) q = q.where('status', '=', status);
  let rows = q.selectAll();
  if (scope.kind === 'mine') rows = rows.orderBy('created_at', 'desc');
  else if (scope.kind === 'routing') rows = rows.orderBy(sql`case when status = 'submitted' or (status = 'answered' and answer_kind = 'not_held') then 0 else 1 end`).orderBy('created_at', 'desc');
  else rows = rows.orderBy(sql`case when status = 'routed' then 0 else 1 end`).orderBy(sql`due_date asc nulls last`).orderBy('created_at', 'desc');
  const found = await rows.orderBy('seq', 'desc').offset(page.offset).limit(page.limit).execute();
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows: found, total: Number(count.n) };
}
