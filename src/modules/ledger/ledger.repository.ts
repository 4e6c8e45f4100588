import { sql, type Generated } from 'kysely';
import type { Executor } from '../../core/db/database.js';
import type { NodeRef } from './merkle.js';

declare module '../../core/db/database.js' {
  interface Database {
    ledger_pending: {
      id: Generated<number>;
      time: Generated<Date>;
      actor: unknown;
      action: string;
      subject_type: string;
      subject_id: string;
      payload: unknown;
    };
    ledger_entries: {
      seq: number;
      canonical: string;
      leaf_hash: Uint8Array;
      payload: unknown;
      time: Date;
      action: string;
      actor_type: string;
      actor_id: string | null;
      subject_type: string;
      subject_id: string;
    };
    ledger_nodes: { level: number; idx: number; hash: Uint8Array };
    ledger_heads: { tree_size: number; root_hash: string; signed_at: Date; signed_payload: string; signature: string };
  }
}

export interface PendingRow {
  id: number;
  time: Date;
  actor: Record<string, unknown>;
  action: string;
  subject_type: string;
  subject_id: string;
  payload: Record<string, unknown>;
}

export interface HeadRow {
  tree_size: number;
  root_hash: string;
  signed_at: Date;
  signed_payload: string;
  signature: string;
}

export type EntryRow = {
  seq: number;
  canonical: string;
  leaf_hash: Uint8Array;
  payload: unknown;
};

const LEDGER_LOCK = 'tianshu_ledger_sequencer';

/** Only one sequencer at a time across replicas; the lock ends with the transaction. */
export async function tryLockSequencer(trx: Executor): Promise<boolean> {
  const r = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${LEDGER_LOCK})) as locked`.execute(trx);
  return r.rows[0]?.locked === true;
}

/** Takes up to `limit` pending entries in arrival order, removing them in the same transaction. */
export async function takePending(trx: Executor, limit: number): Promise<PendingRow[]> {
  const r = await sql<PendingRow>`
    delete from ledger_pending
    where id in (select id from ledger_pending order by id limit ${limit} for update skip locked)
    returning id, time, actor, action, subject_type, subject_id, payload`.execute(trx);
  return r.rows.sort((a, b) => a.id - b.id);
}

export async function countPending(db: Executor): Promise<number> {
  const r = await db.selectFrom('ledger_pending').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function latestHead(db: Executor): Promise<HeadRow | undefined> {
  return db.selectFrom('ledger_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
}

export async function headsUpTo(db: Executor, afterSize: number, limit: number): Promise<HeadRow[]> {
  return db
    .selectFrom('ledger_heads')
    .selectAll()
    .where('tree_size', '>', afterSize)
    .orderBy('tree_size')
    .limit(limit)
    .execute();
}

export async function insertEntries(
  trx: Executor,
  rows: Array<{
    seq: number;
    canonical: string;
    leafHash: Buffer;
    payload: Record<string, unknown>;
    time: Date;
    action: string;
    actorType: string;
    actorId: string | null;
    subjectType: string;
    subjectId: string;
  }>,
): Promise<void> {
  if (rows.length === 0) return;
  // unnest() turns ten arrays into rows: one statement and ten parameters for the whole batch.
  await sql`
    insert into ledger_entries (seq, canonical, leaf_hash, payload, time, action, actor_type, actor_id, subject_type, subject_id)
    select * from unnest(
      ${rows.map((r) => r.seq)}::bigint[], ${rows.map((r) => r.canonical)}::text[],
      ${rows.map((r) => r.leafHash)}::bytea[], ${rows.map((r) => JSON.stringify(r.payload))}::jsonb[],
      ${rows.map((r) => r.time)}::timestamptz[], ${rows.map((r) => r.action)}::text[],
      ${rows.map((r) => r.actorType)}::text[], ${rows.map((r) => r.actorId)}::text[],
      ${rows.map((r) => r.subjectType)}::text[], ${rows.map((r) => r.subjectId)}::text[])`.execute(trx);
}

export async function insertNodes(trx: Executor, nodes: Array<NodeRef & { hash: Buffer }>): Promise<void> {
  if (nodes.length === 0) return;
  await sql`
    insert into ledger_nodes (level, idx, hash)
    select * from unnest(${nodes.map((n) => n.level)}::smallint[], ${nodes.map((n) => n.index)}::bigint[],
                         ${nodes.map((n) => n.hash)}::bytea[])`.execute(trx);
}

export async function insertHead(trx: Executor, head: HeadRow): Promise<void> {
  await trx.insertInto('ledger_heads').values(head).execute();
}

/** Loads the given nodes; missing ones are absent from the map. */
export async function loadNodes(db: Executor, refs: readonly NodeRef[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (refs.length === 0) return found;
  const r = await sql<{ level: number; idx: number; hash: Uint8Array }>`
    select n.level, n.idx, n.hash from ledger_nodes n
    join unnest(${refs.map((x) => x.level)}::smallint[], ${refs.map((x) => x.index)}::bigint[]) as want(level, idx)
      on n.level = want.level and n.idx = want.idx`.execute(db);
  for (const row of r.rows) found.set(nodeKey(row), Buffer.from(row.hash));
  return found;
}

export const nodeKey = (ref: { level: number; idx?: number; index?: number }): string =>
  `${ref.level}:${ref.idx ?? ref.index}`;

export async function entryBySeq(db: Executor, seq: number): Promise<EntryRow | undefined> {
  return db
    .selectFrom('ledger_entries')
    .select(['seq', 'canonical', 'leaf_hash', 'payload'])
    .where('seq', '=', seq)
    .executeTakeFirst();
}

export interface EntryFilter {
  action?: string | undefined;
  actorId?: string | undefined;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
}

export async function listEntries(
  db: Executor,
  filter: EntryFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: EntryRow[]; total: number }> {
  let q = db.selectFrom('ledger_entries');
  if (filter.action) q = q.where('action', 'like', `${filter.action.replace(/[\\%_]/g, '\\$&')}%`);
  if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
  if (filter.subjectType) q = q.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId);
  const [rows, count] = await Promise.all([
    q
      .select(['seq', 'canonical', 'leaf_hash', 'payload'])
      .orderBy('seq', 'desc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** Entries in sequence order, a page at a time, for verification. */
export async function entriesAfter(db: Executor, afterSeq: number, limit: number): Promise<EntryRow[]> {
  return db
    .selectFrom('ledger_entries')
    .select(['seq', 'canonical', 'leaf_hash', 'payload'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export async function countNodes(db: Executor): Promise<number> {
  const r = await db.selectFrom('ledger_nodes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}
