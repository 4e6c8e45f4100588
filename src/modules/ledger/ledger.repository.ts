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

/** An entry with the copied columns that searches use, which verification checks too. */
export type FullEntryRow = EntryRow & { action: string; actor_id: string | null; subject_type: string; subject_id: string };

const LEDGER_LOCK = 'tianshu_ledger_sequencer';

/** Only one sequencer at a time across replicas; the lock ends with the transaction. */
export async function tryLockSequencer(trx: Executor): Promise<boolean> {
  const r = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${LEDGER_LOCK})) as locked`.execute(trx);
  return r.rows[0]?.locked === true;
}

/**
 * Reads up to `limit` pending entries in arrival order. Only the sequencer reads them, and only
 * while it holds the advisory lock, so no row lock is needed (a `FOR UPDATE` would write a WAL
 * record per row for nothing); `movePending` removes them in the same transaction.
 */
export async function takePending(trx: Executor, limit: number): Promise<PendingRow[]> {
  const r = await sql<PendingRow>`
    select id, time, actor, action, subject_type, subject_id, payload
    from ledger_pending order by id limit ${limit}`.execute(trx);
  return r.rows;
}

/** A pending entry given its place in the tree. */
export interface SequencedEntry {
  pendingId: number;
  seq: number;
  /** The entry's time as its canonical text has it (milliseconds, ISO 8601). */
  time: string;
  canonical: string;
  leafHash: Buffer;
}

/**
 * Moves sequenced entries from `ledger_pending` to `ledger_entries` in one statement; returns how
 * many moved. Only what the sequencer computed travels to the server: the payload, action, actor
 * and subject are copied server-side from the pending row they were hashed from. Each column
 * goes as one JSON array: JSON.stringify is native, whereas pg's array-literal encoding of the
 * canonical texts cost more (~0.1 ms per entry) than the insert itself.
 */
export async function movePending(trx: Executor, entries: readonly SequencedEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const r = await sql`
    with batch as (
      select v.id::bigint as id, v.seq::bigint as seq, v.time::timestamptz as time, v.canonical, decode(v.leaf, 'hex') as leaf_hash
      from rows from (
        json_array_elements_text(${JSON.stringify(entries.map((e) => e.pendingId))}::json),
        json_array_elements_text(${JSON.stringify(entries.map((e) => e.seq))}::json),
        json_array_elements_text(${JSON.stringify(entries.map((e) => e.time))}::json),
        json_array_elements_text(${JSON.stringify(entries.map((e) => e.canonical))}::json),
        json_array_elements_text(${JSON.stringify(entries.map((e) => e.leafHash.toString('hex')))}::json)
      ) as v(id, seq, time, canonical, leaf)
    ), moved as (
      delete from ledger_pending p using batch b where p.id = b.id
      returning p.id, p.actor, p.action, p.subject_type, p.subject_id, p.payload
    )
    insert into ledger_entries (seq, canonical, leaf_hash, payload, time, action, actor_type, actor_id, subject_type, subject_id)
    select b.seq, b.canonical, b.leaf_hash, m.payload, b.time, m.action,
           m.actor->>'type', m.actor->>'id', m.subject_type, m.subject_id
    from batch b join moved m on m.id = b.id`.execute(trx);
  return Number(r.numAffectedRows ?? 0n);
}

/** The newest pending id, or 0: flush() sequences up to this mark and no further. */
export async function maxPendingId(db: Executor): Promise<number> {
  const r = await db.selectFrom('ledger_pending').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  return Number(r?.m ?? 0);
}

export async function pendingUpTo(db: Executor, mark: number): Promise<boolean> {
  const r = await db.selectFrom('ledger_pending').select('id').where('id', '<=', mark).limit(1).executeTakeFirst();
  return r !== undefined;
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

export async function insertNodes(trx: Executor, nodes: ReadonlyArray<NodeRef & { hash: Buffer }>): Promise<void> {
  if (nodes.length === 0) return;
  // JSON arrays rather than pg arrays, for the reason given at movePending.
  await sql`
    insert into ledger_nodes (level, idx, hash)
    select v.level::smallint, v.idx::bigint, decode(v.hash, 'hex')
    from rows from (
      json_array_elements_text(${JSON.stringify(nodes.map((n) => n.level))}::json),
      json_array_elements_text(${JSON.stringify(nodes.map((n) => n.index))}::json),
      json_array_elements_text(${JSON.stringify(nodes.map((n) => n.hash.toString('hex')))}::json)
    ) as v(level, idx, hash)`.execute(trx);
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
export async function entriesAfter(db: Executor, afterSeq: number, limit: number): Promise<FullEntryRow[]> {
  return db
    .selectFrom('ledger_entries')
    .select(['seq', 'canonical', 'leaf_hash', 'payload', 'action', 'actor_id', 'subject_type', 'subject_id'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export async function countNodes(db: Executor): Promise<number> {
  const r = await db.selectFrom('ledger_nodes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}
