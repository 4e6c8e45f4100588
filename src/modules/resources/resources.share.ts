import { sql, type RawBuilder } from 'kysely';
import { canonicalJson } from '../../core/canonical-json.js';
import { openSecret, sealSecret, sm3Hex } from '../../core/crypto/index.js';
import type { Db } from '../../core/db/db.js';
import type { Executor } from '../../core/db/database.js';
import { InputError } from '../../core/errors.js';
import { postgresType, type ColumnSpec } from './ingest/values.js';
import * as api from './resources.api.js';
import * as E from './resources.errors.js';
import * as repo from './resources.repository.js';
import { CHANGE_BATCH, changeTable, dataTable } from './resources.tables.js';

/**
 * System-level readers for the sharing gateway (issue 5): no actor, because the gateway has already
 * checked the consumer's grant — which items, which rows, how masked. This file only reads what it is
 * asked for, the way the resources module stores it: by the primary key, or by conditions in key
 * order with keyset pagination, values normalised as the rows API does. Who may read is never
 * decided here.
 */

/** A table resource as the gateway reads it. */
export interface ShareTable {
  resourceId: string;
  tableName: string;
  columns: readonly ColumnSpec[];
  /** The key columns, in key order (records?key= takes their values in this order). */
  keys: readonly string[];
  /** Data was loaded at least once (an empty table after a load is data too: no rows). */
  loaded: boolean;
}

/** What an entry offers through the gateway. */
export interface ShareSource {
  catalogEntryId: string;
  catalogCode: string;
  providerId: string;
  table: ShareTable | null;
  /** Its api resources, newest first. */
  apiResourceIds: string[];
}

export type ShareOp = 'eq' | 'in' | 'prefix' | 'gte' | 'lte';

/** One condition on a column; `values` has one value except for `in`. */
export interface ShareCondition {
  column: string;
  op: ShareOp;
  values: readonly unknown[];
}

export interface ShareQuery {
  /** The whole key, in key order: at most one row. */
  key?: readonly unknown[] | undefined;
  /** The caller's conditions (on granted items; the gateway checked which). */
  conditions?: readonly ShareCondition[] | undefined;
  /** The grant's row filter, its values resolved. */
  rowFilter?: ShareCondition | null | undefined;
  /** The columns to return, in this order. */
  columns: readonly string[];
  /** A cursor from an earlier page's `next`. */
  after?: string | undefined;
  limit: number;
}

export interface ShareRows {
  rows: Array<Record<string, unknown>>;
  /** Set when more rows follow: pass it as `after`. */
  next?: string;
}

/** The most values an `in` condition takes. */
export const MAX_IN_VALUES = 1000;
/** A query with conditions beyond the key is stopped after this long (PostgreSQL). */
export const QUERY_TIMEOUT_MS = 5000;

const COLUMN = /^[a-z][a-z0-9_]{0,62}$/;

/** A column as SQL: names come from the catalog's rules (COLUMN_PATTERN) and are checked again here. */
function col(name: string): RawBuilder<unknown> {
  if (!COLUMN.test(name)) throw new Error(`not a plain column name: ${JSON.stringify(name)}`);
  return sql.ref(name);
}

/** The entry's resources, by its catalog code (undefined: no resource carries the code). */
export async function findShareSource(db: Executor, catalogCode: string): Promise<ShareSource | undefined> {
  const rows = await db
    .selectFrom('resources')
    .select(['id', 'kind', 'catalog_entry_id', 'catalog_code', 'provider_id', 'table_name', 'columns', 'last_loaded_at'])
    .where('catalog_code', '=', catalogCode)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return undefined;
  const t = rows.find((r) => r.kind === 'table' && r.table_name !== null && r.columns !== null);
  return {
    catalogEntryId: rows[0]!.catalog_entry_id,
    catalogCode,
    providerId: rows[0]!.provider_id,
    table: t
      ? { resourceId: t.id, tableName: t.table_name!, columns: t.columns!, keys: t.columns!.filter((c) => c.isKey).map((c) => c.column), loaded: t.last_loaded_at !== null }
      : null,
    apiResourceIds: rows.filter((r) => r.kind === 'api').map((r) => r.id),
  };
}

