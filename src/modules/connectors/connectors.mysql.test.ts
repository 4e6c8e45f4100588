import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import mysql from 'mysql2/promise';
import { build, type TestNode } from '../../../test/helper.js';
import { policeTableResource } from '../../../test/fixtures/sources.js';
import { createHostPolicy } from './connectors.hosts.js';
import type { Connector, ConnectorRun, TestResult } from './connectors.service.js';
import { mysqlKind } from './kinds/mysql.js';
import type { SqlConfig } from './kinds/sql.js';

/**
 * The mysql kind against a real MySQL/MariaDB server. Needs TIANSHU_TEST_MYSQL_URL (for example
 * mysql://root@127.0.0.1:3306/test); scripts/run-tests.mjs runs this file only when it is set, and
 * CI sets it.
 */
const url = new URL(process.env.TIANSHU_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
const table = `connector_src_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
const victims = `${table}_victims`;
let t: TestNode;
let source: mysql.Connection;
let resourceId: string;

before(async () => {
  source = await mysql.createConnection({ uri: url.toString() });
  await source.query(`create table ${table} (id varchar(20) primary key, title varchar(100), qty int, changed_at datetime(3), photo blob, extra json)`);
  await source.query(
    `insert into ${table} values
      ('M-1', '青海湖', 1, '2026-03-01 09:00:00.000', x'0102', '{"a":1}'),
      ('M-2', '塔尔寺', 2, '2026-03-01 10:00:00.500', null, null)`,
  );
  await source.query(`create table ${victims} (id int primary key)`);
  await source.query(`insert into ${victims} values (1), (2)`);
  t = await build(undefined, { config: { connectorHosts: [url.hostname] }, node: { housekeeping: false } });
  resourceId = await policeTableResource(t, 'MySQL 连接器测试台账');
});
after(async () => {
  await t?.close();
  await source?.query(`drop table if exists ${table}`);
  await source?.query(`drop table if exists ${victims}`);
  await source?.end();
});

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${path}`, token: await t.login('police.editor'), ...(payload === undefined ? {} : { payload: payload as string }) });
}
const connection = () => ({ host: url.hostname, port: Number(url.port || 3306), database: url.pathname.slice(1), user: decodeURIComponent(url.username) });
const password = url.password ? { secret: decodeURIComponent(url.password) } : {};
async function create(name: string, config: Record<string, unknown>): Promise<Connector> {
  const res = await as('POST', `/resources/${resourceId}/connectors`, { name, kind: 'mysql', config: { ...connection(), ...config }, ...password });
  assert.equal(res.statusCode, 201, res.body);
  return json<Connector>(res);
}
async function run(connector: Connector): Promise<ConnectorRun> {
  assert.equal((await as('POST', `/connectors/${connector.id}/run`)).statusCode, 202);
  await t.node.jobs.tick();
  return json<{ items: ConnectorRun[] }>(await as('GET', `/connectors/${connector.id}/runs`)).items[0]!;
}

