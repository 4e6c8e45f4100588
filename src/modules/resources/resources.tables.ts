import { sql, type RawBuilder } from 'kysely';
import type { Trx } from '../../core/db/database.js';
import { postgresType, type ColumnSpec } from './ingest/values.js';

/**
 * The tables of `table` resources (物理汇聚): one per resource in schema `data`, columns typed from the
 * info items, the key items as primary key, and an ordered change log beside it (`<table>__changes`:
 * seq, op, key, at) that the sharing module's change feeds read. Every name here comes from a
 * resource id or a column name the catalog's rules accepted, and is checked again before it is
 * written into SQL.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function ident(name: string): RawBuilder<unknown> {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  return sql.raw(`"${name}"`);
}

export const dataTableName = (resourceId: string): string => `r_${resourceId.replace(/-/g, '').toLowerCase()}`;
export const dataTable = (name: string): RawBuilder<unknown> => sql`data.${ident(name)}`;
export const changeTable = (name: string): RawBuilder<unknown> => sql`data.${ident(`${name}__changes`)}`;

export async function createDataTable(trx: Trx, name: string, columns: readonly ColumnSpec[]): Promise<void> {
  const keys = columns.filter((c) => c.isKey);
  if (keys.length === 0) throw new Error('a table resource needs a key');
  const definitions = columns.map((c) => sql`${ident(c.column)} ${sql.raw(postgresType(c))}${c.isKey ? sql` not null` : sql``}`);
  await sql`create table ${dataTable(name)} (${sql.join(definitions)}, primary key (${sql.join(keys.map((k) => ident(k.column)))}))`.execute(trx);
  await sql`
    create table ${changeTable(name)} (
      seq bigint generated always as identity primary key,
      op text not null check (op in ('insert', 'update', 'delete')),
      key jsonb not null,
      at timestamptz not null default clock_timestamp()
    )`.execute(trx);
  await sql`create index ${ident(`${name}__changes_at`)} on ${changeTable(name)} (at)`.execute(trx);
}

export async function dropDataTable(trx: Trx, name: string): Promise<void> {
  await sql`drop table if exists ${changeTable(name)}`.execute(trx);
  await sql`drop table if exists ${dataTable(name)}`.execute(trx);
}

/** The temporary table a load is copied into before it is merged: the columns, and the row each came from. */
export async function createStaging(trx: Trx, columns: readonly ColumnSpec[]): Promise<void> {
  const definitions = columns.map((c) => sql`${ident(c.column)} ${sql.raw(postgresType(c))}`);
  await sql`create temporary table load_staging (row_no bigint not null, ${sql.join(definitions)}) on commit drop`.execute(trx);
}

/** Rows whose key an earlier row of the same load already had: their row and the first one's. */
export async function duplicateKeys(trx: Trx, columns: readonly ColumnSpec[]): Promise<Array<{ row_no: number; first_row: number }>> {
  const keys = sql.join(columns.filter((c) => c.isKey).map((c) => ident(c.column)));
  const { rows } = await sql<{ row_no: number; first_row: number }>`
    select row_no, first_row from (
      select row_no, min(row_no) over (partition by ${keys}) as first_row from load_staging
    ) d where row_no <> first_row order by row_no`.execute(trx);
  await sql`delete from load_staging s where exists (
      select 1 from load_staging f where ${sql.join(columns.filter((c) => c.isKey).map((c) => sql`f.${ident(c.column)} = s.${ident(c.column)}`), sql` and `)} and f.row_no < s.row_no)`.execute(trx);
  return rows.map((r) => ({ row_no: Number(r.row_no), first_row: Number(r.first_row) }));
}

export interface MergeCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/**
 * Merges the staged rows into the resource's table in one statement, writing each change to the log:
 * rows whose key is new are inserted, rows whose values differ are updated (only `present` columns —
 * an upsert of a file without some columns keeps their values), and with `replace` the rows the load
 * does not have are deleted. Identical rows change nothing and log nothing.
 */
export async function mergeStaged(trx: Trx, name: string, columns: readonly ColumnSpec[], present: readonly string[], mode: 'replace' | 'upsert'): Promise<MergeCounts> {
  const keys = columns.filter((c) => c.isKey);
  const values = columns.filter((c) => !c.isKey && present.includes(c.column));
  const loaded = columns.filter((c) => c.isKey || present.includes(c.column));
  const sameKey = (a: string, b: string) => sql.join(keys.map((k) => sql`${sql.raw(a)}.${ident(k.column)} = ${sql.raw(b)}.${ident(k.column)}`), sql` and `);
  const keyJson = (alias: string) => sql`jsonb_build_object(${sql.join(keys.map((k) => sql`${sql.lit(k.column)}, ${sql.raw(alias)}.${ident(k.column)}`))})`;
  const table = dataTable(name);

  const updated =
    values.length === 0
      ? sql`select ${sql.join(keys.map((k) => sql`null::${sql.raw(postgresType(k))} as ${ident(k.column)}`))} where false`
      : sql`update ${table} t set ${sql.join(values.map((c) => sql`${ident(c.column)} = s.${ident(c.column)}`))}
          from load_staging s where ${sameKey('t', 's')}
            and (${sql.join(values.map((c) => sql`t.${ident(c.column)}`))}) is distinct from (${sql.join(values.map((c) => sql`s.${ident(c.column)}`))})
          returning ${sql.join(keys.map((k) => sql`t.${ident(k.column)}`))}`;
  const deleted =
    mode === 'replace'
      ? sql`delete from ${table} t where not exists (select 1 from load_staging s where ${sameKey('s', 't')}) returning ${sql.join(keys.map((k) => sql`t.${ident(k.column)}`))}`
      : sql`select ${sql.join(keys.map((k) => sql`null::${sql.raw(postgresType(k))} as ${ident(k.column)}`))} where false`;
  const { rows } = await sql<{ op: string; n: number }>`
    with updated as (${updated}),
    inserted as (
      insert into ${table} (${sql.join(loaded.map((c) => ident(c.column)))})
      select ${sql.join(loaded.map((c) => sql`s.${ident(c.column)}`))} from load_staging s
      where not exists (select 1 from ${table} t where ${sameKey('t', 's')})
      order by s.row_no
      returning ${sql.join(keys.map((k) => ident(k.column)))}
    ),
    deleted as (${deleted}),
    logged as (
      insert into ${changeTable(name)} (op, key)
      select 'delete', ${keyJson('d')} from deleted d
      union all select 'update', ${keyJson('u')} from updated u
      union all select 'insert', ${keyJson('i')} from inserted i
      returning op
    )
    select op, count(*)::integer as n from logged group by op`.execute(trx);
  const count = (op: string) => Number(rows.find((r) => r.op === op)?.n ?? 0);
  return { inserted: count('insert'), updated: count('update'), deleted: count('delete') };
}

export async function countRows(trx: Trx, name: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::bigint as n from ${dataTable(name)}`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

/** Forgets changes older than the retention (housekeeping). */
export async function purgeChanges(trx: Trx, name: string, days: number): Promise<number> {
  const result = await sql`delete from ${changeTable(name)} where at < now() - make_interval(days => ${days})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
