import net from 'node:net';
import mysql from 'mysql2';
import * as E from '../connectors.errors.js';
import type { ConnectorKind, PullContext, SourceRow } from '../connectors.kinds.js';
import { pullStatement, refineSql, sampleStatement, sourceFailure, sqlConfigSchema, sqlWatermarkScope, WatermarkTracker, type SqlConfig, type SqlDialect } from './sql.js';

const dialect: SqlDialect = {
  quote: (identifier) => `\`${identifier.replaceAll('`', '``')}\``,
  asText: (expression) => `cast(${expression} as char)`,
  param: () => '?',
  // MySQL sorts nulls first; the watermark is the last value read, so they go last.
  ascending: (expression) => `(${expression} is null), ${expression}`,
};

const classify = (host: string) => (e: { code?: unknown; message?: unknown; sqlMessage?: unknown }) => {
  if (typeof e.code !== 'string') return undefined;
  if (e.code === 'ER_ACCESS_DENIED_ERROR' || e.code === 'ER_DBACCESS_DENIED_ERROR' || e.code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') return E.sourceAuthFailed(host);
  if (e.code === 'ER_CON_COUNT_ERROR' || e.code === 'ER_SERVER_SHUTDOWN') return E.sourceUnreachable(host, e.code);
  if (e.code === 'ER_QUERY_TIMEOUT' || e.code === 'ER_STATEMENT_TIMEOUT') return E.sourceTimeout(host);
  if (e.code.startsWith('ER_')) return E.sourceQueryFailed(String(e.sqlMessage ?? e.message ?? e.code));
  return undefined;
};

/**
 * Values in the loader's terms: numbers and text as they come (big integers and decimals as text,
 * dates as text), BLOB/BINARY as base64, JSON columns as their text.
 */
function plainRow(row: Record<string, unknown>): SourceRow {
  for (const [key, value] of Object.entries(row)) {
    if (Buffer.isBuffer(value)) row[key] = value.toString('base64');
    else if (value !== null && typeof value === 'object') row[key] = JSON.stringify(value);
  }
  return row;
}

const promised = <T>(run: (done: (err: unknown, value?: T) => void) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));

async function connect(config: SqlConfig, secret: string | undefined, context: PullContext): Promise<mysql.Connection> {
  await context.hosts.resolve(config.host);
  const connection = mysql.createConnection({
    // The driver names the server by `host` for TLS; the socket itself resolves through the policy.
    host: config.host,
    port: config.port,
    stream: () => net.connect({ host: config.host, port: config.port, lookup: context.hosts.lookup }),
    database: config.database,
    user: config.user,
    password: secret ?? '',
    ...(config.ssl ? { ssl: { rejectUnauthorized: true, verifyIdentity: true } } : {}),
    connectTimeout: 10_000,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  connection.on('error', () => undefined);
  try {
    await promised((done) => connection.connect(done));
    // TIMESTAMP columns are written in the session's zone; the loader reads a time without a zone as China's.
    await promised((done) => connection.query("set time_zone = '+08:00'", done));
    await promised((done) => connection.query('start transaction with consistent snapshot, read only', done));
    return connection;
  } catch (err) {
    connection.destroy();
    throw sourceFailure(err, config.host, classify(config.host));
  }
}

const close = (connection: mysql.Connection): Promise<void> =>
  promised<void>((done) => connection.end(done)).catch(() => connection.destroy());

/** A table or query on a MySQL or MariaDB server (and the many domestic servers that speak its protocol). */
export const mysqlKind: ConnectorKind<SqlConfig> = {
  kind: 'mysql',
  configSchema: sqlConfigSchema(3306),
  refine: refineSql,
  host: (config) => config.host,
  acceptsSecret: () => true,
  watermarkScope: sqlWatermarkScope,

  async sample(config, secret, limit, context) {
    const connection = await connect(config, secret, context);
    try {
      const [rows, fields] = await promised<[Array<Record<string, unknown>>, Array<{ name: string }>]>((done) =>
        connection.query(sampleStatement(config, dialect, limit), (err, result, f) => done(err, [result as Array<Record<string, unknown>>, f as Array<{ name: string }>])),
      );
      return { columns: fields.map((f) => f.name), rows: rows.map(plainRow) };
    } catch (err) {
      throw sourceFailure(err, config.host, classify(config.host));
    } finally {
      await close(connection);
    }
  },

  pull(config, secret, watermark, context) {
    const tracker = new WatermarkTracker(watermark);
    async function* batches(): AsyncGenerator<SourceRow[]> {
      const connection = await connect(config, secret, context);
      try {
        const statement = pullStatement(config, dialect, watermark);
        // Streamed: the driver pauses the connection while a batch is being loaded.
        const stream = connection.query({ sql: statement.text, values: statement.params }).stream({ highWaterMark: config.batchSize });
        let batch: SourceRow[] = [];
        for await (const row of stream) {
          batch.push(plainRow(row as Record<string, unknown>));
          if (batch.length >= config.batchSize) {
            context.signal.throwIfAborted();
            yield tracker.take(batch);
            batch = [];
          }
        }
        if (batch.length > 0) yield tracker.take(batch);
        await promised((done) => connection.query('commit', done));
      } catch (err) {
        throw sourceFailure(err, config.host, classify(config.host));
      } finally {
        await close(connection);
      }
    }
    return { batches: batches(), watermark: () => tracker.value };
  },
};
