import { sql, type RawBuilder } from 'kysely';
import { copyField, type CopyTarget } from '../../core/db/copy.js';
import type { Executor, Trx } from '../../core/db/database.js';
import { postgresType, type ColumnSpec } from './ingest/values.js';

/**
 * The tables of `table` resources (物理汇聚): one per resource in schema `data`, columns typed from the
 * info items, the key items as primary key, and an ordered change log beside it (`<table>__changes`)
 * that the sharing module's change feeds read. A load's rows wait in a staging table of their own
 * (`l_<load id>`) until they are merged. Every name here comes from a resource or load id or a column
 * name the catalog's rules accepted, and is checked again before it is written into SQL.
 *
 * The change log keeps changes in batches: one row holds up to CHANGE_BATCH consecutive changes of one
 * kind — their keys in order, the first change's sequence number and the last's. A load of a million
 * rows writes a thousand log rows, not a million; readers see one change per key (`changesAfter`).
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function ident(name: string): RawBuilder<unknown> {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  return sql.raw(`"${name}"`);
}

export const dataTableName = (resourceId: string): string => `r_${resourceId.replace(/-/g, '').toLowerCase()}`;
export const dataTable = (name: string): RawBuilder<unknown> => sql`data.${ident(name)}`;
export const changeTable = (name: string): RawBuilder<unknown> => sql`data.${ident(`${name}__changes`)}`;

/** Changes per change-log row. */
export const CHANGE_BATCH = 1000;

export const stagingTableName = (loadId: string): string => `l_${loadId.replace(/-/g, '').toLowerCase()}`;

/**
 * Text keys compare byte by byte (collation "C"): codes and ID numbers have no linguistic order, and
 * building or probing the key index is then a memcmp rather than a locale comparison.
 */
const columnDefinitions = (columns: readonly ColumnSpec[]) =>
  columns.map((c) => sql`${ident(c.column)} ${sql.raw(postgresType(c))}${c.isKey && c.dataType === 'string' ? sql` collate "C"` : sql``}${c.isKey ? sql` not null` : sql``}`);
const keyList = (columns: readonly ColumnSpec[]) => sql.join(columns.filter((c) => c.isKey).map((k) => ident(k.column)));

export async function createDataTable(trx: Trx, name: string, columns: readonly ColumnSpec[]): Promise<void> {
  if (!columns.some((c) => c.isKey)) throw new Error('a table resource needs a key');
  await sql`create table ${dataTable(name)} (${sql.join(columnDefinitions(columns))}, primary key (${keyList(columns)}))`.execute(trx);
  await sql`
    create table ${changeTable(name)} (
      seq bigint primary key,
      last_seq bigint not null,
      op text not null check (op in ('insert', 'update', 'delete')),
      -- The keys changed, in order: values for a one-column key, arrays of values for a composite one.
      -- json, not jsonb: it is written once and read in order, and json input only validates the text.
      keys json not null,
      at timestamptz not null default now(),
      -- Delete batches only: the deleted rows as they were (row_to_json), in the order of keys, so that a
      -- change feed can apply a grant's row filter to a row that no longer exists (migration 005).
      images json
    )`.execute(trx);
  // Uncompressed: a batch is ~20 KB of keys, which pglz would spend more time on than it saves (migration 004).
  await sql`alter table ${changeTable(name)} alter column keys set storage external, alter column images set storage external`.execute(trx);
  await sql`create index ${ident(`${name}__changes_at`)} on ${changeTable(name)} (at)`.execute(trx);
}

export async function dropDataTable(trx: Trx, name: string): Promise<void> {
  await sql`drop table if exists ${changeTable(name)}`.execute(trx);
  await sql`drop table if exists ${dataTable(name)}`.execute(trx);
}

/**
 * A load's staging table: the row each value came from, then every column (those the file lacks stay
 * null). An ordinary logged table, filled outside any transaction while the rows are checked, so that
 * a validated load survives a stopped process or a database restart and any replica can merge it.
 */