// ---------------------------------------------------------------- values

const INTEGER = /^-?\d{1,19}$/;
const DECIMAL = /^-?\d{1,100}(\.\d{1,100})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A value from the request as a parameter for `spec`'s column, or undefined when it cannot be one.
 * The database gets text it can cast to the column's type; values it still refuses (30 February)
 * become 400 INVALID_VALUE through the error handler.
 */
function paramFor(spec: ColumnSpec, value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = String(value);
  switch (spec.dataType) {
    case 'string':
      return typeof value === 'boolean' ? undefined : text;
    case 'integer':
      return (typeof value === 'number' ? Number.isSafeInteger(value) : INTEGER.test(text)) ? text : undefined;
    case 'decimal':
      return (typeof value === 'number' ? Number.isFinite(value) : DECIMAL.test(text)) ? text : undefined;
    case 'date':
      return typeof value === 'string' && DATE.test(text) ? text : undefined;
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(text)) ? new Date(text).toISOString() : undefined;
    case 'boolean':
      return typeof value === 'boolean' || text === 'true' || text === 'false' ? text : undefined;
    case 'binary':
      return undefined;
  }
}

const filterInvalid = (message: string, messageZh: string, details: Record<string, unknown>) => new InputError('FILTER_INVALID', message, messageZh, details);

