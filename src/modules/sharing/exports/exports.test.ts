import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import Fastify, { type LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { build, errorCode, type TestNode } from '../../../../test/helper.js';
import { buildApp } from '../../../app.js';
import { systemActor } from '../../../core/auth/actor.js';
import { completeResidentId } from '../../../core/codes/index.js';
import { DEFAULT_DEMO_PASSWORD } from '../../../core/config.js';
import { sm3Hex } from '../../../core/crypto/index.js';
import { loggerOptions } from '../../../core/logger.js';
import type { CatalogEntry } from '../../catalog/index.js';
import type { Organisation } from '../../identity/index.js';
import type { Resource } from '../../resources/index.js';
import type { Application, Grant } from '../sharing.types.js';
import { csvField } from './exports.encoders.js';
import { ChunkStore, PAGE_ROWS } from './exports.pipeline.js';
import { PURGE_GRACE_MS } from './exports.service.js';
import type { Export } from './exports.views.js';

/**
 * Exports (文件共享) through HTTP, as consumers use them: grants with the `file` method made through
 * the sharing API, exports queued and run by the job queue (tests drive it with tick()), files
 * parsed back (CSV and xlsx) to check they hold exactly what the gateway would give — granted items,
 * masked, the row filter applied — and one-time links that expire. Every refusal reaches its code.
 */

let t: TestNode;
/** The node's clock: moved forward to expire links, files and grants. */
let now = new Date();
const orgs: Record<string, Organisation> = {};
const grants: Record<string, Grant> = {};
const VALID_UNTIL = new Date(Date.now() + 365 * 86400_000).toISOString().slice(0, 10);

const PEOPLE = [
  { resident_id: completeResidentId('63010219900307001'), full_name: '张三', phone: '13812345678', address: '青海省西宁市城东区八一路12号', division: '630102', note: 'a, "quoted"\nline', income: '8000' },
  { resident_id: completeResidentId('63010319850512002'), full_name: '李四', phone: '0971-8123456', address: '青海省西宁市城中区南大街3号', division: '630103', note: '', income: '6000' },
  { resident_id: completeResidentId('63022319880808005'), full_name: '赵七', phone: '13512341234', address: '青海省海东市互助土族自治县威远镇', division: '630223', note: '=1+1', income: '4000' },
  { resident_id: completeResidentId('63280119921120003'), full_name: '王五', phone: '13909876543', address: '青海省海西蒙古族藏族自治州格尔木市昆仑路5号', division: '632801', note: '格尔木', income: '5000' },
];
const ITEMS = [
  { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
  { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
  { name: '户籍地址', column: 'address', dataType: 'string', length: 200, piiKind: 'address' },
  { name: '所在区划', column: 'division', dataType: 'string', length: 6 },
  { name: '备注', column: 'note', dataType: 'string', length: 200 },
  { name: '月收入', column: 'income', dataType: 'integer' },
];
const GRANTED = ['resident_id', 'full_name', 'phone', 'address', 'division', 'note'];
const masked = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;

let people: CatalogEntry;
let empty: CatalogEntry;

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
async function as(username: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as string }), ...(headers ? { headers } : {}) });
}
async function ok<T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return json<T>(r);
}
async function refused(res: Promise<LightMyRequestResponse>, status: number, code: string): Promise<void> {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  assert.equal(errorCode(r), code, r.body);
  const body = json<{ error: { message: string; messageZh: string } }>(r);
  assert.ok(body.error.message && body.error.messageZh, 'both languages');
}

async function publish(name: string): Promise<CatalogEntry> {
  const entry = await ok<CatalogEntry>(
    as('police.editor', 'POST', '/catalogs', {
      name,
      summary: '文件共享测试用目录。',
      resourceType: 'department',
      category: '1-01-001',
      format: 'table',
      shareType: 'conditional',
      shareCondition: '用于统计分析',
      shareMethods: ['api', 'file'],
      openType: 'none',
      updateCycle: 'daily',
      securityGrade: 'general',
      items: ITEMS,
    }),
    201,
  );
  await ok(as('police.editor', 'POST', `/catalogs/${entry.id}/submit`));
  return ok<CatalogEntry>(as('authority', 'POST', `/catalogs/${entry.id}/approve`));
}

