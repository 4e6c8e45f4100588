import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
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

  test('a serving node\'s background worker starts a queued run at once, and stops with the node', async () => {
    api.handle((_url, _req, res) => send(res, ITEMS));
    const connector = await create('后台执行', { url: `${api.url}/all` });
    t.node.jobs.start(); // what a serving node does (tests drive the queue by hand otherwise)
    assert.equal((await as('POST', `/connectors/${connector.id}/run`)).statusCode, 202);
    let last: ConnectorRun | undefined;
    for (let i = 0; i < 100 && last?.status !== 'succeeded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      last = json<{ items: ConnectorRun[] }>(await as('GET', `/connectors/${connector.id}/runs`)).items[0];
    }
    assert.equal(last?.status, 'succeeded', JSON.stringify(last));
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
});
