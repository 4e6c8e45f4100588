import net from 'node:net';
import type { Readable } from 'node:stream';
import mysql from 'mysql2';
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
  // A syntax error (a second statement among them: the connection does not allow several) or a
  // write refused by the read-only transaction: the query is at fault, not the source.
  if (e.code === 'ER_PARSE_ERROR' || e.code === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION') return E.queryInvalid(String(e.sqlMessage ?? e.message ?? e.code));
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
    // One statement per query (the default, said out loud): a query that closes the subquery and
    // appends `; delete …` is a syntax error at the server.
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  connection.on('error', () => undefined);
  const timeout = queryTimeoutMs(config);
  try {
    await untilAborted(context.signal, config.host, () => connection.destroy(), async () => {
      await promised((done) => connection.connect(done));
      // TIMESTAMP columns are written in the session's zone; the loader reads a time without a zone as China's.
      await promised((done) => connection.query({ sql: "set time_zone = '+08:00'", timeout }, done));
      await promised((done) => connection.query({ sql: 'start transaction with consistent snapshot, read only', timeout }, done));
    });
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
  secretScope: sqlSecretScope,
  watermarkScope: sqlWatermarkScope,

  async sample(config, secret, limit, context) {
    const connection = await connect(config, secret, context);
    let answered = false;
    try {
      const [rows, fields] = await untilAborted(context.signal, config.host, () => connection.destroy(), () =>
        promised<[Array<Record<string, unknown>>, Array<{ name: string }>]>((done) =>
          connection.query({ sql: sampleStatement(config, dialect, limit), timeout: queryTimeoutMs(config) }, (err, result, f) =>
            done(err, [result as Array<Record<string, unknown>>, f as Array<{ name: string }>]),
          ),
        ),
      );
      answered = true;
      return { columns: fields.map((f) => f.name), rows: rows.map(plainRow) };
    } catch (err) {
      if (context.signal.aborted) throw abortReason(context.signal, config.host);
      throw sourceFailure(err, config.host, classify(config.host));
    } finally {
      // A connection whose query was cut off or timed out is not asked to say goodbye: it would wait for the query.
      if (answered) await close(connection);
      else connection.destroy();
    }
  },

  pull(config, secret, watermark, context) {
    const tracker = new WatermarkTracker(watermark);
    async function* batches(): AsyncGenerator<SourceRow[]> {
      const connection = await connect(config, secret, context);
      let stream: Readable | undefined;
      // Why the read was cut off (the run must stop, a batch took too long); undefined while it goes on.
      let stopped: unknown;
      const halt = (reason: unknown): void => {
        if (stopped !== undefined) return;
        stopped = reason;
        connection.destroy();
        stream?.destroy(new Error('the read was stopped'));
      };
      const onAbort = (): void => halt(abortReason(context.signal, config.host));
      context.signal.addEventListener('abort', onAbort, { once: true });
      // Each batch must come within the timeout; the time the loader spends on a batch does not count.
      const timeout = queryTimeoutMs(config);
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => void (timer = setTimeout(() => halt(E.sourceTimeout(config.host)), timeout));
      try {
        if (context.signal.aborted) {
          onAbort();
          throw stopped;
        }
        const statement = pullStatement(config, dialect, watermark);
        // Streamed: the driver pauses the connection while a batch is being loaded.
        stream = connection.query({ sql: statement.text, values: statement.params }).stream({ highWaterMark: config.batchSize });
        let batch: SourceRow[] = [];
        arm();
        for await (const row of stream) {
          batch.push(plainRow(row as Record<string, unknown>));
          if (batch.length >= config.batchSize) {
            clearTimeout(timer);
            yield tracker.take(batch);
            batch = [];
            arm();
          }
        }
        clearTimeout(timer);
        if (stopped !== undefined) throw stopped;
        if (batch.length > 0) yield tracker.take(batch);
        await promised((done) => connection.query({ sql: 'commit', timeout }, done));
      } catch (err) {
        throw stopped ?? sourceFailure(err, config.host, classify(config.host));
      } finally {
        clearTimeout(timer);
        context.signal.removeEventListener('abort', onAbort);
        if (stopped === undefined) await close(connection);
        else connection.destroy();
      }
    }
    return { batches: batches(), watermark: () => tracker.value };
  },
};
