import { Type } from 'typebox';
import { AppError } from '../../../core/errors.js';
import type { ConfigProblem } from '../connectors.errors.js';
import * as E from '../connectors.errors.js';
import { abortReason, type CommonConfig, type SourceRow } from '../connectors.kinds.js';

/** What the `postgres` and `mysql` kinds share: a table or a query on a server, read in one snapshot. */
export interface SqlConfig extends CommonConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  ssl: boolean;
  /** `table` or `schema.table`, as the source spells it (quoted: case matters). */
  table?: string;
  /** A SELECT; read as a subquery, so it is one statement and reads only. */
  query?: string;
  /** Incremental: each run reads the rows whose value here is at least the saved watermark. */
  watermarkColumn?: string;
  /** Rows fetched from the server at a time. */
  batchSize: number;
  /** The longest one round trip may take — the sample, each batch of a pull; absent: {@link DEFAULT_QUERY_TIMEOUT_SECONDS}. */
  timeoutSeconds?: number;
}

/** What a query may take when the connector does not say (it was the fixed statement_timeout before it could). */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 600;

export const queryTimeoutMs = (config: SqlConfig): number => (config.timeoutSeconds ?? DEFAULT_QUERY_TIMEOUT_SECONDS) * 1000;

const ColumnMapping = Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 63 }), {
  description: 'source column → resource column; absent: source columns named like resource columns are loaded, others ignored',
});

export const sqlConfigSchema = (defaultPort: number) =>
  Type.Object(
    {
      host: Type.String({ minLength: 1, maxLength: 253 }),
      port: Type.Integer({ minimum: 1, maximum: 65535, default: defaultPort }),
      database: Type.String({ minLength: 1, maxLength: 128 }),
      user: Type.String({ minLength: 1, maxLength: 128 }),
      ssl: Type.Boolean({ default: false, description: 'TLS, verifying the server certificate against the host name' }),
      table: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'table or schema.table; give table or query' })),
      query: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000, description: 'a SELECT statement; give table or query' })),
      watermarkColumn: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'a column that grows with every change (updated_at, a sequence)' })),
      batchSize: Type.Integer({ minimum: 100, maximum: 10_000, default: 1000 }),
      timeoutSeconds: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 3600, description: `the longest the source may take to answer one query: the sample, each batch of a pull (default ${DEFAULT_QUERY_TIMEOUT_SECONDS})` }),
      ),
      columns: Type.Optional(ColumnMapping),
    },
    { additionalProperties: false },
  );