async function grantOf(consumer: string, entry: CatalogEntry, application: Record<string, unknown>, terms?: Record<string, unknown>): Promise<Grant> {
  const app = await ok<Application>(
    as(consumer, 'POST', '/applications', {
      catalogId: entry.id,
      purpose: '人口统计分析，按月导出',
      legalBasis: '《中华人民共和国统计法》第七条',
      scenario: '统计分析',
      methods: ['file'],
      validUntil: VALID_UNTIL,
      ...application,
    }),
    201,
  );
  const approved = await ok<Application>(as('police.approver', 'POST', `/applications/${app.id}/approve`, terms ? { grant: terms } : {}));
  assert.equal(approved.status, 'granted');
  return ok<Grant>(as(consumer, 'GET', `/grants/${approved.grantId}`));
}

const exportOf = (username: string, body: Record<string, unknown>) => as(username, 'POST', '/exports', body);
async function queued(username: string, body: Record<string, unknown>): Promise<Export> {
  const e = await ok<Export>(exportOf(username, body), 202);
  assert.equal(e.status, 'queued');
  return e;
}
/** Runs what the queue holds and reads the export back. */
async function run(username: string, id: string): Promise<Export> {
  await t.node.jobs.tick();
  return ok<Export>(as(username, 'GET', `/exports/${id}`));
}
/** Every download token handed out: none may be stored or logged in clear. */
const issuedTokens: string[] = [];
async function linkOf(username: string, id: string, body?: unknown): Promise<{ url: string; expiresAt: string }> {
  const link = await ok<{ url: string; expiresAt: string }>(as(username, 'POST', `/exports/${id}/link`, body));
  issuedTokens.push(link.url.split('/').pop()!);
  return link;
}
const download = (url: string) => t.request({ method: 'GET', url });

