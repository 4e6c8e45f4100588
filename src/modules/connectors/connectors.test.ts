import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import { closedPort, openPostgresSource, policeTableResource, type SqlSource } from '../../../test/fixtures/sources.js';
import { claimDue } from '../../core/jobs/jobs.repository.js';
import type { Connector, ConnectorRun, TestResult } from './connectors.service.js';

/**
 * Connectors through HTTP, pulling from a real PostgreSQL server over TCP (the suite's server on
 * PostgreSQL runs, a second PGlite behind the wire protocol otherwise): set-up with a sealed
 * password, test, run now, incremental runs by watermark, the schedule, retries with backoff, a run
 * taken over after its node died, and the refusals.
 */
let t: TestNode;
let source: SqlSource;
let resourceId: string;
let now = new Date();
const minutes = (n: number): void => void (now = new Date(now.getTime() + n * 60_000));
const PASSWORD = 'Src#Passw0rd-never-shown';

before(async () => {
  source = await openPostgresSource();
  t = await build(undefined, { config: { connectorHosts: ['127.0.0.1', 'localhost'] }, node: { housekeeping: false, now: () => now } });
  resourceId = await policeTableResource(t, '连接器测试台账');
  await source.exec(`create table ${source.scope}.items (code text primary key, title text, qty integer, changed_at timestamptz, internal_note text)`);
  await source.exec(
    `insert into ${source.scope}.items values
      ('A-1', '甲', 1, '2026-03-01 09:00:00+08', 'x'),
      ('A-2', '乙', 2, '2026-03-01 10:00:00+08', 'y'),
      ('A-3', '丙', 3, '2026-03-01 11:00:00+08', null)`,
  );
});
after(async () => {
  await t.close();
  await source.close();
});

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(errorCode(res), code, res.body);
}
async function as(username: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as string }) });
}
const sourceConfig = (extra: Record<string, unknown> = {}) => ({ ...source.connection, table: `${source.scope}.items`, ...extra });
/** Reads the source directly, as its own administrator would (a connection of its own, closed after). */
async function atSource<T>(text: string): Promise<T[]> {
  const client = new pg.Client(process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : source.connection);
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}
const sourceItems = () => atSource<Record<string, unknown>>(`select * from ${source.scope}.items order by code`);
/** pg_sleep blocks the whole process on PGlite (the source runs in the test's own thread): PostgreSQL only. */
const onPostgres = Boolean(process.env.DATABASE_URL);
async function createConnector(body: Record<string, unknown>): Promise<Connector> {
  const res = await as('police.editor', 'POST', `/resources/${resourceId}/connectors`, body);
  assert.equal(res.statusCode, 201, res.body);
  return json<Connector>(res);
}
async function runs(id: string): Promise<ConnectorRun[]> {
  return json<{ items: ConnectorRun[] }>(await as('police.editor', 'GET', `/connectors/${id}/runs`)).items;
}
async function rows(): Promise<Array<Record<string, unknown>>> {
  return json<{ items: Array<Record<string, unknown>> }>(await as('police.editor', 'GET', `/resources/${resourceId}/rows?pageSize=100`)).items;
}
async function ledger(subjectId: string): Promise<Array<{ action: string; payload: Record<string, unknown> }>> {
  await t.node.ledger.flush();
  const { items } = await t.node.ledger.entries({}, 1, 100_000);
  return items.filter((e) => e.entry.subject.id === subjectId).sort((a, b) => a.seq - b.seq).map((e) => ({ action: e.entry.action, payload: e.payload as Record<string, unknown> }));
}

