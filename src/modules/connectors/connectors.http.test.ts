import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { build, type TestNode } from '../../../test/helper.js';
import { json as send, openHttpSource, policeTableResource, type HttpSource } from '../../../test/fixtures/sources.js';
import type { Connector, ConnectorRun } from './connectors.service.js';

/**
 * The http kind against a local JSON API: page, offset and cursor paging, the sealed secret header,
 * the watermark as a query parameter, and the answers it refuses (retried or not).
 */
let t: TestNode;
let api: HttpSource;
let resourceId: string;
let now = new Date();
const SECRET = 'api-key-that-stays-sealed';

const ITEMS = [
  { code: 'H-1', title: '一', qty: 1, changed_at: '2026-03-01T08:00:00+08:00' },
  { code: 'H-2', title: '二', qty: 2, changed_at: '2026-03-01T09:00:00+08:00' },
  { code: 'H-3', title: '三', qty: 3, changed_at: '2026-03-01T10:00:00+08:00' },
  { code: 'H-4', title: '四', qty: 4, changed_at: '2026-03-01T11:00:00+08:00' },
  { code: 'H-5', title: '五', qty: 5, changed_at: '2026-03-01T12:00:00+08:00' },
];

before(async () => {
  api = await openHttpSource();
  t = await build(undefined, { config: { connectorHosts: ['127.0.0.1'] }, node: { housekeeping: false, now: () => now } });
  resourceId = await policeTableResource(t, 'HTTP 连接器测试台账');
});
after(async () => {
  await t.close();
  await api.close();
});

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login('police.editor'), ...(payload === undefined ? {} : { payload: payload as string }) });
}
async function create(name: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Connector> {
  const res = await as('POST', `/resources/${resourceId}/connectors`, { name, kind: 'http', config, ...extra });
  assert.equal(res.statusCode, 201, res.body);
  return json<Connector>(res);
}
async function run(connector: Connector): Promise<ConnectorRun> {
  assert.equal((await as('POST', `/connectors/${connector.id}/run`)).statusCode, 202);
  await t.node.jobs.tick();
  return json<{ items: ConnectorRun[] }>(await as('GET', `/connectors/${connector.id}/runs`)).items[0]!;
}

describe('an http connector', () => {
  test('pages by number with the secret header, then reads only what changed since its watermark', async () => {
    api.handle((url, req, res) => {
      if (req.headers['x-api-key'] !== SECRET) return send(res, { message: 'unauthorised' }, 401);
      const since = url.searchParams.get('since');
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('size'));
      const items = ITEMS.filter((i) => since === null || i.changed_at >= since);
      return send(res, { code: 0, data: { total: items.length, items: items.slice((page - 1) * size, page * size) } });
    });
    const connector = await create(
      '接口分页',
      { url: `${api.url}/v1/items?type=all`, secretHeader: 'X-Api-Key', itemsPath: 'data.items', paging: { style: 'page', sizeParam: 'size', pageSize: 2 }, watermarkParam: 'since', watermarkField: 'changed_at' },
      { secret: SECRET },
    );
    assert.equal(connector.hasSecret, true);
    assert.doesNotMatch(JSON.stringify(connector), new RegExp(SECRET));
    assert.deepEqual(connector.config.paging, { style: 'page', sizeParam: 'size', pageSize: 2, pageParam: 'page', offsetParam: 'offset', cursorParam: 'cursor', firstPage: 1 });
    assert.equal(connector.config.secretHeader, 'X-Api-Key');

    api.requests.length = 0;
    const first = await run(connector);
    assert.deepEqual([first.status, first.rowsRead, first.inserted], ['succeeded', 5, 5], JSON.stringify(first));
    assert.deepEqual(api.requests.map((r) => [r.url.searchParams.get('page'), r.url.searchParams.get('type'), r.url.searchParams.get('since')]), [
      ['1', 'all', null],
      ['2', 'all', null],
      ['3', 'all', null],
    ]);
    assert.ok(api.requests.every((r) => r.headers['x-api-key'] === SECRET));
    assert.equal(first.watermarkTo, '2026-03-01T12:00:00+08:00');

    ITEMS[1] = { ...ITEMS[1]!, qty: 20, changed_at: '2026-03-02T08:00:00+08:00' };
    api.requests.length = 0;
    const second = await run(connector);
    assert.deepEqual([second.status, second.rowsRead, second.inserted, second.updated], ['succeeded', 2, 0, 1]);
    assert.equal(api.requests[0]!.url.searchParams.get('since'), '2026-03-01T12:00:00+08:00');
    assert.equal(second.watermarkTo, '2026-03-02T08:00:00+08:00');
  });

  test('pages by offset and by cursor', async () => {
    api.handle((url, _req, res) => {
      if (url.pathname === '/offset') {
        const offset = Number(url.searchParams.get('offset'));
        const limit = Number(url.searchParams.get('limit'));
        return send(res, ITEMS.slice(offset, offset + limit));
      }
      const at = Number(url.searchParams.get('cursor') ?? 0);
      return send(res, { rows: ITEMS.slice(at, at + 2), page: { next: at + 2 < ITEMS.length ? String(at + 2) : null } });
    });
    api.requests.length = 0;
    const byOffset = await run(await create('偏移分页', { url: `${api.url}/offset`, paging: { style: 'offset', sizeParam: 'limit', pageSize: 2 } }));
    assert.deepEqual([byOffset.status, byOffset.rowsRead], ['succeeded', 5]);
    assert.deepEqual(api.requests.map((r) => r.url.searchParams.get('offset')), ['0', '2', '4']);

    api.requests.length = 0;
    const byCursor = await run(await create('游标分页', { url: `${api.url}/cursor`, itemsPath: 'rows', paging: { style: 'cursor', pageSize: 2 }, nextCursorPath: 'page.next' }));
    assert.deepEqual([byCursor.status, byCursor.rowsRead], ['succeeded', 5]);
    assert.deepEqual(api.requests.map((r) => r.url.searchParams.get('cursor')), [null, '2', '4']);
  });

  test('an overloaded source is retried; answers that cannot be loaded as they are fail at once', async () => {
    api.handle((url, _req, res) => {
      if (url.pathname === '/busy') return send(res, { message: 'busy' }, 503);
      if (url.pathname === '/moved') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      }
      if (url.pathname === '/bignum') return res.writeHead(200, { 'content-type': 'application/json' }).end('[{"code":"X","qty":630102199003070012}]');
      if (url.pathname === '/endless') return send(res, ITEMS.slice(0, 2));
      return send(res, { not: 'a list' });
    });
    const busy = await run(await create('繁忙', { url: `${api.url}/busy` }));
    assert.deepEqual([busy.status, busy.error?.code], ['retrying', 'CONNECTOR_SOURCE_STATUS']);
    for (const [name, path, code] of [
      ['重定向', '/moved', 'CONNECTOR_SOURCE_STATUS'],
      ['大整数', '/bignum', 'CONNECTOR_RESPONSE_INVALID'],
      ['非数组', '/object', 'CONNECTOR_RESPONSE_INVALID'],
    ] as const) {
      const failed = await run(await create(name, { url: `${api.url}${path}` }));
      assert.deepEqual([failed.status, failed.attempt, failed.error?.code], ['failed', 1, code], name);
    }
    const endless = await run(await create('不分页', { url: `${api.url}/endless`, paging: { style: 'page', pageSize: 2 }, maxPages: 3 }));
    assert.deepEqual([endless.status, endless.error?.code], ['failed', 'CONNECTOR_TOO_MANY_PAGES']);
  });

  test('settings that would leak a credential or cannot page are refused', async () => {
    const post = (config: Record<string, unknown>) => as('POST', `/resources/${resourceId}/connectors`, { name: 'bad', kind: 'http', config });
    for (const config of [
      { url: `${api.url}/x`, headers: { Authorization: 'Bearer visible' } },
      { url: 'http://user:pw@127.0.0.1/x' },
      { url: 'ftp://127.0.0.1/x' },
      { url: `${api.url}/x`, paging: { style: 'cursor' } },
      { url: `${api.url}/x`, watermarkParam: 'since' },
    ]) {
      const res = await post(config);
      assert.equal(res.statusCode, 400, JSON.stringify(config));
      assert.equal(json<{ error: { code: string } }>(res).error.code, 'CONNECTOR_CONFIG_INVALID');
    }
  });

  test('header values and the secret that cannot be sent as a header are refused when saved', async () => {
    const post = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) => as('POST', `/resources/${resourceId}/connectors`, { name: 'bad header', kind: 'http', config, ...extra });
    for (const value of ['a\r\nX-Injected: 1', 'line\nbreak', '中文', 'caf\u00e9']) {
      const res = await post({ url: `${api.url}/x`, headers: { 'X-Region': value } });
      assert.equal(res.statusCode, 400, JSON.stringify(value));
      const error = json<{ error: { code: string; details: Array<{ path: string }> } }>(res).error;
      assert.deepEqual([error.code, error.details.map((d) => d.path)], ['CONNECTOR_CONFIG_INVALID', ['/headers/X-Region']]);
    }
    const badSecret = await post({ url: `${api.url}/x`, secretHeader: 'X-Api-Key' }, { secret: 'key\r\nX-Injected: 1' });
    assert.equal(badSecret.statusCode, 400, badSecret.body);
    const error = json<{ error: { code: string; message: string; details: Array<{ path: string }> } }>(badSecret).error;
    assert.deepEqual([error.code, error.details.map((d) => d.path)], ['CONNECTOR_CONFIG_INVALID', ['/secret']]);
    assert.doesNotMatch(badSecret.body, /X-Injected/, 'the secret is not echoed');

    const fine = await create('合法请求头', { url: `${api.url}/x`, headers: { 'X-Region': 'north\teast 1' }, secretHeader: 'X-Api-Key' }, { secret: SECRET });
    const patched = await as('PATCH', `/connectors/${fine.id}`, { secret: '钥匙' });
    assert.equal(patched.statusCode, 400, patched.body);
    assert.equal(json<{ error: { code: string } }>(patched).error.code, 'CONNECTOR_CONFIG_INVALID');
  });

  test('the secret header\'s value does not follow the connector to another origin or header unless given again', async () => {
    const keyed = await create('密钥随源', { url: `${api.url}/v1/items`, secretHeader: 'X-Api-Key' }, { secret: SECRET });
    const patch = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) => as('PATCH', `/connectors/${keyed.id}`, { config, ...extra });
    const port = new URL(api.url).port;
    for (const [url, header, fields] of [
      [`http://localhost:${port}/v1/items`, 'X-Api-Key', ['url']],
      [`http://127.0.0.1:${Number(port) + 1}/v1/items`, 'X-Api-Key', ['url']],
      [`${api.url}/v1/items`, 'X-Other-Key', ['secretHeader']],
    ] as const) {
      const res = await patch({ url, secretHeader: header });
      assert.equal(res.statusCode, 400, res.body);
      const error = json<{ error: { code: string; details: { fields: string[] } } }>(res).error;
      assert.deepEqual([error.code, error.details.fields], ['CONNECTOR_SECRET_REQUIRED', fields]);
    }
    const samePlace = await patch({ url: `${api.url}/v2/items?all=1`, secretHeader: 'x-api-key' });
    assert.equal(samePlace.statusCode, 200, samePlace.body);
    assert.equal(json<Connector>(samePlace).hasSecret, true);
    const given = await patch({ url: `http://localhost:${port}/v1/items`, secretHeader: 'X-Other-Key' }, { secret: 'another-key' });
    assert.equal(given.statusCode, 200, given.body);
    assert.deepEqual([json<Connector>(given).config.secretHeader, json<Connector>(given).hasSecret], ['X-Other-Key', true]);
  });

  // Last: it stops this node's job queue.
  test('a serving node\'s background worker starts a queued run at once, and stops with the node', async () => {
    api.handle((_url, _req, res) => send(res, ITEMS));
    const connector = await create('后台执行', { url: `${api.url}/all` });
    t.node.jobs.start(); // what a serving node does (tests drive the queue by hand otherwise)
    assert.equal((await as('POST', `/connectors/${connector.id}/run`)).statusCode, 202);
    const latest = async () => json<{ items: ConnectorRun[] }>(await as('GET', `/connectors/${connector.id}/runs`)).items[0];
    let last: ConnectorRun | undefined;
    for (let i = 0; i < 100 && last?.status !== 'succeeded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      last = await latest();
    }
    assert.equal(last?.status, 'succeeded', JSON.stringify(last));

    // A run under way when the node stops: the source is slow to answer.
    let answer!: () => void;
    api.handle((_url, _req, res) => void new Promise<void>((resolve) => (answer = resolve)).then(() => send(res, ITEMS)));
    api.requests.length = 0;
    assert.equal((await as('POST', `/connectors/${connector.id}/run`)).statusCode, 202);
    for (let i = 0; i < 100 && api.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(api.requests.length, 1, 'the run started');
    const started = Date.now();
    await t.node.jobs.stop();
    assert.ok(Date.now() - started < 2000, `stop waited ${Date.now() - started} ms for the run`);
    answer();
    last = await latest();
    assert.deepEqual([last?.status, last?.error?.code], ['retrying', 'JOB_INTERRUPTED'], 'the attempt was given back for another node (or the next start)');
    const [job] = (await sql<{ status: string; attempts: number }>`select status, attempts from jobs where id = (select job_id from connector_runs where id = ${last!.id})`.execute(t.node.db.kysely)).rows;
    assert.deepEqual([job?.status, job?.attempts], ['queued', 0], 'not counted as an attempt');
    // A stopped worker claims nothing more, woken or not.
    t.node.jobs.wake();
    assert.deepEqual(await t.node.jobs.runDue(), { succeeded: 0, failed: 0, dead: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(api.requests.length, 1, 'no request after the stop');
    assert.equal((await latest())?.status, 'retrying');
  });
});
