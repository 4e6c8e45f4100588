import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { openPostgresSource, type SqlSource } from '../../../test/fixtures/sources.js';
import { createHostPolicy, type HostPolicy } from './connectors.hosts.js';
import type { ConnectorKind, PullContext } from './connectors.kinds.js';
import { mysqlKind } from './kinds/mysql.js';
import { postgresKind } from './kinds/postgres.js';
import type { SqlConfig } from './kinds/sql.js';

/**
 * The SQL kinds stop when their signal says so — a test's time limit, a node that stops, a job taken
 * over — whatever the source is doing: connecting, or running a slow query. Without that a test
 * waited out the driver's own timeouts and a pull stopped only between batches. The slow queries
 * (pg_sleep) need PostgreSQL: on PGlite the source runs in this very thread, and sleeping would stop
 * the clock that is to abort it.
 */
let hosts: HostPolicy;
let hung: net.Server;
let hungPort: number;
let source: SqlSource | undefined;
const onPostgres = Boolean(process.env.DATABASE_URL);
const sockets = new Set<net.Socket>();

before(async () => {
  hosts = await createHostPolicy({ allow: ['127.0.0.1'] });
  // A server that accepts connections and never says a word (a firewall that black-holes, a stuck proxy).
  hung = net.createServer((socket) => {
    sockets.add(socket);
    // Reads (and ignores) what the client sends, so that it sees the client hang up.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  hungPort = (hung.address() as net.AddressInfo).port;
  // Only where the slow queries run (a PGlite source takes seconds to start).
  if (onPostgres) source = await openPostgresSource();
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => hung.close(() => resolve()));
  await source?.close();
});

const context = (signal: AbortSignal): PullContext => ({ hosts, signal });
const hungConfig = (): SqlConfig => ({ host: '127.0.0.1', port: hungPort, database: 'db', user: 'reader', ssl: false, table: 'items', batchSize: 1000 });

/** How long `work` took to settle, and how. */
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await work();
    return { ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

async function drain(kind: ConnectorKind, config: SqlConfig, signal: AbortSignal): Promise<void> {
  for await (const batch of kind.pull(config, undefined, null, context(signal)).batches) void batch;
}

const code = (error: unknown): unknown => (error as { code?: unknown } | undefined)?.code;

for (const kind of [postgresKind, mysqlKind] as ConnectorKind[]) {
  describe(`the ${kind.kind} kind against a server that never answers`, () => {
    test('a sample stops when its time is up, as a timeout of the source', async () => {
      const { ms, error } = await timed(() => kind.sample(hungConfig(), undefined, 5, context(AbortSignal.timeout(300))));
      assert.equal(code(error), 'CONNECTOR_SOURCE_TIMEOUT', String(error));
      assert.ok(ms < 2000, `stopped after ${Math.round(ms)} ms (the driver's connect timeout is 10 s)`);
      for (let i = 0; i < 50 && sockets.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(sockets.size, 0, 'the connection is closed');
    });

    test('a pull stops when its run must, with the run\'s reason', async () => {
      const controller = new AbortController();
      const stopping = new Error('the node is stopping');
      setTimeout(() => controller.abort(stopping), 300);
      const { ms, error } = await timed(() => drain(kind, hungConfig(), controller.signal));
      assert.equal(error, stopping);
      assert.ok(ms < 2000, `stopped after ${Math.round(ms)} ms`);
    });
  });
}

describe('the postgres kind with a slow query', { skip: onPostgres ? false : 'pg_sleep blocks the process on PGlite' }, () => {
  const slow = (extra: Partial<SqlConfig> = {}): SqlConfig => ({ ...source!.connection, ssl: false, batchSize: 1000, query: "select 'S-1' as code from pg_sleep(20)", ...extra });

  test('a sample stops when its time is up', async () => {
    const { ms, error } = await timed(() => postgresKind.sample(slow(), undefined, 5, context(AbortSignal.timeout(500))));
    assert.equal(code(error), 'CONNECTOR_SOURCE_TIMEOUT', String(error));
    assert.ok(ms < 2500, `stopped after ${Math.round(ms)} ms`);
  });

  test('a pull stops in the middle of a fetch when its run must', async () => {
    const controller = new AbortController();
    const lost = new Error('the job was taken over');
    setTimeout(() => controller.abort(lost), 500);
    const { ms, error } = await timed(() => drain(postgresKind, slow(), controller.signal));
    assert.equal(error, lost);
    assert.ok(ms < 2500, `stopped after ${Math.round(ms)} ms`);
  });

  test('a query longer than timeoutSeconds is a timeout of the source', async () => {
    const { ms, error } = await timed(() => drain(postgresKind, slow({ timeoutSeconds: 1 }), new AbortController().signal));
    assert.equal(code(error), 'CONNECTOR_SOURCE_TIMEOUT', String(error));
    assert.ok(ms < 4000, `stopped after ${Math.round(ms)} ms`);
  });
});