/** RFC 4180 records (quoted fields with commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field, '', 'the file ends with a CRLF');
  return rows;
}

before(async () => {
  t = await build(undefined, { node: { now: () => now, housekeeping: false } });
  const list = (await ok<{ items: Organisation[] }>(as('authority', 'GET', '/organisations?pageSize=200'))).items;
  for (const [k, name] of Object.entries({ market: '青海省市场监督管理局', xining: '西宁市人民政府', hrss: '青海省人力资源和社会保障厅' })) orgs[k] = list.find((o) => o.name === name)!;
  for (const [username, org] of [
    ['xining.consumer', 'xining'],
    ['market.consumer2', 'market'],
  ] as const) {
    await t.node.identity.createUser(systemActor('test'), { username, displayName: `${username} 测试`, organisationId: orgs[org]!.id, password: DEFAULT_DEMO_PASSWORD, roles: ['consumer'] });
  }

  people = await publish('人口统计信息（导出测试）');
  empty = await publish('未加载数据的目录（导出测试）');
  const table = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${people.id}/resources`, { kind: 'table' }), 201);
  const csv = ['resident_id,full_name,phone,address,division,note,income', ...PEOPLE.map((p) => Object.values(p).map(csvField).join(','))].join('\r\n');
  await ok(as('police.editor', 'POST', `/resources/${table.id}/data`, csv, { 'content-type': 'text/csv; charset=utf-8' }));

  grants.market = await grantOf('market.consumer', people, { items: GRANTED });
  grants.xining = await grantOf('xining.consumer', people, {}, { rowFilter: { column: 'division', op: 'prefix', value: '$consumerDivision' } });
  grants.hrssApi = await grantOf('hrss.consumer', people, { methods: ['api'] });
  grants.empty = await grantOf('market.consumer', empty, {});
});
after(async () => {
  await t?.close();
});

describe('exporting granted data', () => {
  let csvExport: Export;

  test('a CSV export holds the granted items, masked as granted, and the file says who it is for in the ledger', async () => {
    csvExport = await queued('market.consumer', { grantId: grants.market!.id, format: 'csv' });
    assert.equal(csvExport.mine, true);
    // Before the job runs there is nothing to download.
    await refused(as('market.consumer', 'POST', `/exports/${csvExport.id}/link`), 409, 'EXPORT_NOT_READY');

    const ready = await run('market.consumer', csvExport.id);
    assert.equal(ready.status, 'ready', JSON.stringify(ready.error));
    assert.equal(ready.rows, PEOPLE.length);
    assert.ok(ready.size! > 0 && /^[0-9a-f]{64}$/.test(ready.sm3!));
    assert.ok(ready.expiresAt && Date.parse(ready.expiresAt) > now.getTime());
    assert.match(ready.fileName!, /^人口统计信息（导出测试）_\d{8}_[0-9a-f]{8}\.csv$/);

    const { url, expiresAt } = await linkOf('market.consumer', ready.id);
    assert.match(url, /^\/api\/v1\/exports\/download\/[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(expiresAt) <= now.getTime() + 24 * 3600_000);
    const res = await download(url);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(res.headers['x-content-sm3'], ready.sm3);
    assert.equal(sm3Hex(res.rawPayload), ready.sm3);
    assert.equal(res.rawPayload.length, ready.size);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename=".*"; filename\*=UTF-8''/);
    assert.deepEqual([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');

    const rows = parseCsv(res.rawPayload.subarray(3).toString('utf8'));
    assert.deepEqual(rows[0], GRANTED, 'the granted items in table order; income is not granted');
    const [zhang, li, zhao] = PEOPLE;
    assert.deepEqual(rows[1], [masked(zhang!.resident_id), '张*', '138****5678', '青海省西宁市城东区', '630102', 'a, "quoted"\nline']);
    assert.deepEqual(rows[2], [masked(li!.resident_id), '李*', '****-***3456', '青海省西宁市城中区', '630103', '']);
    // Text a spreadsheet would run as a formula is written with a leading quote (CSV injection).
    assert.deepEqual(rows[3]!.slice(4), ['630223', "'=1+1"]);
    assert.equal(rows.length, 1 + PEOPLE.length);
    assert.ok(!res.rawPayload.toString('utf8').includes(zhao!.resident_id), 'no resident ID in clear');
  });

  test('a link is valid once: a second use is 410 EXPORT_LINK_USED; an unknown token 404', async () => {
    const { url } = await linkOf('market.consumer', csvExport.id);
    assert.equal((await download(url)).statusCode, 200);
    await refused(download(url), 410, 'EXPORT_LINK_USED');
    await refused(download(`/api/v1/exports/download/${'A'.repeat(43)}`), 404, 'EXPORT_LINK_NOT_FOUND');
    await refused(download('/api/v1/exports/download/short'), 400, 'VALIDATION_FAILED');
    const seen = await ok<Export>(as('market.consumer', 'GET', `/exports/${csvExport.id}`));
    assert.equal(seen.links, 2);
    assert.equal(seen.downloads, 2);
  });

  test('a link expires: after its time it is 410 EXPORT_LINK_EXPIRED; a shorter one may be asked for', async () => {
    const { url, expiresAt } = await linkOf('market.consumer', csvExport.id, { ttlMinutes: 30 });
    assert.equal(Date.parse(expiresAt), now.getTime() + 30 * 60_000);
    const before = now;
    now = new Date(before.getTime() + 31 * 60_000);
    try {
      await refused(download(url), 410, 'EXPORT_LINK_EXPIRED');
    } finally {
      now = before;
    }
    await refused(as('market.consumer', 'POST', `/exports/${csvExport.id}/link`, { ttlMinutes: 24 * 60 + 1 }), 400, 'VALIDATION_FAILED');
  });

  test('an xlsx export, parsed back: the same rows, and the recipient in the document properties', async () => {
    const e = await queued('market.consumer', { grantId: grants.market!.id, format: 'xlsx', fields: ['division', 'full_name'], filters: { division: { op: 'prefix', value: '6301' } } });
    const ready = await run('market.consumer', e.id);
    assert.equal(ready.status, 'ready', JSON.stringify(ready.error));
    assert.equal(ready.rows, 2);
    const res = await download((await linkOf('market.consumer', e.id)).url);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(sm3Hex(res.rawPayload), ready.sm3);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('数据')!;
    const values = sheet.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1));
    assert.deepEqual(values, [
      ['division', 'full_name'],
      ['630102', '张*'],
      ['630103', '李*'],
    ]);
    assert.match(wb.keywords, new RegExp(`recipientOrganisationId=${orgs.market!.id}`));
    assert.match(wb.keywords, new RegExp(`exportId=${e.id}`));
    assert.match(wb.keywords, /recipient=马晓梅/);
    assert.match(wb.description, /青海省市场监督管理局/);
    assert.equal(wb.lastModifiedBy, '马晓梅');
    const about = wb.getWorksheet('说明')!;
    const aboutText = JSON.stringify(about.getSheetValues());
    assert.ok(aboutText.includes('马晓梅') && aboutText.includes('姓名') && aboutText.includes(e.id));
  });

  test('the row filter gives 西宁 only the rows of its own area', async () => {
    const e = await queued('xining.consumer', { grantId: grants.xining!.id, format: 'csv', fields: ['division'] });
    const ready = await run('xining.consumer', e.id);
    assert.equal(ready.status, 'ready', JSON.stringify(ready.error));
    const res = await download((await linkOf('xining.consumer', e.id)).url);
    assert.deepEqual(parseCsv(res.rawPayload.subarray(3).toString('utf8')), [['division'], ['630102'], ['630103']]);
  });

  test('each export is a share_calls row (route export) and ledger entries', async () => {
    const calls = await t.node.db.kysely.selectFrom('share_calls').selectAll().where('route', '=', 'export').where('grant_id', '=', grants.market!.id).execute();
    assert.equal(calls.length, 2);
    assert.ok(calls.every((c) => c.outcome === 'ok' && c.consumer_org_id === orgs.market!.id));
    assert.deepEqual(calls.map((c) => Number(c.rows_returned)).sort(), [2, PEOPLE.length]);
    await t.node.gateway.flushCalls();
    assert.equal((await t.node.db.kysely.selectFrom('share_calls').select('id').where('route', '=', 'export').where('ledgered', '=', false).execute()).length, 0);
    await t.node.ledger.flush();
    const actions = (await t.node.ledger.entries({ subjectId: csvExport.id }, 1, 50)).items.map((e) => e.entry.action);
    for (const a of ['sharing.export.request', 'sharing.export.start', 'sharing.export.ready', 'sharing.export.link', 'sharing.export.download']) assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
    const readyEntry = (await t.node.ledger.entries({ subjectId: csvExport.id }, 1, 50)).items.find((e) => e.entry.action === 'sharing.export.ready')!;
    assert.equal((readyEntry.payload as { watermark: { recipient: string } }).watermark.recipient, '马晓梅');
    // The token is never stored: only its SM3.
    const links = await t.node.db.kysely.selectFrom('share_export_links').select('token_sm3').execute();
    assert.ok(links.length >= 5 && links.every((l) => /^[0-9a-f]{64}$/.test(l.token_sm3)));
    assert.ok(issuedTokens.length >= 5);
    for (const token of issuedTokens) assert.ok(links.some((l) => l.token_sm3 === sm3Hex(token)), 'each link is kept by its SM3');
    // …and the clear token appears in no column of the links, nor anywhere in the ledger.
    const stored = await sql<{ row: string }>`
      select t::text as row from share_export_links t
      union all select t::text from ledger_pending t
      union all select t::text from ledger_entries t`.execute(t.node.db.kysely);
    assert.ok(stored.rows.length > 0);
    for (const token of issuedTokens) assert.ok(!stored.rows.some((r) => r.row.includes(token)), 'no clear token stored');
    // The requester was told.
    const notes = await ok<{ items: Array<{ kind: string }> }>(as('market.consumer', 'GET', '/notifications?pageSize=200'));
    assert.ok(notes.items.some((n) => n.kind === 'sharing.export_ready'));
  });

  test('many rows go through in pages (keyset), none lost or repeated', async () => {
    const big = await publish('大量数据目录（导出测试）');
    const table = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${big.id}/resources`, { kind: 'table' }), 201);
    const n = PAGE_ROWS * 2 + 17;
    const lines = ['resident_id,full_name,phone,address,division,note,income'];
    for (let i = 0; i < n; i++) {
      const birth = new Date(Date.UTC(1990, 0, 1 + Math.floor(i / 900))).toISOString().slice(0, 10).replace(/-/g, '');
      lines.push(`${completeResidentId(`630102${birth}${100 + (i % 900)}`)},某${i},,,630102,${i},${i}`);
    }
    await ok(as('police.editor', 'POST', `/resources/${table.id}/data`, lines.join('\r\n'), { 'content-type': 'text/csv; charset=utf-8' }));
    const g = await grantOf('hrss.consumer', big, {});
    const e = await queued('hrss.consumer', { grantId: g.id, format: 'xlsx', fields: ['note'] });
    const ready = await run('hrss.consumer', e.id);
    assert.equal(ready.status, 'ready', JSON.stringify(ready.error));
    assert.equal(ready.rows, n);
    const res = await download((await linkOf('hrss.consumer', e.id)).url);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const notes = wb.getWorksheet('数据')!.getSheetValues().slice(2).map((r) => Number((r as unknown[])[1]));
    assert.deepEqual(notes.sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  });
});

/** A fresh catalog entry with one row loaded, and a file grant of it to `consumer` (approved with `terms`). */
async function freshGrant(consumer: string, name: string, terms?: Record<string, unknown>): Promise<Grant> {
  const g = await grantOf(consumer, await publish(name), {}, terms);
  const table = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${g.catalog.id}/resources`, { kind: 'table' }), 201);
  const csv = ['resident_id,full_name,phone,address,division,note,income', ...PEOPLE.slice(0, 2).map((p) => Object.values(p).map(csvField).join(','))].join('\r\n');
  await ok(as('police.editor', 'POST', `/resources/${table.id}/data`, csv, { 'content-type': 'text/csv; charset=utf-8' }));
  return g;
}
async function readyExport(username: string, grantId: string): Promise<Export> {
  const e = await queued(username, { grantId, format: 'csv' });
  const ready = await run(username, e.id);
  assert.equal(ready.status, 'ready', JSON.stringify(ready.error));
  return ready;
}
const unusedLinks = async (exportId: string) =>
  (await t.node.db.kysely.selectFrom('share_export_links').select('id').where('export_id', '=', exportId).where('used_at', 'is', null).execute()).length;

describe('links, terms and logs', () => {
  test('two downloads of one link at once: exactly one gets the file, the other 410 EXPORT_LINK_USED', async () => {
    const e = await readyExport('hrss.consumer', (await freshGrant('hrss.consumer', '并发下载测试目录（导出测试）')).id);
    const { url } = await linkOf('hrss.consumer', e.id);
    const results = await Promise.all([download(url), download(url)]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 410]);
    const used = results.find((r) => r.statusCode === 410)!;
    assert.equal(errorCode(used), 'EXPORT_LINK_USED');
    assert.equal(sm3Hex(results.find((r) => r.statusCode === 200)!.rawPayload), e.sm3);
    assert.equal((await ok<Export>(as('hrss.consumer', 'GET', `/exports/${e.id}`))).downloads, 1);
  });

  test('a file made under terms that changed since is 409 EXPORT_STALE for links and downloads; a new export is not', async () => {
    const g = await freshGrant('hrss.consumer', '条件变更测试目录（导出测试）');
    const e = await readyExport('hrss.consumer', g.id);
    const { url } = await linkOf('hrss.consumer', e.id);
    // The provider narrows the grant to one area after the file was made.
    await ok(as('police.approver', 'PATCH', `/grants/${g.id}`, { rowFilter: { column: 'division', op: 'prefix', value: '630103' } }));
    await refused(download(url), 409, 'EXPORT_STALE');
    assert.equal(await unusedLinks(e.id), 1, 'a refused download leaves the link unused');
    await refused(as('hrss.consumer', 'POST', `/exports/${e.id}/link`), 409, 'EXPORT_STALE');
    // Exported again, under the terms as they are now.
    const again = await readyExport('hrss.consumer', g.id);
    assert.equal(again.rows, 1);
    const res = await download((await linkOf('hrss.consumer', again.id)).url);
    assert.equal(res.statusCode, 200, res.body);
  });

  test("a download from outside the grant's IP allow-list is 403 IP_NOT_ALLOWED and leaves the link unused", async () => {
    const g = await freshGrant('hrss.consumer', 'IP 白名单测试目录（导出测试）', { ipAllow: ['10.0.0.0/8'] });
    const e = await readyExport('hrss.consumer', g.id);
    const { url } = await linkOf('hrss.consumer', e.id);
    await refused(t.request({ method: 'GET', url, remoteAddress: '192.168.1.20' }), 403, 'IP_NOT_ALLOWED');
    await refused(download(url), 403, 'IP_NOT_ALLOWED');
    assert.equal(await unusedLinks(e.id), 1);
    const res = await t.request({ method: 'GET', url, remoteAddress: '10.1.2.3' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(sm3Hex(res.rawPayload), e.sm3);
  });

  test('every status change is in the ledger: start, retry after a failed attempt, start again, ready', async () => {
    const g = await freshGrant('hrss.consumer', '重试测试目录（导出测试）');
    const e = await queued('hrss.consumer', { grantId: g.id, format: 'csv' });
    const resources = t.node.resources;
    const original = resources.shareRecords;
    resources.shareRecords = () => Promise.reject(new Error('connection reset'));
    try {
      await t.node.jobs.tick();
    } finally {
      resources.shareRecords = original;
    }
    const waiting = await ok<Export>(as('hrss.consumer', 'GET', `/exports/${e.id}`));
    assert.equal(waiting.status, 'queued');
    assert.equal(waiting.attempts, 1);
    const before = now;
    now = new Date(before.getTime() + 15 * 60_000);
    try {
      assert.equal((await run('hrss.consumer', e.id)).status, 'ready');
    } finally {
      now = before;
    }
    await t.node.ledger.flush();
    const entries = (await t.node.ledger.entries({ subjectId: e.id }, 1, 50)).items;
    const actions = entries.map((x) => x.entry.action).sort();
    assert.deepEqual(actions, ['sharing.export.ready', 'sharing.export.request', 'sharing.export.retry', 'sharing.export.start', 'sharing.export.start']);
    const retry = entries.find((x) => x.entry.action === 'sharing.export.retry')!;
    assert.equal((retry.payload as { attempt: number }).attempt, 1);
  });

  test('an attempt that was taken over writes no more parts (they would mix with the newer attempt’s)', async () => {
    const e = await readyExport('hrss.consumer', (await freshGrant('hrss.consumer', '重复执行测试目录（导出测试）')).id);
    const db = t.node.db.kysely;
    const parts = async () => (await db.selectFrom('share_export_chunks').select('seq').where('export_id', '=', e.id).execute()).length;
    const before = await parts();
    const write = async (attempt: number) => {
      const store = new ChunkStore(db, e.id, attempt, 1 << 20);
      await store.write(Buffer.from('stale bytes'));
      return store.finish();
    };
    // A ready export takes no parts from any attempt.
    await assert.rejects(write(e.attempts), /taken over/);
    // Running again under attempt 2: attempt 1's parts are refused, attempt 2's kept.
    await db.updateTable('share_exports').set({ status: 'running', attempts: 2 }).where('id', '=', e.id).execute();
    try {
      await assert.rejects(write(1), /taken over/);
      assert.equal(await parts(), before);
      await db.deleteFrom('share_export_chunks').where('export_id', '=', e.id).execute();
      assert.equal((await write(2)).size, 'stale bytes'.length);
      assert.equal(await parts(), 1);
    } finally {
      await db.updateTable('share_exports').set({ status: 'ready', attempts: e.attempts }).where('id', '=', e.id).execute();
    }
  });

  test('the filters are shown to the organisation that asked only (the provider and the authority get null)', async () => {
    const withFilters = (await ok<{ items: Export[] }>(as('market.consumer2', 'GET', '/exports?as=consumer&pageSize=100'))).items.filter((x) => x.filters !== null);
    assert.ok(withFilters.length > 0, 'the consumer organisation sees its filters');
    for (const x of withFilters) {
      assert.equal((await ok<Export>(as('police.approver', 'GET', `/exports/${x.id}`))).filters, null);
      assert.equal((await ok<Export>(as('authority', 'GET', `/exports/${x.id}`))).filters, null);
    }
    const provided = (await ok<{ items: Export[] }>(as('police.approver', 'GET', '/exports?as=provider&pageSize=100'))).items;
    assert.ok(provided.length > 0 && provided.every((x) => x.filters === null));
  });

  test('download tokens never reach the request log', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    // As `tianshu start` runs: its own pino logger, shared with the HTTP layer.
    const app = await buildApp(t.node, { logger: pino(loggerOptions('info'), stream) });
    try {
      const e = await readyExport('hrss.consumer', (await freshGrant('hrss.consumer', '日志测试目录（导出测试）')).id);
      const { url } = await linkOf('hrss.consumer', e.id);
      const token = url.split('/').pop()!;
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: `${url}?x=1` })).statusCode, 410);
      const log = lines.join('');
      assert.ok(log.includes('/api/v1/exports/download/[redacted]'), log);
      assert.ok(!log.includes(token), 'the token is not logged');
    } finally {
      await app.close();
    }
    // And with the logger Fastify makes from the same options.
    lines.length = 0;
    const plain = Fastify({ logger: { ...loggerOptions('info'), stream } });
    plain.get('/api/v1/exports/download/:token', async () => 'ok');
    const secret = 'S'.repeat(43);
    assert.equal((await plain.inject({ method: 'GET', url: `/api/v1/exports/download/${secret}` })).statusCode, 200);
    await plain.close();
    assert.ok(lines.join('').includes('/exports/download/[redacted]'));
    assert.ok(!lines.join('').includes(secret));
  });
});

describe('refusals', () => {
  test('the grant: not a party 404, method not granted, items and filters outside it, no data', async () => {
    await refused(exportOf('police.consumer', { grantId: grants.market!.id, format: 'csv' }), 404, 'GRANT_NOT_FOUND');
    await refused(exportOf('market.consumer', { grantId: '00000000-0000-4000-8000-000000000000', format: 'csv' }), 404, 'GRANT_NOT_FOUND');
    await refused(exportOf('hrss.consumer', { grantId: grants.hrssApi!.id, format: 'csv' }), 403, 'METHOD_NOT_GRANTED');
    await refused(exportOf('market.consumer', { grantId: grants.market!.id, format: 'csv', fields: ['income'] }), 403, 'ITEM_NOT_GRANTED');
    await refused(exportOf('market.consumer', { grantId: grants.market!.id, format: 'csv', filters: { full_name: '张三' } }), 403, 'FILTER_ON_MASKED_ITEM');
    await refused(exportOf('market.consumer', { grantId: grants.market!.id, format: 'csv', filters: { division: { op: 'like', value: '63%' } } }), 400, 'FILTER_INVALID');
    await refused(exportOf('market.consumer', { grantId: grants.empty!.id, format: 'csv' }), 409, 'RESOURCE_NOT_AVAILABLE');
    await refused(exportOf('market.consumer', { grantId: grants.market!.id, format: 'pdf' }), 400, 'VALIDATION_FAILED');
    // Only consumers export.
    await refused(exportOf('market.approver', { grantId: grants.market!.id, format: 'csv' }), 403, 'FORBIDDEN');
  });

  test('who sees an export, and who may download it', async () => {
    const e = await queued('market.consumer', { grantId: grants.market!.id, format: 'csv', fields: ['division'] });
    await run('market.consumer', e.id);
    // The grant's parties see it: the consumer organisation, the provider, the authority.
    assert.equal((await ok<Export>(as('market.consumer2', 'GET', `/exports/${e.id}`))).mine, false);
    await ok(as('police.approver', 'GET', `/exports/${e.id}`));
    await ok(as('authority', 'GET', `/exports/${e.id}`));
    assert.ok((await ok<{ items: Export[] }>(as('police.approver', 'GET', '/exports?as=provider'))).items.some((x) => x.id === e.id));
    // Nobody else learns it exists.
    await refused(as('hrss.consumer', 'GET', `/exports/${e.id}`), 404, 'EXPORT_NOT_FOUND');
    await refused(as('market.approver', 'GET', `/exports/${e.id}`), 404, 'EXPORT_NOT_FOUND');
    assert.ok(!(await ok<{ items: Export[] }>(as('hrss.consumer', 'GET', '/exports'))).items.some((x) => x.id === e.id));
    // Only the person who asked makes links: the file carries their name.
    await refused(as('market.consumer2', 'POST', `/exports/${e.id}/link`), 403, 'EXPORT_NOT_REQUESTER');
    await refused(as('hrss.consumer', 'POST', `/exports/${e.id}/link`), 404, 'EXPORT_NOT_FOUND');
    await refused(as('police.approver', 'POST', `/exports/${e.id}/link`), 403, 'FORBIDDEN');
  });

  test('a filter the table refuses fails the export at the read stage, without retrying', async () => {
    const e = await queued('market.consumer', { grantId: grants.market!.id, format: 'csv', filters: { division: { op: 'gte', value: true } } });
    const failed = await run('market.consumer', e.id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempts, 1);
    assert.equal(failed.error?.code, 'FILTER_INVALID');
    assert.equal(failed.error?.stage, 'read');
    const chunks = await t.node.db.kysely.selectFrom('share_export_chunks').select('seq').where('export_id', '=', e.id).execute();
    assert.equal(chunks.length, 0);
    const call = await t.node.db.kysely.selectFrom('share_calls').selectAll().where('route', '=', 'export').where('outcome', '=', 'FILTER_INVALID').executeTakeFirst();
    assert.equal(call?.status, 400);
    await refused(as('market.consumer', 'POST', `/exports/${e.id}/link`), 409, 'EXPORT_NOT_READY');
  });

  test('at most three unfinished exports per person (429 EXPORT_LIMIT_REACHED)', async () => {
    for (let i = 0; i < 3; i++) await queued('market.consumer2', { grantId: grants.market!.id, format: 'csv' });
    await refused(exportOf('market.consumer2', { grantId: grants.market!.id, format: 'csv' }), 429, 'EXPORT_LIMIT_REACHED');
    await t.node.jobs.tick();
    await queued('market.consumer2', { grantId: grants.market!.id, format: 'csv' });
    await t.node.jobs.tick();
  });

  test('a revoked grant stops new exports, links and downloads at once', async () => {
    const g = await grantOf('hrss.consumer', await publish('撤销测试目录（导出测试）'), {});
    const table = await ok<Resource>(as('police.editor', 'POST', `/catalogs/${g.catalog.id}/resources`, { kind: 'table' }), 201);
    const csv = ['resident_id,full_name,phone,address,division,note,income', Object.values(PEOPLE[0]!).map(csvField).join(',')].join('\r\n');
    await ok(as('police.editor', 'POST', `/resources/${table.id}/data`, csv, { 'content-type': 'text/csv; charset=utf-8' }));
    const e = await queued('hrss.consumer', { grantId: g.id, format: 'csv' });
    assert.equal((await run('hrss.consumer', e.id)).status, 'ready');
    const { url } = await linkOf('hrss.consumer', e.id);
    await ok(as('police.approver', 'POST', `/grants/${g.id}/revoke`, { reason: '停止共享' }));
    await refused(download(url), 403, 'GRANT_REVOKED');
    await refused(as('hrss.consumer', 'POST', `/exports/${e.id}/link`), 403, 'GRANT_REVOKED');
    await refused(exportOf('hrss.consumer', { grantId: g.id, format: 'csv' }), 403, 'GRANT_REVOKED');
  });

  test('an expired grant is GRANT_EXPIRED; a file past its expiry is purged and 410 EXPORT_EXPIRED', async () => {
    const e = await queued('xining.consumer', { grantId: grants.xining!.id, format: 'csv' });
    const ready = await run('xining.consumer', e.id);
    const { url } = await linkOf('xining.consumer', e.id);
    const before = now;
    now = new Date(Date.parse(ready.expiresAt!) + 1000);
    try {
      // Just past its expiry the file is no longer handed out, but kept for the grace period: a
      // download that started before the expiry can still finish.
      await t.node.exports.purge();
      assert.equal((await ok<Export>(as('xining.consumer', 'GET', `/exports/${e.id}`))).status, 'ready');
      assert.ok((await t.node.db.kysely.selectFrom('share_export_chunks').select('seq').where('export_id', '=', e.id).execute()).length > 0);
      await refused(as('xining.consumer', 'POST', `/exports/${e.id}/link`), 410, 'EXPORT_EXPIRED');
      now = new Date(Date.parse(ready.expiresAt!) + PURGE_GRACE_MS + 1000);
      assert.ok((await t.node.exports.purge()) >= 1);
      const gone = await ok<Export>(as('xining.consumer', 'GET', `/exports/${e.id}`));
      assert.equal(gone.status, 'expired');
      assert.equal((await t.node.db.kysely.selectFrom('share_export_chunks').select('seq').where('export_id', '=', e.id).execute()).length, 0);
      await refused(as('xining.consumer', 'POST', `/exports/${e.id}/link`), 410, 'EXPORT_EXPIRED');
      // The link was for at most a day, and the file lived longer: the link is the one that expired.
      await refused(download(url), 410, 'EXPORT_LINK_EXPIRED');
      // Every file past its expiry and the grace went (on the node's clock), each with its own ledger entry.
      const { rows } = await sql<{ id: string }>`select id from share_exports where status = 'ready' and expires_at <= ${new Date(now.getTime() - PURGE_GRACE_MS)}`.execute(t.node.db.kysely);
      assert.deepEqual(rows, []);
      const expired = await t.node.db.kysely.selectFrom('share_exports').select('id').where('status', '=', 'expired').execute();
      assert.ok(expired.length >= 2 && expired.some((x) => x.id === e.id));
      await t.node.ledger.flush();
      for (const x of expired) {
        const purges = (await t.node.ledger.entries({ subjectId: x.id }, 1, 50)).items.filter((l) => l.entry.action === 'sharing.export.purge');
        assert.equal(purges.length, 1, `one purge entry for ${x.id}`);
      }
      now = new Date(Date.parse(grants.xining!.expiresAt) + 1000);
      await refused(exportOf('xining.consumer', { grantId: grants.xining!.id, format: 'csv' }), 403, 'GRANT_EXPIRED');
    } finally {
      now = before;
    }
  });
});