function conditionSql(table: ShareTable, c: ShareCondition): RawBuilder<unknown> {
  const spec = table.columns.find((s) => s.column === c.column);
  if (!spec) throw filterInvalid(`No column ${c.column}`, `没有信息项 ${c.column}`, { column: c.column });
  if (c.values.length === 0 || (c.op !== 'in' && c.values.length !== 1)) throw filterInvalid(`${c.column}: ${c.op} needs ${c.op === 'in' ? 'values' : 'one value'}`, `${c.column}：${c.op} 缺少取值`, { column: c.column });
  if (c.values.length > MAX_IN_VALUES) throw filterInvalid(`${c.column}: at most ${MAX_IN_VALUES} values`, `${c.column}：取值不能超过 ${MAX_IN_VALUES} 个`, { column: c.column });
  if (c.op === 'prefix' && spec.dataType !== 'string') throw filterInvalid(`${c.column}: prefix applies to text items only`, `${c.column}：前缀匹配仅适用于字符型信息项`, { column: c.column });
  const params = c.values.map((v) => {
    const p = paramFor(spec, v);
    if (p === undefined) throw filterInvalid(`${c.column}: not a valid ${spec.dataType} value`, `${c.column}：取值不符合类型 ${spec.dataType}`, { column: c.column, dataType: spec.dataType });
    return p;
  });
  const ref = col(c.column);
  switch (c.op) {
    case 'eq':
      return sql`${ref} = ${params[0]}`;
    case 'in':
      return sql`${ref} in (${sql.join(params)})`;
    case 'gte':
      return sql`${ref} >= ${params[0]}`;
    case 'lte':
      return sql`${ref} <= ${params[0]}`;
    case 'prefix':
      // LIKE with its wildcards escaped: the value is a prefix, never a pattern.
      return sql`${ref} like ${`${params[0]!.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`}`;
  }
}

// ---------------------------------------------------------------- cursors

/**
 * A page's cursor: the last key read, sealed with the node key (SM4 + HMAC-SM3) and bound to the
 * resource. Sealed rather than merely encoded because the key may be a masked item (an ID number):
 * the cursor must not hand back what masking hid. Any replica opens it (the node key is shared).
 */
function sealCursor(nodeKey: Buffer, table: ShareTable, key: readonly unknown[]): string {
  return sealSecret(nodeKey, canonicalJson({ r: table.resourceId, k: key }));
}

function openCursor(nodeKey: Buffer, table: ShareTable, cursor: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(openSecret(nodeKey, cursor));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { r?: unknown; k?: unknown } | undefined;
  if (!p || p.r !== table.resourceId || !Array.isArray(p.k) || p.k.length !== table.keys.length) {
    throw new InputError('CURSOR_INVALID', 'The cursor is not one this query returned; start again without `after`', '分页游标无效，请不带 after 重新查询');
  }
  return p.k;
}

// ---------------------------------------------------------------- reading

/** JSON-friendly values, as the rows API gives them (normaliseRow in resources.service.ts). */
function normalise(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}

/** The key's values as parameters, in key order; 400 KEY_INVALID when they cannot be the key. */
function checkedKey(table: ShareTable, key: readonly unknown[]): string[] {
  if (key.length !== table.keys.length) {
    throw new InputError('KEY_INVALID', `The key has ${table.keys.length} part(s): ${table.keys.join(', ')}, in this order`, `主键由 ${table.keys.length} 部分组成：${table.keys.join('、')}（按此顺序）`, {
      keyColumns: table.keys,
    });
  }
  return table.keys.map((k, i) => {
    const spec = table.columns.find((c) => c.column === k)!;
    const p = paramFor(spec, key[i]);
    if (p === undefined) throw new InputError('KEY_INVALID', `${k}: not a valid ${spec.dataType} value`, `${k}：取值不符合类型 ${spec.dataType}`, { keyColumns: table.keys });
    return p;
  });
}

/**
 * Rows of a table resource: by the whole key (at most one), or by conditions ordered by the key,
 * after a cursor, at most `limit` of them — always under the grant's row filter. Only `columns` are
 * returned; `next` is set when more rows follow.
 */
export async function shareRecords(deps: { db: Db; nodeKey: Buffer; timeoutMs?: number }, table: ShareTable, query: ShareQuery): Promise<ShareRows> {
  if (query.key !== undefined && !query.conditions?.length && !query.rowFilter && query.after === undefined) return recordByKey(deps.db, table, query.key, query.columns);
  const timeoutMs = deps.timeoutMs ?? QUERY_TIMEOUT_MS;
  const where: Array<RawBuilder<unknown>> = [];
  if (query.key !== undefined) {
    const params = checkedKey(table, query.key);
    table.keys.forEach((k, i) => where.push(sql`${col(k)} = ${params[i]}`));
  }
  for (const c of query.conditions ?? []) where.push(conditionSql(table, c));
  if (query.rowFilter) where.push(conditionSql(table, query.rowFilter));
  if (query.after !== undefined) {
    const last = openCursor(deps.nodeKey, table, query.after);
    where.push(sql`(${sql.join(table.keys.map(col))}) > (${sql.join(last)})`);
  }
  const selected = [...new Set([...query.columns, ...table.keys])];
  const statement = sql<Record<string, unknown>>`
    select ${sql.join(selected.map(col))} from ${dataTable(table.tableName)}
    ${where.length > 0 ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    order by ${sql.join(table.keys.map(col))}
    limit ${query.limit + 1}`;
  // A lookup by key is one index probe; anything else may scan, and is stopped before it hurts others.
  const scans = query.key === undefined && (query.conditions?.length ?? 0) + (query.rowFilter ? 1 : 0) > 0;
  let found: Array<Record<string, unknown>>;
  try {
    found =
      scans && deps.db.engine === 'postgres'
        ? await deps.db.kysely.transaction().execute(async (trx) => {
            await sql`set local statement_timeout = ${sql.lit(timeoutMs)}`.execute(trx);
            return (await statement.execute(trx)).rows;
          })
        : (await statement.execute(deps.db.kysely)).rows;
  } catch (err) {
    if ((err as { code?: unknown }).code === '57014') {
      throw new InputError('QUERY_TOO_EXPENSIVE', `The query ran longer than ${timeoutMs / 1000} s; filter on the key or on fewer rows`, `查询超过 ${timeoutMs / 1000} 秒未完成，请按主键或更精确的条件查询`, { timeoutMs });
    }
    throw err;
  }
  const more = found.length > query.limit;
  const page = more ? found.slice(0, query.limit) : found;
  const rows = page.map((r) => {
    const out: Record<string, unknown> = {};
    for (const c of query.columns) out[c] = normalise(r[c]);
    return out;
  });
  if (!more) return { rows };
  const last = page[page.length - 1]!;
  return { rows, next: sealCursor(deps.nodeKey, table, table.keys.map((k) => normalise(last[k]))) };
}

// ---------------------------------------------------------------- change feeds

/** One change as a feed gives it: the key's values and, but for deletes, the row as it is now. */
export interface ShareChange {
  seq: number;
  op: 'insert' | 'update' | 'delete';
  /** Every key column's value (the gateway keeps the granted ones, masked). */
  key: Record<string, unknown>;
  /** `columns` of the row as it is now; null for a delete. */
  record: Record<string, unknown> | null;
  at: Date;
}

export interface ShareChanges {
  changes: ShareChange[];
  /** The last sequence number looked at: the next read starts after it (changes the filter refused included). */
  scannedTo: number;
}

/** Where a table's change log stands: the last sequence number given, and the oldest still kept. */
export interface FeedPosition {
  latest: number;
  /** null when the log keeps no change (none made yet, or all past the retention). */
  oldest: number | null;
}

export async function shareFeedPosition(db: Executor, table: ShareTable): Promise<FeedPosition> {
  const { rows } = await sql<{ latest: string | number; oldest: string | number | null }>`
    select r.change_seq as latest, (select min(seq) from ${changeTable(table.tableName)}) as oldest
    from resources r where r.id = ${table.resourceId}`.execute(db);
  const row = rows[0];
  return { latest: Number(row?.latest ?? 0), oldest: row?.oldest == null ? null : Number(row.oldest) };
}

/**
 * The changes after `after`, at most `limit` looked at, each with the row as it is now (the change log
 * keeps keys only): an insert or update whose row is gone since is left out (its delete follows), and
 * under a row filter only changes to rows the filter admits are given — for a delete, as the row was
 * (the batch's images). One statement: the log's batches opened in order, each key probing the table.
 * The working columns are named `__…`, which no item's column can be (COLUMN_PATTERN).
 */
export async function shareChanges(
  db: Executor,
  table: ShareTable,
  query: { after: number; limit: number; columns: readonly string[]; rowFilter?: ShareCondition | null | undefined },
): Promise<ShareChanges> {
  const keySpecs = table.keys.map((k) => table.columns.find((c) => c.column === k)!);
  const keyOf = (spec: ColumnSpec, i: number) =>
    keySpecs.length === 1 ? sql`(ch.__k #>> '{}')::${sql.raw(postgresType(spec))}` : sql`(ch.__k ->> ${sql.lit(i)})::${sql.raw(postgresType(spec))}`;
  const sameKey = sql.join(keySpecs.map((spec, i) => sql`t.${col(spec.column)} = ${keyOf(spec, i)}`), sql` and `);
  const admitted = query.rowFilter ? sql`coalesce(${conditionSql(table, query.rowFilter)}, false)` : sql`true`;
  const selected = [...new Set([...query.columns, ...table.keys])];
  const { rows } = await sql<Record<string, unknown> & { __seq: string | number; __op: ShareChange['op']; __at: Date; __k: unknown; __found: boolean | null; __admitted: boolean | null }>`
    with ch as (
      select c.seq + e.ord - 1 as __seq, c.op as __op, e.k as __k, c.at as __at,
             case when c.op = 'delete' then c.images -> (e.ord::int - 1) end as __img
      from ${changeTable(table.tableName)} c, json_array_elements(c.keys) with ordinality as e(k, ord)
      where c.seq > ${query.after - CHANGE_BATCH} and c.last_seq > ${query.after} and c.seq + e.ord - 1 > ${query.after}
      order by c.seq, e.ord
      limit ${query.limit}
    )
    select ch.__seq, ch.__op, ch.__at, ch.__k, r.__found, ${admitted} as __admitted, ${sql.join(selected.map((c) => sql`r.${col(c)}`))}
    from ch left join lateral (
      select true as __found, t.* from ${dataTable(table.tableName)} t where ch.__op <> 'delete' and ${sameKey}
      union all
      select true, i.* from json_populate_record(null::${dataTable(table.tableName)}, ch.__img) i where ch.__op = 'delete' and ch.__img is not null
    ) r on true
    order by ch.__seq`.execute(db);
  const changes: ShareChange[] = [];
  for (const r of rows) {
    // A delete logged before images were kept (migration 005) names only its key: a feed without a
    // row filter gives it from there; one with a filter cannot tell whether the row was the consumer's.
    const imageless = r.__op === 'delete' && r.__found !== true && !query.rowFilter;
    if (!imageless && (r.__found !== true || r.__admitted !== true)) continue;
    const key: Record<string, unknown> = {};
    if (imageless) table.keys.forEach((k, i) => (key[k] = table.keys.length === 1 ? r.__k : (r.__k as unknown[])[i]));
    else for (const k of table.keys) key[k] = normalise(r[k]);
    let record: Record<string, unknown> | null = null;
    if (r.__op !== 'delete') {
      record = {};
      for (const c of query.columns) record[c] = normalise(r[c]);
    }
    changes.push({ seq: Number(r.__seq), op: r.__op, key, record, at: r.__at });
  }
  const last = rows[rows.length - 1];
  return { changes, scannedTo: last === undefined ? query.after : Number(last.__seq) };
}

/**
 * The statements of lookups by key, per table and columns: the gateway's commonest call skips
 * building SQL, and PostgreSQL parses and plans it once per connection (a named statement).
 */
const byKeyStatements = new Map<string, { name: string; text: string }>();

/** One record by its whole key (shareRecords without conditions, filter or cursor). */
async function recordByKey(db: Db, table: ShareTable, key: readonly unknown[], columns: readonly string[]): Promise<ShareRows> {
  const params = checkedKey(table, key);
  const cacheKey = `${table.tableName}\n${columns.join(',')}`;
  let statement = byKeyStatements.get(cacheKey);
  if (statement === undefined) {
    const selected = [...new Set([...columns, ...table.keys])];
    const text = sql`select ${sql.join(selected.map(col))} from ${dataTable(table.tableName)} where ${sql.join(
      table.keys.map((k, i) => sql`${col(k)} = ${sql.raw(`$${i + 1}`)}`),
      sql` and `,
    )}`.compile(db.kysely).sql;
    // Named by its text's digest: one name, one text, on every connection and replica.
    statement = { name: `share_key_${sm3Hex(text).slice(0, 32)}`, text };
    if (byKeyStatements.size >= 1000) byKeyStatements.clear();
    byKeyStatements.set(cacheKey, statement);
  }
  const rows = await db.queryPrepared<Record<string, unknown>>(statement.name, statement.text, params);
  return {
    rows: rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const c of columns) out[c] = normalise(r[c]);
      return out;
    }),
  };
}

/**
 * Calls an api resource's upstream for the gateway: the same call as ResourceService.invoke (the
 * sealed credential added, redirects refused, the answer capped and the credential cut from it), but
 * for a consumer the gateway has authorised, and recorded by the gateway's call log rather than a
 * ledger entry per call.
 */
export async function shareInvoke(deps: { db: Db; nodeKey: Buffer; hosts: api.UpstreamHosts }, resourceId: string, input: api.InvokeInput): Promise<api.InvokeResult> {
  const resource = await repo.findResource(deps.db.kysely, resourceId);
  if (!resource || resource.kind !== 'api' || !resource.api) throw E.resourceNotFound(resourceId);
  const config = resource.api;
  const target = api.upstreamTarget(config, input);
  const headers = { ...config.headers };
  const secret = config.secretHeaderName !== null && resource.api_secret !== null ? openSecret(deps.nodeKey, resource.api_secret) : undefined;
  if (secret !== undefined) headers[config.secretHeaderName!] = secret;
  const answer = await api.callUpstream({ url: target.url, method: config.method, headers, body: target.body, timeoutMs: config.timeoutMs }, { hosts: deps.hosts });
  return api.relayedAnswer(answer, secret);
}