describe('a PostgreSQL connector', () => {
  let connector: Connector;

  test('is set up by the provider\'s editor; its password is sealed and never shown', async () => {
    connector = await createConnector({ name: '业务库', kind: 'postgres', config: sourceConfig({ watermarkColumn: 'changed_at' }), secret: PASSWORD });
    assert.equal(connector.hasSecret, true);
    assert.equal(connector.mode, 'upsert');
    assert.equal(connector.nextRunAt, null, 'no schedule: runs when asked');
    assert.deepEqual(connector.config, { ...sourceConfig({ watermarkColumn: 'changed_at' }), ssl: false, batchSize: 1000 });
    const shown = await as('authority', 'GET', `/connectors/${connector.id}`);
    assert.equal(shown.statusCode, 200, 'the data authority responsible for the provider reads it');
    const listed = await as('police.consumer', 'GET', `/connectors?resourceId=${resourceId}`);
    for (const body of [JSON.stringify(connector), shown.body, listed.body]) assert.doesNotMatch(body, /Src#Passw0rd/);
    const stored = await sql<{ secret_sealed: string }>`select secret_sealed from connectors where id = ${connector.id}`.execute(t.node.db.kysely);
    assert.doesNotMatch(stored.rows[0]!.secret_sealed, /Passw0rd/);
    const entries = await ledger(connector.id);
    assert.deepEqual(entries.map((e) => e.action), ['connector.create']);
    assert.doesNotMatch(JSON.stringify(entries), /Passw0rd/);
    assert.equal(entries[0]!.payload.hasSecret, true);
  });

  test('a test reads a few rows as they would be loaded and writes nothing', async () => {
    const before = await sourceItems();
    const res = await as('police.editor', 'POST', `/connectors/${connector.id}/test`);
    assert.equal(res.statusCode, 200, res.body);
    const result = json<TestResult>(res);
    assert.equal(result.ok, true, res.body);
    assert.deepEqual(result.columns, ['code', 'title', 'qty', 'changed_at', 'internal_note']);
    assert.equal(result.sample.length, 3);
    assert.deepEqual(Object.keys(result.sample[0]!).sort(), ['changed_at', 'code', 'qty', 'title']);
    assert.match(result.message ?? '', /ignored source columns: internal_note/);
    assert.equal((await rows()).length, 0, 'nothing loaded into the resource');
    assert.deepEqual(await sourceItems(), before, 'nothing changed at the source');
  });

  test('run now loads through the resource\'s loader; a second request while one is queued is refused', async () => {
    const queued = await as('police.editor', 'POST', `/connectors/${connector.id}/run`);
    assert.equal(queued.statusCode, 202, queued.body);
    const { runId } = json<{ runId: string }>(queued);
    expectError(await as('police.editor', 'POST', `/connectors/${connector.id}/run`), 409, 'CONNECTOR_BUSY');
    assert.equal((await runs(connector.id))[0]!.status, 'queued');

    assert.equal((await t.node.jobs.tick()).succeeded, 1);
    const [run] = await runs(connector.id);
    assert.equal(run!.id, runId);
    assert.equal(run!.status, 'succeeded', JSON.stringify(run));
    assert.equal(run!.trigger, 'manual');
    assert.equal(run!.attempt, 1);
    assert.deepEqual([run!.rowsRead, run!.inserted, run!.updated, run!.rejected], [3, 3, 0, 0]);
    assert.equal(run!.watermarkFrom, null);
    assert.match(run!.watermarkTo ?? '', /^2026-03-01 (11:00:00\+08|03:00:00\+00)/);
    const loaded = await rows();
    assert.deepEqual(loaded.map((r) => [r.code, r.title, r.qty]), [['A-1', '甲', '1'], ['A-2', '乙', '2'], ['A-3', '丙', '3']].map(([c, ti, q]) => [c, ti, Number(q)]));
    assert.equal(new Date(loaded[0]!.changed_at as string).toISOString(), '2026-03-01T01:00:00.000Z', 'the source\'s time zone is kept');
    const loads = json<{ items: Array<{ loadId: string; source: string }> }>(await as('police.editor', 'GET', `/resources/${resourceId}/loads`)).items;
    assert.equal(loads[0]!.loadId, run!.loadId);
    assert.equal(loads[0]!.source, 'connector:业务库');
    const shown = json<Connector>(await as('police.editor', 'GET', `/connectors/${connector.id}`));
    assert.equal(shown.watermark, run!.watermarkTo);
    assert.equal(shown.lastRun?.id, runId);
  });

  test('the next run reads only rows at or after the watermark', async () => {
    await source.exec(`update ${source.scope}.items set qty = 20, changed_at = '2026-03-02 08:00:00+08' where code = 'A-2'`);
    await source.exec(`insert into ${source.scope}.items values ('A-4', '丁', 4, '2026-03-02 09:00:00+08', null)`);
    assert.equal((await as('police.editor', 'POST', `/connectors/${connector.id}/run`)).statusCode, 202);
    await t.node.jobs.tick();
    const [run] = await runs(connector.id);
    // A-3 (the last row read before, at the watermark itself), A-2 changed, A-4 new.
    assert.deepEqual([run!.status, run!.rowsRead, run!.inserted, run!.updated], ['succeeded', 3, 1, 1]);
    assert.match(run!.watermarkFrom ?? '', /^2026-03-01/);
    assert.match(run!.watermarkTo ?? '', /^2026-03-02 (09:00:00\+08|01:00:00\+00)/);
    assert.deepEqual((await rows()).map((r) => [r.code, r.qty]), [['A-1', 1], ['A-2', 20], ['A-3', 3], ['A-4', 4]]);
    const actions = (await ledger(connector.id)).map((e) => e.action);
    assert.deepEqual(actions, ['connector.create', 'connector.run.request', 'connector.run', 'connector.run.request', 'connector.run']);
  });

  test('a change of watermark column, or resetWatermark, makes the next run read everything; the secret can be removed', async () => {
    const reset = await as('police.editor', 'PATCH', `/connectors/${connector.id}`, { resetWatermark: true, secret: null });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal(json<Connector>(reset).watermark, null);
    assert.equal(json<Connector>(reset).hasSecret, false);
    await as('police.editor', 'POST', `/connectors/${connector.id}/run`);
    await t.node.jobs.tick();
    const [run] = await runs(connector.id);
    assert.deepEqual([run!.status, run!.rowsRead, run!.inserted, run!.updated], ['succeeded', 4, 0, 0]);
    const entry = (await ledger(connector.id)).find((e) => e.action === 'connector.update')!;
    assert.equal(entry.payload.watermarkReset, true);
    assert.equal(entry.payload.secret, 'removed');
  });

  test('a schedule queues a due connector once, and the worker runs it; the next run waits for its interval', async () => {
    const scheduled = await createConnector({ name: '定时同步', kind: 'postgres', config: sourceConfig(), intervalMinutes: 60 });
    assert.equal(scheduled.nextRunAt, now.toISOString(), 'a new schedule starts at the next tick');
    // Two replicas ticking at once queue one run.
    const [a, b] = await Promise.all([t.node.connectors.scheduleDue(), t.node.connectors.scheduleDue()]);
    assert.equal(a + b, 1);
    await t.node.jobs.tick();
    let history = await runs(scheduled.id);
    assert.deepEqual(history.map((r) => [r.trigger, r.status]), [['schedule', 'succeeded']]);
    assert.equal(json<Connector>(await as('police.editor', 'GET', `/connectors/${scheduled.id}`)).nextRunAt, new Date(now.getTime() + 3_600_000).toISOString());

    minutes(30);
    await t.node.jobs.tick();
    assert.equal((await runs(scheduled.id)).length, 1, 'not yet');
    minutes(31);
    await t.node.jobs.tick();
    history = await runs(scheduled.id);
    assert.deepEqual(history.map((r) => r.status), ['succeeded', 'succeeded']);

    const disabled = await as('police.editor', 'PATCH', `/connectors/${scheduled.id}`, { enabled: false });
    assert.equal(json<Connector>(disabled).nextRunAt, null);
    expectError(await as('police.editor', 'POST', `/connectors/${scheduled.id}/run`), 409, 'CONNECTOR_DISABLED');
    minutes(120);
    await t.node.jobs.tick();
    assert.equal((await runs(scheduled.id)).length, 2);
  });

  test('a source that cannot be reached is retried with backoff, then the run fails', async () => {
    const down = await createConnector({ name: '不可达', kind: 'postgres', config: { ...sourceConfig(), port: await closedPort() }, maxAttempts: 2 });
    await as('police.editor', 'POST', `/connectors/${down.id}/run`);
    const before = now.getTime();
    assert.deepEqual(await t.node.jobs.tick(), { succeeded: 0, failed: 1, dead: 0 });
    let [run] = await runs(down.id);
    assert.equal(run!.status, 'retrying');
    assert.equal(run!.attempt, 1);
    assert.equal(run!.error?.code, 'CONNECTOR_SOURCE_UNREACHABLE');
    // 60 s step with jitter: between 30 and 60 seconds.
    const wait = Date.parse(run!.nextRetryAt!) - before;
    assert.ok(wait >= 30_000 && wait <= 60_000, `retry in ${wait} ms`);
    await t.node.jobs.tick();
    assert.equal((await runs(down.id))[0]!.attempt, 1, 'not before its time');

    minutes(1.01);
    assert.deepEqual(await t.node.jobs.tick(), { succeeded: 0, failed: 0, dead: 1 });
    [run] = await runs(down.id);
    assert.deepEqual([run!.status, run!.attempt, run!.nextRetryAt], ['failed', 2, null]);
    assert.ok(run!.finishedAt);
    const last = (await ledger(down.id)).at(-1)!;
    assert.equal(last.action, 'connector.run');
    assert.deepEqual([last.payload.outcome, last.payload.error, last.payload.attempts], ['failed', 'CONNECTOR_SOURCE_UNREACHABLE', 2]);
  });

  test('a query the source refuses fails at once, without retries', async () => {
    const wrong = await createConnector({ name: '错误表名', kind: 'postgres', config: { ...source.connection, table: `${source.scope}.no_such_table` } });
    await as('police.editor', 'POST', `/connectors/${wrong.id}/run`);
    await t.node.jobs.tick();
    const [run] = await runs(wrong.id);
    assert.deepEqual([run!.status, run!.attempt, run!.error?.code], ['failed', 1, 'CONNECTOR_SOURCE_QUERY_FAILED']);
    const tested = json<TestResult>(await as('police.editor', 'POST', `/connectors/${wrong.id}/test`));
    assert.deepEqual([tested.ok, tested.code], [false, 'CONNECTOR_SOURCE_QUERY_FAILED']);
    assert.match(tested.message ?? '', /no_such_table/);
  });

  test('a run whose node died is taken over once its lease has run out', async () => {
    await as('police.editor', 'POST', `/connectors/${connector.id}/run`);
    // Another node claims the job and is killed before it records anything.
    const claimed = await t.node.db.kysely.transaction().execute((trx) => claimDue(trx, ['connector.run'], { 'connector.run': 300 }, 'killed-node', now, 10));
    assert.equal(claimed.length, 1);
    await t.node.jobs.tick();
    assert.equal((await runs(connector.id))[0]!.status, 'queued', 'the lease still holds');
    minutes(6);
    await t.node.jobs.tick();
    const [run] = await runs(connector.id);
    assert.deepEqual([run!.status, run!.attempt], ['succeeded', 2]);
  });

  test('a query with a column mapping loads the mapped columns under their resource names', async () => {
    const mapped = await createConnector({
      name: '映射查询',
      kind: 'postgres',
      mode: 'replace',
      config: {
        ...source.connection,
        query: `select code as id, title as label, qty * 10 as amount from ${source.scope}.items where code <> 'A-4';`,
        columns: { id: 'code', label: 'title', amount: 'qty' },
      },
    });
    await as('police.editor', 'POST', `/connectors/${mapped.id}/run`);
    await t.node.jobs.tick();
    const [run] = await runs(mapped.id);
    assert.equal(run!.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual((await rows()).map((r) => [r.code, r.qty, r.changed_at]), [['A-1', 10, null], ['A-2', 200, null], ['A-3', 30, null]], 'replace: the query is the table');
  });
});

describe('refusals', () => {
  let connector: Connector;
  before(async () => {
    connector = await createConnector({ name: '拒绝用例', kind: 'postgres', config: sourceConfig() });
  });

  test('another organisation\'s editor and people without the role are refused', async () => {
    const body = { name: 'x', kind: 'postgres', config: sourceConfig() };
    expectError(await as('market.editor', 'POST', `/resources/${resourceId}/connectors`, body), 403, 'NOT_PROVIDER');
    expectError(await as('police.consumer', 'POST', `/resources/${resourceId}/connectors`, body), 403, 'FORBIDDEN');
    expectError(await as('market.editor', 'GET', `/connectors/${connector.id}`), 403, 'FORBIDDEN');
    expectError(await as('market.editor', 'GET', `/connectors?resourceId=${resourceId}`), 403, 'FORBIDDEN');
    expectError(await as('market.editor', 'POST', `/connectors/${connector.id}/run`), 403, 'NOT_PROVIDER');
    expectError(await as('market.editor', 'PATCH', `/connectors/${connector.id}`, { enabled: false }), 403, 'NOT_PROVIDER');
    expectError(await as('market.editor', 'DELETE', `/connectors/${connector.id}`), 403, 'NOT_PROVIDER');
    expectError(await as('authority', 'POST', `/connectors/${connector.id}/test`), 403, 'FORBIDDEN');
    expectError(await as('police.editor', 'GET', '/connectors/00000000-0000-4000-8000-000000000000'), 404, 'CONNECTOR_NOT_FOUND');
    expectError(await as('police.editor', 'GET', '/connectors/not-a-uuid'), 404, 'CONNECTOR_NOT_FOUND');
    const mine = json<{ items: Connector[] }>(await as('market.editor', 'GET', '/connectors'));
    assert.ok(mine.items.every((c) => c.providerId !== connector.providerId), 'without a resource: the caller\'s own organisation only');
  });

  test('bad settings are refused with a code that says what is wrong', async () => {
    const post = (body: Record<string, unknown>) => as('police.editor', 'POST', `/resources/${resourceId}/connectors`, { name: 'bad', ...body });
    expectError(await post({ kind: 'oracle', config: {} }), 400, 'CONNECTOR_KIND_UNKNOWN');
    const missing = await post({ kind: 'postgres', config: { port: 5432 } });
    expectError(missing, 400, 'CONNECTOR_CONFIG_INVALID');
    assert.ok((missing.json() as { error: { details: Array<{ path: string }> } }).error.details.some((d) => d.path === '/host'));
    expectError(await post({ kind: 'postgres', config: sourceConfig({ extra: 1 }) }), 400, 'CONNECTOR_CONFIG_INVALID');
    expectError(await post({ kind: 'postgres', config: sourceConfig({ query: 'select 1' }) }), 400, 'CONNECTOR_CONFIG_INVALID');
    expectError(await post({ kind: 'postgres', config: { ...source.connection, query: 'delete from items' } }), 400, 'CONNECTOR_CONFIG_INVALID');
    expectError(await post({ kind: 'postgres', config: sourceConfig({ columns: { code: 'code', title: 'no_such_column' } }) }), 400, 'CONNECTOR_COLUMN_UNKNOWN');
    expectError(await post({ kind: 'postgres', config: sourceConfig({ columns: { title: 'title' } }) }), 400, 'CONNECTOR_KEY_UNMAPPED');
    expectError(await post({ kind: 'postgres', mode: 'replace', config: sourceConfig({ watermarkColumn: 'changed_at' }) }), 400, 'CONNECTOR_WATERMARK_NEEDS_UPSERT');
    expectError(await post({ kind: 'postgres', config: sourceConfig(), intervalMinutes: 0 }), 400, 'VALIDATION_FAILED');
    expectError(await post({ kind: 'http', config: { url: 'http://127.0.0.1/x' }, secret: 'token' }), 400, 'CONNECTOR_SECRET_UNUSED');
    expectError(await as('police.editor', 'POST', `/resources/${resourceId}/connectors`, { name: '拒绝用例', kind: 'postgres', config: sourceConfig() }), 409, 'CONNECTOR_NAME_TAKEN');
  });

  test('hosts outside TIANSHU_CONNECTOR_HOSTS are refused when saved', async () => {
    for (const host of ['169.254.169.254', '10.0.0.8', '127.0.0.2']) {
      expectError(await as('police.editor', 'POST', `/resources/${resourceId}/connectors`, { name: `host ${host}`, kind: 'postgres', config: { ...sourceConfig(), host } }), 403, 'CONNECTOR_HOST_BLOCKED');
    }
    expectError(await as('police.editor', 'PATCH', `/connectors/${connector.id}`, { config: { ...sourceConfig(), host: '169.254.169.254' } }), 403, 'CONNECTOR_HOST_BLOCKED');
  });

  test('deleting removes the connector and its runs; the ledger keeps the trail', async () => {
    const res = await as('police.editor', 'DELETE', `/connectors/${connector.id}`);
    assert.equal(res.statusCode, 204, res.body);
    expectError(await as('police.editor', 'GET', `/connectors/${connector.id}`), 404, 'CONNECTOR_NOT_FOUND');
    assert.deepEqual((await ledger(connector.id)).map((e) => e.action), ['connector.create', 'connector.delete']);
  });
});

describe('a query that tries to write at the source', () => {
  // The query is read as a subquery; this one closes it and appends statements of its own. Sent by
  // the simple protocol they would all run: `commit` ends the read-only transaction, the write follows.
  const attack = (id: number) =>
    `select 'X-${id}' as code) x; commit; delete from ${source.scope}.victims where id = ${id}; select * from (select 'X-${id}' as code`;
  const victims = () => atSource<{ id: number }>(`select id from ${source.scope}.victims order by id`);
  before(async () => {
    await source.exec(`create table ${source.scope}.victims (id integer primary key)`);
    await source.exec(`insert into ${source.scope}.victims values (1), (2)`);
  });

  test('is refused by the test, and nothing is written there', async () => {
    const sneaky = await createConnector({ name: '写入尝试（测试）', kind: 'postgres', config: { ...source.connection, query: attack(1) } });
    const tested = json<TestResult>(await as('police.editor', 'POST', `/connectors/${sneaky.id}/test`));
    assert.deepEqual(await victims(), [{ id: 1 }, { id: 2 }], 'nothing deleted');
    assert.deepEqual([tested.ok, tested.code], [false, 'CONNECTOR_QUERY_INVALID'], JSON.stringify(tested));
  });

  test('fails a run at once, and nothing is written there', async () => {
    const sneaky = await createConnector({ name: '写入尝试（运行）', kind: 'postgres', config: { ...source.connection, query: attack(2) } });
    await as('police.editor', 'POST', `/connectors/${sneaky.id}/run`);
    await t.node.jobs.tick();
    const [run] = await runs(sneaky.id);
    assert.deepEqual(await victims(), [{ id: 1 }, { id: 2 }], 'nothing deleted');
    assert.deepEqual([run!.status, run!.attempt, run!.error?.code], ['failed', 1, 'CONNECTOR_QUERY_INVALID'], JSON.stringify(run));
  });
});

describe('the saved secret', () => {
  let connector: Connector;
  before(async () => {
    connector = await createConnector({ name: '密钥随地址', kind: 'postgres', config: sourceConfig(), secret: PASSWORD });
  });
  const patch = (body: Record<string, unknown>) => as('police.editor', 'PATCH', `/connectors/${connector.id}`, body);

  test('does not follow a change of server, port, database or user unless it is given again', async () => {
    for (const [change, field] of [
      [{ host: 'localhost' }, 'host'],
      [{ port: 1 + source.connection.port }, 'port'],
      [{ database: 'elsewhere' }, 'database'],
      [{ user: 'someone_else' }, 'user'],
    ] as const) {
      const res = await patch({ config: sourceConfig(change) });
      expectError(res, 400, 'CONNECTOR_SECRET_REQUIRED');
      assert.deepEqual((res.json() as { error: { details: { fields: string[] } } }).error.details.fields, [field]);
    }
    assert.deepEqual(json<Connector>(await as('police.editor', 'GET', `/connectors/${connector.id}`)).config, { ...sourceConfig(), ssl: false, batchSize: 1000 }, 'nothing changed');
    const stored = await sql<{ secret_sealed: string }>`select secret_sealed from connectors where id = ${connector.id}`.execute(t.node.db.kysely);
    assert.ok(stored.rows[0]!.secret_sealed);
  });

  test('stays for a change that sends it to the same place, and moves with a new one or goes when removed', async () => {
    const sameServer = await patch({ config: sourceConfig({ batchSize: 500, watermarkColumn: 'changed_at' }) });
    assert.equal(sameServer.statusCode, 200, sameServer.body);
    assert.equal(json<Connector>(sameServer).hasSecret, true);
    const moved = await patch({ config: sourceConfig({ host: 'localhost' }), secret: 'a-new-password' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual([json<Connector>(moved).config.host, json<Connector>(moved).hasSecret], ['localhost', true]);
    const removed = await patch({ config: sourceConfig(), secret: null });
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal(json<Connector>(removed).hasSecret, false);
    // Without a secret there is nothing to send elsewhere.
    assert.equal((await patch({ config: sourceConfig({ host: 'localhost' }) })).statusCode, 200);
  });
});

describe('a slow source', () => {
  test('answers the test with a timeout once a query takes longer than timeoutSeconds', { skip: onPostgres ? false : 'pg_sleep blocks the process on PGlite' }, async () => {
    const slow = await createConnector({
      name: '慢查询',
      kind: 'postgres',
      config: { ...source.connection, query: `select 'S-1' as code, pg_sleep(20)::text as title`, timeoutSeconds: 1 },
    });
    const started = Date.now();
    const tested = json<TestResult>(await as('police.editor', 'POST', `/connectors/${slow.id}/test`));
    const took = Date.now() - started;
    assert.deepEqual([tested.ok, tested.code], [false, 'CONNECTOR_SOURCE_TIMEOUT'], JSON.stringify(tested));
    assert.ok(took < 5000, `answered after ${took} ms`);
  });
});

describe('rows the loader refuses', () => {
  test('hold an incremental connector\'s watermark, so the next run reads them again', async () => {
    await source.exec(`create table ${source.scope}.uneven (code text primary key, qty text, changed_at timestamptz)`);
    await source.exec(
      `insert into ${source.scope}.uneven values
        ('W-1', '1', '2026-03-01 09:00:00+08'),
        ('W-2', 'many', '2026-03-01 10:00:00+08'),
        ('W-3', '3', '2026-03-01 11:00:00+08')`,
    );
    const uneven = await createConnector({ name: '含错误行', kind: 'postgres', config: sourceConfig({ table: `${source.scope}.uneven`, watermarkColumn: 'changed_at' }) });
    await as('police.editor', 'POST', `/connectors/${uneven.id}/run`);
    await t.node.jobs.tick();
    let [run] = await runs(uneven.id);
    assert.deepEqual([run!.status, run!.rowsRead, run!.inserted, run!.rejected], ['succeeded', 3, 2, 1], JSON.stringify(run));
    assert.deepEqual([run!.watermarkFrom, run!.watermarkTo], [null, null]);
    assert.equal(run!.watermarkHeld?.code, 'CONNECTOR_WATERMARK_HELD');
    assert.match(run!.watermarkHeld?.messageZh ?? '', /水位未前移/);
    assert.equal(json<Connector>(await as('police.editor', 'GET', `/connectors/${uneven.id}`)).watermark, null, 'W-2 lies before W-3: not passed over');
    const entry = (await ledger(uneven.id)).at(-1)!;
    assert.deepEqual([entry.action, entry.payload.watermarkHeld, entry.payload.watermarkTo], ['connector.run', 'CONNECTOR_WATERMARK_HELD', null]);

    await source.exec(`update ${source.scope}.uneven set qty = '2' where code = 'W-2'`);
    await as('police.editor', 'POST', `/connectors/${uneven.id}/run`);
    await t.node.jobs.tick();
    [run] = await runs(uneven.id);
    assert.deepEqual([run!.status, run!.rowsRead, run!.inserted, run!.updated, run!.rejected], ['succeeded', 3, 1, 0, 0], 'W-2 now; W-1 and W-3 again, unchanged');
    assert.equal(run!.watermarkHeld, null);
    assert.match(run!.watermarkTo ?? '', /^2026-03-01 (11:00:00\+08|03:00:00\+00)/);
    assert.equal(json<Connector>(await as('police.editor', 'GET', `/connectors/${uneven.id}`)).watermark, run!.watermarkTo);
    const loaded = (await rows()).filter((r) => String(r.code).startsWith('W-'));
    assert.deepEqual(loaded.map((r) => [r.code, r.qty]), [['W-1', 1], ['W-2', 2], ['W-3', 3]]);
  });
});
