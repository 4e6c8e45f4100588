import pg from 'pg';
import * as E from '../connectors.errors.js';
import type { ConnectorKind, PullContext, SourceRow } from '../connectors.kinds.js';
import { pullStatement, refineSql, sampleStatement, sourceFailure, sqlConfigSchema, sqlWatermarkScope, WatermarkTracker, type SqlConfig, type SqlDialect } from './sql.js';

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
  // Connection faults, too many connections, a server shutting down: may pass.
  if (/^(08|53|57P)/.test(e.code)) return E.sourceUnreachable(host, String(e.message ?? e.code));
  return E.sourceQueryFailed(String(e.message ?? e.code));
};

async function connect(config: SqlConfig, secret: string | undefined, context: PullContext): Promise<pg.Client> {
  const [address] = await context.hosts.resolve(config.host);
  const client = new pg.Client({
    host: address,
    port: config.port,
    database: config.database,
    user: config.user,
    password: secret ?? '',
    // The certificate is checked against the name, while the connection goes to the checked address.
    ssl: config.ssl ? { servername: config.host } : false,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 600_000,
    application_name: 'tianshu-connector',
    types: asText,
  });
  // A connection dropped between queries must not crash the process; the next query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // One snapshot for the whole pull, and no writes whatever the query says.
    await client.query('begin isolation level repeatable read, read only');
    await client.query("set local bytea_output = 'hex'");
    await client.query("set local datestyle = 'ISO, YMD'");
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw sourceFailure(err, config.host, classify(config.host));
  }
}

/** A table or query on a PostgreSQL server (also openGauss, Kingbase and other servers that speak its protocol). */
export const postgresKind: ConnectorKind<SqlConfig> = {
  kind: 'postgres',
  configSchema: sqlConfigSchema(5432),
  refine: refineSql,
  host: (config) => config.host,
  acceptsSecret: () => true,
  watermarkScope: sqlWatermarkScope,

  async sample(config, secret, limit, context) {
    const client = await connect(config, secret, context);
    try {
      const result = await client.query(sampleStatement(config, dialect, limit));
      return { columns: result.fields.map((f) => f.name), rows: result.rows as SourceRow[] };
    } catch (err) {
      throw sourceFailure(err, config.host, classify(config.host));
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  pull(config, secret, watermark, context) {
    const tracker = new WatermarkTracker(watermark);
    async function* batches(): AsyncGenerator<SourceRow[]> {
      const client = await connect(config, secret, context);
      try {
        const statement = pullStatement(config, dialect, watermark);
        // A cursor: the server keeps the result, and the node holds one batch at a time.
        await client.query(`declare tianshu_pull no scroll cursor for ${statement.text}`, statement.params);
        for (;;) {
          context.signal.throwIfAborted();
          const result = await client.query(`fetch ${config.batchSize} from tianshu_pull`);
          if (result.rows.length === 0) break;
          yield tracker.take(result.rows as SourceRow[]);
        }
        await client.query('commit');
      } catch (err) {
        throw sourceFailure(err, config.host, classify(config.host));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return { batches: batches(), watermark: () => tracker.value };
  },
};
