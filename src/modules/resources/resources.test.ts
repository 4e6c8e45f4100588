import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import { completeResidentId } from '../../core/codes/index.js';
import type { CatalogEntry } from '../catalog/index.js';
import type { LoadRecord, LoadResult, Resource } from './resources.service.js';

/**
 * Table resources through HTTP: attach to a published entry, load CSV (GBK and UTF-8), NDJSON and
 * xlsx with every value checked, refused rows reported by row and column, upsert and replace with a
 * change log, the error threshold, preview rights and profiles.
 */
let t: TestNode;
before(async () => {
  t = await build(undefined, { node: { housekeeping: false } });
});
after(() => t.close());

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(errorCode(res), code, res.body);
}
async function as(username: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.request({
    method,
    url: `/api/v1${url}`,
    token: await t.login(username),
    ...(payload === undefined ? {} : { payload: payload as string }),
    ...(headers ? { headers } : {}),
  });
}

const ID1 = completeResidentId('63010219900307001'); // a man (odd sequence), 1990-03-07
const ID2 = completeResidentId('63010219851120002');
const ID3 = completeResidentId('63012119720815003');
const BAD_ID = `${ID1.slice(0, 17)}${ID1[17] === '0' ? '1' : '0'}`;

/** A published 人口 entry of the police with a resident-id key. */
async function publishedEntry(name: string): Promise<CatalogEntry> {
  const created = await as('police.editor', 'POST', '/catalogs', {
    name,
    summary: '常住人口登记的基本信息。',
    resourceType: 'basic',
    category: '1-01-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: '用于政务服务身份核验',
    shareMethods: ['api', 'table'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'important',
    items: [
      { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
      { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
      { name: '出生日期', column: 'birth_date', dataType: 'date' },
      { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
    ],
  });
  assert.equal(created.statusCode, 201, created.body);
  const entry = json<CatalogEntry>(created);
  assert.equal((await as('police.editor', 'POST', `/catalogs/${entry.id}/submit`)).statusCode, 200);
  assert.equal((await as('authority', 'POST', `/catalogs/${entry.id}/approve`)).statusCode, 200);
  return entry;
}

/** GBK bytes of the few characters these files use (Node's TextEncoder writes UTF-8 only). */
const GBK: Record<string, string> = { 张: 'd5c5', 三: 'c8fd', 李: 'c0ee', 四: 'cbc4', 王: 'cdf5', 五: 'cee5', 姓: 'd0d5', 名: 'c3fb' };
function gbk(text: string): Buffer {
  return Buffer.concat([...text].map((ch) => (GBK[ch] ? Buffer.from(GBK[ch]!, 'hex') : Buffer.from(ch, 'latin1'))));
}

async function load(resource: string, body: string | Buffer, type: string, query = ''): Promise<LightMyRequestResponse> {
  return as('police.editor', 'POST', `/resources/${resource}/data${query}`, body, { 'content-type': type });
}

describe('a table resource', () => {
  let entry: CatalogEntry;
  let resource: Resource;

  test('is attached by the provider to its published entry, and meets the link deadline', async () => {
    entry = await publishedEntry('常住人口基本信息（测试）');
    const deadlinesBefore = json<{ items: Array<{ kind: string; state: string }> }>(await as('police.editor', 'GET', `/catalogs/${entry.id}/deadlines`)).items;
    assert.ok(deadlinesBefore.some((d) => d.kind === 'link_resource' && d.state !== 'met'));

    const res = await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' });
    assert.equal(res.statusCode, 201, res.body);
    resource = json<Resource>(res);
    assert.equal(resource.kind, 'table');
    assert.equal(resource.rowCount, 0);
    assert.deepEqual(resource.columns!.map((c) => [c.column, c.isKey]), [['resident_id', true], ['full_name', false], ['birth_date', false], ['phone', false]]);

    const linked = json<{ items: Array<{ resourceId: string }> }>(await as('police.editor', 'GET', `/catalogs/${entry.id}/resources`)).items;
    assert.ok(linked.some((l) => l.resourceId === resource.id));
    const deadlinesAfter = json<{ items: Array<{ kind: string; state: string }> }>(await as('police.editor', 'GET', `/catalogs/${entry.id}/deadlines`)).items;
    assert.ok(deadlinesAfter.filter((d) => d.kind === 'link_resource').every((d) => d.state === 'met'));

    expectError(await as('police.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' }), 409, 'RESOURCE_TABLE_EXISTS');
  });

  test('is refused to other roles, other organisations and unpublished entries', async () => {
    expectError(await as('police.consumer', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' }), 403, 'FORBIDDEN');
    expectError(await as('market.editor', 'POST', `/catalogs/${entry.id}/resources`, { kind: 'table' }), 403, 'NOT_PROVIDER');
    const draft = json<CatalogEntry>(
      await as('police.editor', 'POST', '/catalogs', {
        name: '草稿目录（测试）', summary: '草稿。', resourceType: 'department', category: '1-01-001', format: 'table', shareType: 'unconditional',
        shareMethods: ['table'], openType: 'none', updateCycle: 'daily', securityGrade: 'general',
        items: [{ name: '编号', column: 'no', dataType: 'string', length: 10, isKey: true }],
      }),
    );
    expectError(await as('police.editor', 'POST', `/catalogs/${draft.id}/resources`, { kind: 'table' }), 409, 'CATALOG_NOT_PUBLISHED');
  });

  test('a GBK CSV with bad rows: the good rows load, each bad one is reported by row, column and code', async () => {
    const csv = gbk(`resident_id,full_name,birth_date,phone\r\n${ID1},张三,1990-03-07,13897000001\r\n${BAD_ID},李四,1985-11-20,13897000002\r\n${ID2},王五,1985-13-45,12345\r\n`);
    const res = await load(resource.id, csv, 'text/csv; charset=gbk');
    assert.equal(res.statusCode, 200, res.body);
    const result = json<LoadResult>(res);
    assert.equal(result.encoding, 'gb18030');
    assert.deepEqual([result.rowsRead, result.inserted, result.rejected], [3, 1, 2]);
    assert.deepEqual(
      result.errors.map((e) => [e.row, e.column, e.code]),
      [[2, 'resident_id', 'RESIDENT_ID_INVALID'], [3, 'birth_date', 'DATE_INVALID'], [3, 'phone', 'PHONE_INVALID']],
    );
    assert.ok(result.errors.every((e) => e.message.length > 0 && e.messageZh.length > 0));

    const rows = json<{ items: Array<Record<string, unknown>>; total: number }>(await as('police.editor', 'GET', `/resources/${resource.id}/rows`));
    assert.deepEqual(rows.items, [{ resident_id: ID1, full_name: '张三', birth_date: '1990-03-07', phone: '13897000001' }]);
    const again = json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`));
    assert.equal(again.rowCount, 1);
    assert.ok(again.lastLoadedAt);
  });

  test('the fixed rows re-sent as an upsert: inserted, the unchanged row changes nothing, the change log says what happened', async () => {
    const csv = `resident_id,full_name,birth_date,phone\n${ID1},张三,1990-03-07,13897000001\n${ID2},李四,1985-11-20,13897000002\n${ID3},王五,1972-08-15,13897000003\n`;
    const result = json<LoadResult>(await load(resource.id, csv, 'text/csv'));
    assert.deepEqual([result.inserted, result.updated, result.unchanged, result.rejected], [2, 0, 1, 0]);
    assert.equal(result.encoding, 'utf-8');

    // Upsert of some columns only: the others keep their values.
    const phoneOnly = json<LoadResult>(await load(resource.id, `resident_id,phone\n${ID2},0971-8123456\n`, 'text/csv', '?mode=upsert'));
    assert.deepEqual([phoneOnly.inserted, phoneOnly.updated], [0, 1]);
    const rows = json<{ items: Array<Record<string, unknown>> }>(await as('police.editor', 'GET', `/resources/${resource.id}/rows`)).items;
    assert.deepEqual(rows.find((r) => r.resident_id === ID2), { resident_id: ID2, full_name: '李四', birth_date: '1985-11-20', phone: '0971-8123456' });

    const changes = json<{ items: Array<{ seq: number; op: string; key: Record<string, unknown> }> }>(await as('police.editor', 'GET', `/resources/${resource.id}/changes`)).items;
    assert.deepEqual(changes.map((c) => [c.op, c.key.resident_id]), [['insert', ID1], ['insert', ID2], ['insert', ID3], ['update', ID2]]);
    assert.ok(changes.every((c, i) => i === 0 || c.seq > changes[i - 1]!.seq));
  });

  test('replace makes the table the file: missing keys are deleted; duplicate keys in a file are refused rows', async () => {
    const ndjson = [
      JSON.stringify({ resident_id: ID1, full_name: '张三', birth_date: '1990-03-07', phone: '13897000001' }),
      JSON.stringify({ resident_id: ID3, full_name: '王五', birth_date: '1972-08-15', phone: '13897000009' }),
      JSON.stringify({ resident_id: ID3, full_name: '王五', birth_date: '1972-08-15', phone: '13897000010' }),
      '{not json',
    ].join('\n');
    const result = json<LoadResult>(await load(resource.id, ndjson, 'application/x-ndjson', '?mode=replace'));
    assert.deepEqual([result.deleted, result.updated, result.unchanged, result.inserted], [1, 1, 1, 0]);
    assert.deepEqual(result.errors.map((e) => [e.row, e.code]), [[3, 'DUPLICATE_KEY'], [4, 'JSON_INVALID']]);
    assert.equal(result.rejected, 2);
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, 2);
  });

  test('an xlsx with Chinese headers and typed cells loads; a dry run only reports and previews', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人口');
    ws.addRow(['公民身份号码', '姓名', '出生日期', '联系电话']);
    ws.addRow([ID2, '李四', new Date(Date.UTC(1985, 10, 20)), '13897000002']);
    ws.getCell('C2').numFmt = 'yyyy-mm-dd';
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

    const dry = json<LoadResult>(await load(resource.id, file, type, '?dryRun=true'));
    assert.equal(dry.dryRun, true);
    assert.equal(dry.loadId, null);
    assert.deepEqual(dry.preview?.rows[0], [ID2, '李四', '1985-11-20', '13897000002']);
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, 2, 'a dry run writes nothing');

    const result = json<LoadResult>(await load(resource.id, file, type));
    assert.deepEqual([result.inserted, result.rejected], [1, 0]);
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, 3);
  });

  test('more refused rows than maxErrors abort the load with 422 and write nothing', async () => {
    const before = json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount;
    const csv = `resident_id,full_name\n${BAD_ID},甲\n${BAD_ID.slice(0, 10)},乙\n${completeResidentId('63010220000101011')},丙\n`;
    const res = await load(resource.id, csv, 'text/csv', '?maxErrors=1&mode=replace');
    expectError(res, 422, 'LOAD_TOO_MANY_ERRORS');
    assert.equal(json<Resource>(await as('police.editor', 'GET', `/resources/${resource.id}`)).rowCount, before);
    const history = json<{ items: LoadRecord[] }>(await as('police.editor', 'GET', `/resources/${resource.id}/loads`)).items;
    assert.equal(history[0]!.status, 'aborted');
    assert.ok(history.some((l) => l.status === 'succeeded' && l.contentSm3 !== null && /^[0-9a-f]{64}$/.test(l.contentSm3)));
  });

  test('bad requests: unknown header, missing key column, media type, charset, wrong role or organisation', async () => {
    expectError(await load(resource.id, 'resident_id,shoe_size\n', 'text/csv'), 400, 'HEADER_UNKNOWN');
    expectError(await load(resource.id, 'full_name\n张三\n', 'text/csv'), 400, 'KEY_COLUMN_MISSING');
    expectError(await load(resource.id, '{}', 'application/json'), 415, 'MEDIA_TYPE_UNSUPPORTED');
    expectError(await load(resource.id, 'resident_id\n', 'text/csv', '?charset=latin1'), 400, 'CHARSET_UNSUPPORTED');
    expectError(await as('market.editor', 'POST', `/resources/${resource.id}/data`, 'resident_id\n', { 'content-type': 'text/csv' }), 403, 'NOT_PROVIDER');
    expectError(await as('police.consumer', 'POST', `/resources/${resource.id}/data`, 'resident_id\n', { 'content-type': 'text/csv' }), 403, 'FORBIDDEN');
    expectError(await as('police.editor', 'GET', '/resources/00000000-0000-0000-0000-000000000000'), 404, 'RESOURCE_NOT_FOUND');
    const anonymous = await t.request({ method: 'GET', url: `/api/v1/resources/${resource.id}` });
    assert.equal(anonymous.statusCode, 401);
  });

  test('the data is read by the provider and its data authority only; the profile gathers a person’s records', async () => {
    expectError(await as('market.consumer', 'GET', `/resources/${resource.id}/rows`), 403, 'FORBIDDEN');
    expectError(await as('market.editor', 'GET', `/resources/${resource.id}/changes`), 403, 'FORBIDDEN');
    expectError(await as('market.editor', 'GET', `/resources/${resource.id}/loads`), 403, 'FORBIDDEN');
    const loads = json<{ items: LoadRecord[] }>(await as('police.editor', 'GET', `/resources/${resource.id}/loads`)).items;
    expectError(await as('market.editor', 'POST', `/resources/${resource.id}/loads/${loads[0]!.loadId}/resume`), 403, 'NOT_PROVIDER');
    expectError(await as('police.consumer', 'POST', `/resources/${resource.id}/loads/${loads[0]!.loadId}/resume`), 403, 'FORBIDDEN');
    // A finished load has no spool left to merge.
    const finished = loads.find((l) => l.status === 'succeeded')!;
    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/loads/${finished.loadId}/resume`), 409, 'LOAD_NOT_RESUMABLE');
    expectError(await as('police.editor', 'POST', `/resources/${resource.id}/loads/not-a-load/resume`), 404, 'LOAD_NOT_FOUND');
    assert.equal((await as('authority', 'GET', `/resources/${resource.id}/rows`)).statusCode, 200);
    // Metadata is visible to every signed-in user, like the entry in force.
    assert.equal((await as('market.consumer', 'GET', `/resources/${resource.id}`)).statusCode, 200);

    const profile = json<{ sections: Array<{ resource: Resource; records: Array<Record<string, unknown>> }> }>(await as('police.consumer', 'GET', `/profiles/person/${ID1}`));
    const section = profile.sections.find((s) => s.resource.id === resource.id);
    assert.deepEqual(section?.records, [{ resident_id: ID1, full_name: '张三', birth_date: '1990-03-07', phone: '13897000001' }]);
    const outsider = json<{ sections: unknown[] }>(await as('market.consumer', 'GET', `/profiles/person/${ID1}`));
    assert.equal(outsider.sections.length, 0, 'no grant: another organisation sees nothing');
    expectError(await as('police.consumer', 'GET', '/profiles/person/12345'), 400, 'VALIDATION_FAILED');
  });
});
