import pg from 'pg';
import * as E from '../connectors.errors.js';
import { abortReason, type ConnectorKind, type PullContext, type SourceRow } from '../connectors.kinds.js';
import {
  pullStatement,
  queryTimeoutMs,
  refineSql,
  sampleStatement,
  sourceFailure,
  sqlConfigSchema,
  sqlSecretScope,
  sqlWatermarkScope,
  untilAborted,
  WatermarkTracker,
  type SqlConfig,
  type SqlDialect,
} from './sql.js';

const dialect: SqlDialect = {
  quote: (identifier) => `"${identifier.replaceAll('"', '""')}"`,
  asText: (expression) => `(${expression})::text`,
  param: (n) => `$${n}`,
  ascending: (expression) => `${expression} asc nulls last`,
};

const TIMESTAMPTZ = 1184;
const BYTEA = 17;

/**
 * Values as the server writes them (text), which the resource's loader checks like a CSV cell —
 * except the two the loader reads differently: timestamptz's short offset (+08 → +08:00) and bytea's
 * hex (→ base64, the loader's binary form).
 */
const asText = {
  getTypeParser: ((oid: number) => {
    if (oid === TIMESTAMPTZ) return (value: string) => value.replace(/([+-]\d\d)(?::(\d\d))?(?::\d\d)?$/, (_m, h: string, m?: string) => `${h}:${m ?? '00'}`);
    if (oid === BYTEA) return (value: string) => (value.startsWith('\\x') ? Buffer.from(value.slice(2), 'hex').toString('base64') : value);
    return (value: string) => value;
  }) as typeof pg.types.getTypeParser,
};

const classify = (host: string) => (e: { code?: unknown; message?: unknown }) => {
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  if (e.code === '28P01' || e.code === '28000') return E.sourceAuthFailed(host);
  if (e.code === '57014') return E.sourceTimeout(host);
  // A syntax error — "cannot insert multiple commands into a prepared statement" among them — or a
  // write refused by the read-only transaction: the query is at fault, not the source.
  if (e.code === '42601' || e.code === '25006') return E.queryInvalid(String(e.message ?? e.code));
  // Connection faults, too many connections, a server shutting down: may pass.
  if (/^(08|53|57P)/.test(e.code)) return E.sourceUnreachable(host, String(e.message ?? e.code));
  return E.sourceQueryFailed(String(e.message ?? e.code));
};

/**
 * A statement built from the connector's settings, sent by the extended protocol (Parse/Bind/Execute)
 * even without parameters: the server then accepts exactly one statement, so a query that closes the
 * subquery and appends `; commit; delete …` is refused (42601) instead of run. (Without parameters
 * `pg` would use the simple protocol, which runs every statement of the text.)
 */
const statement = (text: string, values: unknown[] = []): pg.QueryConfig & { queryMode: 'extended' } => ({ text, values, queryMode: 'extended' });

/** A client for the checked address, not yet connected. */
async function client(config: SqlConfig, secret: string | undefined, context: PullContext): Promise<pg.Client> {
  const [address] = await context.hosts.resolve(config.host);
  const timeout = queryTimeoutMs(config);
  const created = new pg.Client({
    host: address,
    port: config.port,
    database: config.database,
    user: config.user,
    password: secret ?? '',
    // The certificate is checked against the name, while the connection goes to the checked address.
    ssl: config.ssl ? { servername: config.host } : false,
    connectionTimeoutMillis: 10_000,
    // The server stops a statement (the sample, each fetch) after the timeout; the client gives up a
    // little later in case the server or the network does not answer at all.
    statement_timeout: timeout,
    query_timeout: timeout + 5_000,
    application_name: 'tianshu-connector',
    types: asText,
  });
  // A connection dropped between queries must not crash the process; the next query fails instead.
  created.on('error', () => undefined);
  return created;
}

/** Drops the connection at once, a query under way included (pg's end() would wait for a connect in progress). */
function cut(c: pg.Client): void {
  (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** Connects and opens the snapshot the reads happen in. */
async function begin(c: pg.Client): Promise<void> {
  await c.connect();
  // One snapshot for the whole pull, and no writes whatever the query says. (Not a security boundary:
  // a function that writes through another connection, dblink_exec, still could. The role the
  // connector signs in as should be one that can only read: DECISIONS 21.)
  await c.query('begin isolation level repeatable read, read only');
  await c.query("set local bytea_output = 'hex'");
  await c.query("set local datestyle = 'ISO, YMD'");
}

/** A table or query on a PostgreSQL server (also openGauss, Kingbase and other servers that speak its protocol). */
export const postgresKind: ConnectorKind<SqlConfig> = {
  kind: 'postgres',
  configSchema: sqlConfigSchema(5432),
  refine: refineSql,
  host: (config) => config.host,
  acceptsSecret: () => true,
  secretScope: sqlSecretScope,
  watermarkScope: sqlWatermarkScope,

  async sample(config, secret, limit, context) {
    const c = await client(config, secret, context);
    try {
      return await untilAborted(context.signal, config.host, () => cut(c), async () => {
        await begin(c);
        const result = await c.query(statement(sampleStatement(config, dialect, limit)));
        return { columns: result.fields.map((f) => f.name), rows: result.rows as SourceRow[] };
      });
    } catch (err) {
      // Stopped: whatever the driver said after the cut, the reason is the signal's.
      if (context.signal.aborted) throw abortReason(context.signal, config.host);
      throw sourceFailure(err, config.host, classify(config.host));
    } finally {
      await c.end().catch(() => undefined);
    }
  },

  pull(config, secret, watermark, context) {
    const tracker = new WatermarkTracker(watermark);
    async function* batches(): AsyncGenerator<SourceRow[]> {
      const c = await client(config, secret, context);
      // Every wait on the server stops when the run must: a pull blocked in a slow fetch included.
      const guarded = <T>(work: () => Promise<T>): Promise<T> => untilAborted(context.signal, config.host, () => cut(c), work);
      try {
        await guarded(() => begin(c));
        const pulled = pullStatement(config, dialect, watermark);
        // A cursor: the server keeps the result, and the node holds one batch at a time.
        await guarded(() => c.query(statement(`declare tianshu_pull no scroll cursor for ${pulled.text}`, pulled.params)));
        for (;;) {
          const result = await guarded(() => c.query(statement(`fetch ${config.batchSize} from tianshu_pull`)));
          if (result.rows.length === 0) break;
          yield tracker.take(result.rows as SourceRow[]);
        }
        await guarded(() => c.query('commit'));
      } catch (err) {
        if (context.signal.aborted) throw abortReason(context.signal, config.host);
        throw sourceFailure(err, config.host, classify(config.host));
      } finally {
        await c.end().catch(() => undefined);
      }
    }
    return { batches: batches(), watermark: () => tracker.value };
  },
};
