import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import mysql from 'mysql2/promise';
import { build, type TestNode } from '../../../test/helper.js';
import { policeTableResource } from '../../../test/fixtures/sources.js';
import type { Connector, ConnectorRun, TestResult } from './connectors.service.js';

/**
 * The mysql kind against a real MySQL/MariaDB server. Needs TIANSHU_TEST_MYSQL_URL (for example
 * mysql://root@127.0.0.1:3306/test); scripts/run-tests.mjs runs this file only when it is set, and
 * CI sets it.
 */
const url = new URL(process.env.TIANSHU_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
const table = `connector_src_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
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
  t = await build(undefined, { config: { connectorHosts: [url.hostname] }, node: { housekeeping: false } });
  resourceId = await policeTableResource(t, 'MySQL 连接器测试台账');
});
after(async () => {
  await t?.close();
  await source?.query(`drop table if exists ${table}`);
  await source?.end();
});

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${path}`, token: await t.login('police.editor'), ...(payload === undefined ? {} : { payload: payload as string }) });
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