export async function createStagingTable(db: Executor, staging: string, columns: readonly ColumnSpec[]): Promise<void> {
  await sql`create table ${dataTable(staging)} (row_no bigint not null, ${sql.join(columnDefinitions(columns))})`.execute(db);
}

export async function dropStagingTable(db: Executor, staging: string): Promise<void> {
  await sql`drop table if exists ${dataTable(staging)}`.execute(db);
}

export async function stagingExists(db: Executor, staging: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${`data.${staging}`}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

/** Rows whose key an earlier row of the same load already had (their row and the first one's); removed from the staging table. */
export async function duplicateKeys(trx: Trx, staging: string, columns: readonly ColumnSpec[]): Promise<Array<{ row_no: number; first_row: number }>> {
  const keys = keyList(columns);
  const { rows } = await sql<{ row_no: number; first_row: number }>`
    with ranked as (
      select row_no, min(row_no) over (partition by ${keys}) as first_row from ${dataTable(staging)}
    ), removed as (
      delete from ${dataTable(staging)} s using ranked r where s.row_no = r.row_no and r.row_no <> r.first_row
      returning r.row_no, r.first_row
    )
    select row_no, first_row from removed order by row_no`.execute(trx);
  return rows.map((r) => ({ row_no: Number(r.row_no), first_row: Number(r.first_row) }));
}

export interface MergeCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/** The key of a row as stored in the log: the value, or an array of values for a composite key. */
function keyValue(columns: readonly ColumnSpec[], alias: string): RawBuilder<unknown> {
  const keys = columns.filter((c) => c.isKey);
  return keys.length === 1
    ? sql`to_json(${sql.raw(alias)}.${ident(keys[0]!.column)})`
    : sql`json_build_array(${sql.join(keys.map((k) => sql`${sql.raw(alias)}.${ident(k.column)}`))})`;
}

/**
 * Writes `changes` (rows of: o — the order of their kind, op, i — the order within it, k — the key,
 * img — a deleted row's image, else null) to the log in batches, numbered on from `lastSeq`. Returns
 * the SQL of the CTE body.
 */
function logChanges(name: string, lastSeq: number, changes: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    insert into ${changeTable(name)} (seq, last_seq, op, keys, images)
    select ${lastSeq}::bigint + coalesce(sum(n) over (order by o, b rows between unbounded preceding and 1 preceding), 0) + 1,
           ${lastSeq}::bigint + sum(n) over (order by o, b), op, keys, images
    from (
      select o, op, (i - 1) / ${sql.lit(CHANGE_BATCH)} as b, count(*) as n, json_agg(k order by i) as keys,
             json_agg(img order by i) filter (where op = 'delete') as images
      from (${changes}) c group by o, op, (i - 1) / ${sql.lit(CHANGE_BATCH)}
    ) g
    returning op, last_seq - seq + 1 as n`;
}

/** Change-log rows (COPY text) of inserts whose keys come batched, numbered on from `lastSeq`. */
function* batchLines(keyBatches: readonly string[], lastSeq: number): Generator<string> {
  let seq = lastSeq;
  for (let b = 0; b < keyBatches.length; b++) {
    const n = batchSize(keyBatches, b);
    yield `${seq + 1}\t${seq + n}\tinsert\t${copyField(keyBatches[b]!)}\n`;
    seq += n;
  }
}

/** Every batch is full but the last, which is counted. */
function batchSize(keyBatches: readonly string[], b: number): number {
  return b < keyBatches.length - 1 ? CHANGE_BATCH : (JSON.parse(keyBatches[b]!) as unknown[]).length;
}

/**
 * The fast merge of a first load (the resource's table is empty): the staging table becomes the
 * table. Its primary key is built in one sort — much cheaper than a million index insertions — and
 * the changes are the rows in file order. A duplicate key makes the key's build fail: the duplicates
 * are then removed (and reported) and the key built again. The caller holds the resource's lock.
 */
export async function adoptStaged(
  trx: Trx,
  name: string,
  staging: string,
  columns: readonly ColumnSpec[],
  lastSeq: number,
  keyBatches: readonly string[] | undefined,
  copy: (target: CopyTarget, lines: Iterable<string>) => Promise<number>,
): Promise<MergeCounts & { duplicates: Array<{ row_no: number; first_row: number }> }> {
  // The key's build is the duplicate check: it fails on the first duplicate, and only then are the
  // duplicates looked for (a sort of every row that a load without any need not pay).
  let duplicates: Array<{ row_no: number; first_row: number }> = [];
  const addKey = sql`alter table ${dataTable(staging)} add constraint ${ident(`${staging}_pkey`)} primary key (${keyList(columns)})`;
  await sql`savepoint adopt_key`.execute(trx);
  try {
    await addKey.execute(trx);
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await sql`rollback to savepoint adopt_key`.execute(trx);
    duplicates = await duplicateKeys(trx, staging, columns);
    await addKey.execute(trx);
  }
  await sql`release savepoint adopt_key`.execute(trx);
  // Every staged row is inserted, in file order. The loader gave their keys already batched when it
  // could (and no duplicate was removed since): nothing to read back.
  let inserted: number;
  if (keyBatches !== undefined && duplicates.length === 0) {
    await copy({ schema: 'data', table: `${name}__changes`, columns: ['seq', 'last_seq', 'op', 'keys'] }, batchLines(keyBatches, lastSeq));
    inserted = keyBatches.reduce((n, _, b) => n + batchSize(keyBatches, b), 0);
  } else {
    const { rows } = await sql<{ op: string; n: number }>`
      with logged as (${logChanges(name, lastSeq, sql`select 3 as o, 'insert' as op, row_number() over (order by row_no) as i, ${keyValue(columns, 's')} as k, null::json as img from ${dataTable(staging)} s`)})
      select op, sum(n)::bigint as n from logged group by op`.execute(trx);
    inserted = Number(rows[0]?.n ?? 0);
  }
  await sql`alter table ${dataTable(staging)} drop column row_no`.execute(trx);
  await sql`drop table ${dataTable(name)}`.execute(trx);
  await sql`alter table ${dataTable(staging)} rename to ${ident(name)}`.execute(trx);
  await sql`alter index ${sql`data.${ident(`${staging}_pkey`)}`} rename to ${ident(`${name}_pkey`)}`.execute(trx);
  return { inserted, updated: 0, deleted: 0, duplicates };
}

/**
 * Merges the staged rows into the resource's table in one statement, logging each change: rows whose
 * key is new are inserted, rows whose values differ are updated (only `present` columns — an upsert of
 * a file without some columns keeps their values), and with `replace` the rows the load does not have
 * are deleted. Identical rows change nothing and log nothing. Duplicate keys must be gone already.
 */
export async function mergeStaged(
  trx: Trx,
  name: string,
  staging: string,
  columns: readonly ColumnSpec[],
  present: readonly string[],
  mode: 'replace' | 'upsert',
  lastSeq: number,
): Promise<MergeCounts> {
  const keys = columns.filter((c) => c.isKey);
  const values = columns.filter((c) => !c.isKey && present.includes(c.column));
  const loaded = columns.filter((c) => c.isKey || present.includes(c.column));
  const sameKey = (a: string, b: string) => sql.join(keys.map((k) => sql`${sql.raw(a)}.${ident(k.column)} = ${sql.raw(b)}.${ident(k.column)}`), sql` and `);
  const table = dataTable(name);
  const staged = dataTable(staging);
  const none = sql`select ${sql.join(keys.map((k) => sql`null::${sql.raw(postgresType(k))} as ${ident(k.column)}`))}, null::json as img where false`;

  const updated =
    values.length === 0
      ? none
      : sql`update ${table} t set ${sql.join(values.map((c) => sql`${ident(c.column)} = s.${ident(c.column)}`))}
          from ${staged} s where ${sameKey('t', 's')}
            and (${sql.join(values.map((c) => sql`t.${ident(c.column)}`))}) is distinct from (${sql.join(values.map((c) => sql`s.${ident(c.column)}`))})
          returning ${sql.join(keys.map((k) => sql`t.${ident(k.column)}`))}, s.row_no`;
  const deleted =
    mode === 'replace'
      ? sql`delete from ${table} t where not exists (select 1 from ${staged} s where ${sameKey('s', 't')}) returning ${sql.join(keys.map((k) => sql`t.${ident(k.column)}`))}, row_to_json(t) as img`
      : none;
  const { rows } = await sql<{ op: string; n: number }>`
    with updated as (${updated}),
    inserted as (
      insert into ${table} (${sql.join(loaded.map((c) => ident(c.column)))})
      select ${sql.join(loaded.map((c) => sql`s.${ident(c.column)}`))} from ${staged} s
      where not exists (select 1 from ${table} t where ${sameKey('t', 's')})
      order by s.row_no
      returning ${sql.join(keys.map((k) => ident(k.column)))}
    ),
    deleted as (${deleted}),
    logged as (${logChanges(
      name,
      lastSeq,
      sql`select 1 as o, 'delete' as op, row_number() over () as i, ${keyValue(columns, 'd')} as k, d.img from deleted d
          union all select 2, 'update', row_number() over (order by u.row_no), ${keyValue(columns, 'u')}, null from updated u
          union all select 3, 'insert', row_number() over (), ${keyValue(columns, 'i')}, null from inserted i`,
    )})
    select op, sum(n)::bigint as n from logged group by op`.execute(trx);
  const count = (op: string) => Number(rows.find((r) => r.op === op)?.n ?? 0);
  return { inserted: count('insert'), updated: count('update'), deleted: count('delete') };
}

/** One change per key, in order, after a sequence number (a batch is opened where `after` falls). */
export async function changesAfter(
  db: Executor,
  name: string,
  columns: readonly ColumnSpec[],
  after: number,
  limit: number,
): Promise<Array<{ seq: number; op: string; key: Record<string, unknown>; at: Date }>> {
  const { rows } = await sql<{ seq: number; op: string; k: unknown; at: Date }>`
    select c.seq + e.ord - 1 as seq, c.op, e.k, c.at
    from ${changeTable(name)} c, json_array_elements(c.keys) with ordinality as e(k, ord)
    where c.seq > ${after - CHANGE_BATCH} and c.last_seq > ${after} and c.seq + e.ord - 1 > ${after}
    order by c.seq, e.ord
    limit ${limit}`.execute(db);
  const keys = columns.filter((c) => c.isKey);
  return rows.map((r) => ({
    seq: Number(r.seq),
    op: r.op,
    key: keys.length === 1 ? { [keys[0]!.column]: r.k } : Object.fromEntries(keys.map((k, i) => [k.column, (r.k as unknown[])[i]])),
    at: r.at,
  }));
}

/** True when the table has no row (a first load can adopt its staging table). */
export async function isEmpty(trx: Trx, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select exists (select 1 from ${dataTable(name)}) as found`.execute(trx);
  return rows[0]?.found === false;
}

export async function countRows(trx: Trx, name: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::bigint as n from ${dataTable(name)}`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Forgets changes older than the retention (housekeeping), always a prefix of the log: `at` is when a
 * load's transaction began, and one that waited for the resource's lock has later numbers but an
 * earlier time, so deleting by time alone could leave a hole that a feed's cursor check cannot see.
 */
export async function purgeChanges(trx: Trx, name: string, days: number): Promise<number> {
  const result = await sql`
    delete from ${changeTable(name)}
    where seq <= (select max(last_seq) from ${changeTable(name)} where at < now() - make_interval(days => ${days}))`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