/** One part of an identifier: any text a quoted identifier can hold, except quotes and control characters. */
const IDENTIFIER_PART = /^[^\u0000-\u001f"`.]{1,63}$/;

export function refineSql(config: SqlConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if ((config.table === undefined) === (config.query === undefined)) problems.push({ path: '/table', message: 'give either table or query' });
  if (config.table !== undefined) {
    const parts = config.table.split('.');
    if (parts.length > 2 || !parts.every((p) => IDENTIFIER_PART.test(p))) problems.push({ path: '/table', message: 'must be table or schema.table, without quotes' });
  }
  if (config.query !== undefined && !/^\s*(select|with)\b/i.test(config.query)) problems.push({ path: '/query', message: 'must be a SELECT (or WITH … SELECT) statement' });
  if (config.watermarkColumn !== undefined && !IDENTIFIER_PART.test(config.watermarkColumn)) problems.push({ path: '/watermarkColumn', message: 'must be a column name, without quotes' });
  return problems;
}

/** The password is for this user on this server and database: it does not follow a change of any of them. */
export function sqlSecretScope(config: SqlConfig): Record<string, unknown> {
  return { host: config.host.toLowerCase(), port: config.port, database: config.database, user: config.user };
}

export function sqlWatermarkScope(config: SqlConfig): string | null {
  if (config.watermarkColumn === undefined) return null;
  return JSON.stringify([config.host, config.port, config.database, config.table ?? null, config.query ?? null, config.watermarkColumn]);
}

/** How a server spells what the statements below need. */
export interface SqlDialect {
  quote(identifier: string): string;
  /** The value of an expression as the server writes it as text. */
  asText(expression: string): string;
  /** The n-th (from 1) bind parameter. */
  param(n: number): string;
  /** Ascending order with nulls last. */
  ascending(expression: string): string;
}

/** The column carrying each row's watermark as text, removed before the row is loaded. */
export const WATERMARK_FIELD = '__tianshu_watermark';

function source(config: SqlConfig, dialect: SqlDialect): string {
  if (config.table !== undefined) return config.table.split('.').map((p) => dialect.quote(p)).join('.');
  // A trailing semicolon is common in pasted queries; inside the subquery it would be an error. The
  // closing parenthesis on a line of its own: a query ending in a `--` (or `#`) comment must not
  // comment out the rest of the statement (the sample's LIMIT among it). The kinds send the statement
  // so that the server accepts only one (postgres: the extended protocol; mysql: no multi-statements).
  return `(${config.query!.replace(/[\s;]+$/, '')}\n)`;
}

/**
 * The statement of a pull: the rows at or after the watermark, in its order, each with the watermark
 * as the server writes it (text), so that the value saved is exactly one the server compares again.
 * `>=`, not `>`: rows written later with the same value as the last one read (same second) are not
 * lost; the rows read again are loaded unchanged (upsert).
 */
export function pullStatement(config: SqlConfig, dialect: SqlDialect, watermark: string | null): { text: string; params: unknown[] } {
  const from = `${source(config, dialect)} as tianshu_source`;
  if (config.watermarkColumn === undefined) return { text: `select * from ${from}`, params: [] };
  const column = `tianshu_source.${dialect.quote(config.watermarkColumn)}`;
  const where = watermark === null ? '' : ` where ${column} >= ${dialect.param(1)}`;
  return {
    text: `select tianshu_source.*, ${dialect.asText(column)} as ${dialect.quote(WATERMARK_FIELD)} from ${from}${where} order by ${dialect.ascending(column)}`,
    params: watermark === null ? [] : [watermark],
  };
}

export function sampleStatement(config: SqlConfig, dialect: SqlDialect, limit: number): string {
  return `select * from ${source(config, dialect)} as tianshu_source limit ${Math.max(1, Math.floor(limit))}`;
}

/** Follows the watermark through the batches (they come in its order) and strips its column. */
export class WatermarkTracker {
  #last: string | null;

  constructor(start: string | null) {
    this.#last = start;
  }

  take(rows: SourceRow[]): SourceRow[] {
    for (const row of rows) {
      const value = row[WATERMARK_FIELD];
      if (typeof value === 'string') this.#last = value;
      delete row[WATERMARK_FIELD];
    }
    return rows;
  }

  get value(): string | null {
    return this.#last;
  }
}

/**
 * `work`, unless the signal aborts first: then `cut` drops the connection (a query under way
 * included) and the promise rejects at once with {@link abortReason}, whatever the driver does next.
 */
export function untilAborted<T>(signal: AbortSignal, host: string, cut: () => void, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) {
    cut();
    return Promise.reject(abortReason(signal, host));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cut();
      reject(abortReason(signal, host));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST']);

/** A driver's failure as a SourceError; AppErrors (host policy) pass through, bugs are rethrown. */
export function sourceFailure(err: unknown, host: string, classify: (err: { code?: unknown; message?: unknown }) => Error | undefined): Error {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const known = classify(e);
  if (known) return known;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return E.sourceUnreachable(host, e.code);
  if (e.code === 'ETIMEDOUT' || (typeof e.message === 'string' && /timeout|timed out/i.test(e.message))) return E.sourceTimeout(host);
  return err instanceof Error ? err : new Error(String(err));
}