describe('a MySQL connector', () => {
  test('tests, loads, and reads incrementally by its watermark column', async () => {
    const res = await as('POST', `/resources/${resourceId}/connectors`, {
      name: 'MySQL 业务库',
      kind: 'mysql',
      config: {
        host: url.hostname,
        port: Number(url.port || 3306),
        database: url.pathname.slice(1),
        user: decodeURIComponent(url.username),
        table,
        watermarkColumn: 'changed_at',
        columns: { id: 'code', title: 'title', qty: 'qty', changed_at: 'changed_at' },
      },
      ...(url.password ? { secret: decodeURIComponent(url.password) } : {}),
    });
    assert.equal(res.statusCode, 201, res.body);
    const connector = json<Connector>(res);

    const tested = json<TestResult>(await as('POST', `/connectors/${connector.id}/test`));
    assert.equal(tested.ok, true, JSON.stringify(tested));
    assert.deepEqual(tested.columns, ['id', 'title', 'qty', 'changed_at', 'photo', 'extra']);
    assert.deepEqual(tested.sample[0], { code: 'M-1', title: '青海湖', qty: 1, changed_at: '2026-03-01 09:00:00.000' });

    const first = await run(connector);
    assert.deepEqual([first.status, first.rowsRead, first.inserted], ['succeeded', 2, 2], JSON.stringify(first));
    assert.equal(first.watermarkTo, '2026-03-01 10:00:00.500');

    await source.query(`update ${table} set qty = 20, changed_at = '2026-03-02 08:00:00' where id = 'M-1'`);
    await source.query(`insert into ${table} (id, title, qty, changed_at) values ('M-3', '茶卡盐湖', 3, '2026-03-02 09:00:00')`);
    const second = await run(connector);
    // M-2 again (at the watermark), M-1 changed, M-3 new.
    assert.deepEqual([second.status, second.rowsRead, second.inserted, second.updated], ['succeeded', 3, 1, 1]);
    const rows = json<{ items: Array<Record<string, unknown>> }>(await as('GET', `/resources/${resourceId}/rows`)).items;
    assert.deepEqual(rows.map((r) => [r.code, r.qty]), [['M-1', 20], ['M-2', 2], ['M-3', 3]]);
    assert.equal(new Date(rows[2]!.changed_at as string).toISOString(), '2026-03-02T01:00:00.000Z', 'a time without a zone is China\'s');
  });

  test('a table that does not exist fails the run at once', async () => {
    const res = await as('POST', `/resources/${resourceId}/connectors`, {
      name: '不存在的表',
      kind: 'mysql',
      config: { host: url.hostname, port: Number(url.port || 3306), database: url.pathname.slice(1), user: decodeURIComponent(url.username), table: `${table}_missing` },
    });
    const failed = await run(json<Connector>(res));
    assert.deepEqual([failed.status, failed.attempt, failed.error?.code], ['failed', 1, 'CONNECTOR_SOURCE_QUERY_FAILED']);
  });
});

describe('a MySQL query', () => {
  const remaining = async () => ((await source.query(`select id from ${victims} order by id`))[0] as Array<{ id: number }>).map((r) => r.id);
  // Closes the subquery and appends statements of its own; the connection runs one statement a query.
  const attack = (id: number) => `select 'X-${id}' as code) x; commit; delete from ${victims} where id = ${id}; select * from (select 'X-${id}' as code`;

  test('that tries to write is refused by the test and by a run, and nothing is written', async () => {
    const tested = json<TestResult>(await as('POST', `/connectors/${(await create('写入尝试（测试）', { query: attack(1) })).id}/test`));
    assert.deepEqual(await remaining(), [1, 2]);
    assert.deepEqual([tested.ok, tested.code], [false, 'CONNECTOR_QUERY_INVALID'], JSON.stringify(tested));
    const failed = await run(await create('写入尝试（运行）', { query: attack(2) }));
    assert.deepEqual(await remaining(), [1, 2]);
    assert.deepEqual([failed.status, failed.attempt, failed.error?.code], ['failed', 1, 'CONNECTOR_QUERY_INVALID']);
  });

  test('longer than timeoutSeconds answers the test with a timeout', async () => {
    const slow = await create('慢查询', { query: "select 'S-1' as code, sleep(20) as title", timeoutSeconds: 1 });
    const started = Date.now();
    const tested = json<TestResult>(await as('POST', `/connectors/${slow.id}/test`));
    const took = Date.now() - started;
    assert.deepEqual([tested.ok, tested.code], [false, 'CONNECTOR_SOURCE_TIMEOUT'], JSON.stringify(tested));
    assert.ok(took < 5000, `answered after ${took} ms`);
  });

  test('that is slow stops when the signal says so: a sample at its time limit, a pull when its run must', async () => {
    const hosts = await createHostPolicy({ allow: [url.hostname] });
    const config: SqlConfig = { ...connection(), ssl: false, batchSize: 1000, query: "select 'S-1' as code, sleep(20) as title" };
    let started = performance.now();
    await assert.rejects(mysqlKind.sample(config, password.secret, 5, { hosts, signal: AbortSignal.timeout(500) }), (err: { code?: string }) => err.code === 'CONNECTOR_SOURCE_TIMEOUT');
    assert.ok(performance.now() - started < 2500, `sample stopped after ${Math.round(performance.now() - started)} ms`);

    const controller = new AbortController();
    const stopping = new Error('the node is stopping');
    setTimeout(() => controller.abort(stopping), 500);
    started = performance.now();
    const pull = mysqlKind.pull(config, password.secret, null, { hosts, signal: controller.signal });
    await assert.rejects(
      (async () => {
        for await (const batch of pull.batches) void batch;
      })(),
      (err) => err === stopping,
    );
    assert.ok(performance.now() - started < 2500, `pull stopped after ${Math.round(performance.now() - started)} ms`);
  });
});
