import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { build, errorCode, type TestNode } from '../../../test/helper.js';
import type { UserActor } from '../../core/auth/actor.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { sm3Hex } from '../../core/crypto/index.js';
import { ENTRY_COLUMNS, ITEM_COLUMNS, exportCatalogWorkbook, readCatalogWorkbook, type ExportSource, type ImportProblem } from './catalog.excel.js';
import type { CatalogEntry, InformationSystem } from './catalog.service.js';

/**
 * The Excel template, import and export through HTTP: workbooks are filled with exceljs the way a
 * spreadsheet program would, imported, re-imported, edited, and refused with the exact cell at fault.
 */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let t: TestNode;
let system: InformationSystem;
let policeId: string;
before(async () => {
  t = await build();
  const orgs = await as('authority', 'GET', '/organisations?pageSize=200');
  policeId = json<{ items: Array<{ id: string; name: string }> }>(orgs).items.find((o) => o.name === '青海省公安厅')!.id;
  const res = await as('police.editor', 'POST', '/information-systems', { name: '人口信息管理系统', description: '全省人口库' });
  assert.equal(res.statusCode, 201, res.body);
  system = res.json() as InformationSystem;
});
after(() => t.close());

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;

async function as(username: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.request({ method, url: `/api/v1${url}`, token: await t.login(username), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

type Row = Record<string, string | number>;

/** A workbook as a person fills it: the template's headers, then rows by header name. */
async function workbook(entries: Row[], items: Row[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = (name: string, headers: readonly string[], rows: Row[]): void => {
    const ws = wb.addWorksheet(name);
    ws.addRow([...headers]);
    for (const r of rows) ws.addRow(headers.map((h) => r[h] ?? null));
  };
  sheet('目录', ENTRY_COLUMNS.map((c) => c.header), entries);
  sheet('信息项', ITEM_COLUMNS.map((c) => c.header), items);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
  errors: ImportProblem[];
}

async function importAs(username: string, body: Buffer, query = '', contentType = XLSX): Promise<LightMyRequestResponse> {
  return t.request({ method: 'POST', url: `/api/v1/catalogs/import${query}`, token: await t.login(username), payload: body, headers: { 'content-type': contentType } });
}

async function imported(username: string, body: Buffer, query = ''): Promise<ImportResult> {
  const res = await importAs(username, body, query);
  assert.equal(res.statusCode, 200, res.body);
  return json<ImportResult>(res);
}

const entryRow = (key: string, name: string, overrides: Row = {}): Row => ({
  序号: key,
  目录名称: name,
  摘要: `${name}，用于政务服务。`,
  资源类型: '基础',
  分类: '1-01-002',
  格式: '库表',
  共享类型: '有条件共享',
  共享条件: '用于政务服务身份核验',
  共享方式: '接口,库表',
  开放类型: '不予开放',
  更新周期: '每日',
  安全级别: '一般',
  敏感级别: 3,
  ...overrides,
});

const itemsOf = (key: string, prefix = ''): Row[] => [
  { 目录序号: key, 信息项名称: '公民身份号码', 字段名: `${prefix}resident_id`, 数据类型: '字符型', 长度: 18, 是否主键: '是', 个人信息类型: '居民身份证号码', 数据元: 'DE00001' },
  { 目录序号: key, 信息项名称: '姓名', 字段名: `${prefix}full_name`, 数据类型: '字符型', 长度: 50, 是否主键: '否', 个人信息类型: '姓名' },
  { 目录序号: key, 信息项名称: '登记日期', 字段名: `${prefix}registered_on`, 数据类型: '日期型', 共享类型: '有条件共享', 安全级别: '一般' },
];

async function findByName(username: string, name: string): Promise<CatalogEntry[]> {
  const res = await as(username, 'GET', `/catalogs?pageSize=200&sort=recent`);
  assert.equal(res.statusCode, 200, res.body);
  return json<{ items: CatalogEntry[] }>(res).items.filter((e) => e.name === name);
}

async function policeTotal(): Promise<number> {
  return json<{ total: number }>(await as('police.editor', 'GET', `/catalogs?pageSize=1&provider=${policeId}`)).total;
}

/** The files of a zip (an xlsx), enough to look at the sheets' XML. */
function unzip(buf: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let off = buf.readUInt32LE(eocd + 16);
  for (let i = buf.readUInt16LE(eocd + 10); i > 0; i -= 1) {
    const method = buf.readUInt16LE(off + 10);
    const size = buf.readUInt32LE(off + 20);
    const nameLength = buf.readUInt16LE(off + 28);
    const skip = nameLength + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
    const name = buf.toString('utf8', off + 46, off + 46 + nameLength);
    const local = buf.readUInt32LE(off + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files.set(name, (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8'));
    off += 46 + skip;
  }
  return files;
}

describe('the template', () => {
  test('has the 目录 and 信息项 sheets with headers, notes, drop-downs from a hidden 取值 sheet and an example', async () => {
    const res = await as('hrss.consumer', 'GET', '/catalogs/template.xlsx');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], XLSX);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="catalog-template\.xlsx"; filename\*=UTF-8''%E7%9B%AE/);
    const files = unzip(res.rawPayload);
    const book = files.get('xl/workbook.xml')!;
    assert.match(book, /<sheet sheetId="1" name="目录" state="visible"/);
    assert.match(book, /<sheet sheetId="2" name="信息项" state="visible"/);
    assert.match(book, /<sheet sheetId="3" name="取值" state="hidden"/);

    const entries = files.get('xl/worksheets/sheet1.xml')!;
    // 资源类型 is column E: a drop-down on the whole column, from the 取值 sheet.
    assert.match(entries, /<dataValidation type="list" allowBlank="1"[^>]*sqref="E2:E1048576"><formula1>&apos;取值&apos;!\$A\$2:\$A\$4<\/formula1>/);
    const items = files.get('xl/worksheets/sheet2.xml')!;
    assert.match(items, /sqref="E2:E1048576"><formula1>&apos;取值&apos;!\$I\$2:\$I\$8<\/formula1>/, '数据类型');
    assert.match(files.get('xl/worksheets/sheet3.xml')!, /无条件共享.*有条件共享.*不予共享/s);
    assert.match(files.get('xl/comments1.xml')!, /不予共享依据（?.*不予共享时必填/s);

    const parsed = await readCatalogWorkbook(res.rawPayload, { maxEntries: 10, maxItems: 10 });
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.entries.length, 1);
    assert.equal(parsed.entries[0]!.cells.key, '示例');
    assert.equal(parsed.items.length, 3);
  });

  test('imported unchanged, it creates nothing: the example row is skipped', async () => {
    const template = (await as('police.editor', 'GET', '/catalogs/template.xlsx')).rawPayload;
    assert.deepEqual(await imported('police.editor', template), { created: 0, updated: 0, unchanged: 0, dryRun: false, errors: [] });
  });
});

describe('import', () => {
  test('creates entries with their items, then finds nothing to do on the same file', async () => {
    const file = await workbook(
      [entryRow('1', '常住人口登记信息', { 来源系统: '人口信息管理系统' }), entryRow('2', '暂住人口登记信息', { 格式: '接口', 共享方式: '接口' })],
      [...itemsOf('1'), ...itemsOf('2')],
    );
    const before = await policeTotal();
    assert.deepEqual(await imported('police.editor', file), { created: 2, updated: 0, unchanged: 0, dryRun: false, errors: [] });
    assert.equal(await policeTotal(), before + 2);

    const [found] = await findByName('police.editor', '常住人口登记信息');
    const entry = json<CatalogEntry>(await as('police.editor', 'GET', `/catalogs/${found!.id}`));
    assert.equal(entry.status, 'draft');
    assert.equal(entry.version, 1);
    assert.equal(entry.shareType, 'conditional');
    assert.deepEqual(entry.shareMethods, ['api', 'table']);
    assert.equal(entry.sensitivityLevel, 3);
    assert.deepEqual(entry.sourceSystemIds, [system.id]);
    assert.match(entry.code, /^101002000-/);
    assert.deepEqual(
      entry.items.map((i) => [i.column, i.dataType, i.length, i.isKey, i.piiKind, i.shareType, i.dataElement]),
      [
        ['resident_id', 'string', 18, true, 'resident_id', null, 'DE00001'],
        ['full_name', 'string', 50, false, 'name', null, null],
        ['registered_on', 'date', null, false, null, 'conditional', null],
      ],
    );

    // The same file again: matched by name, nothing changed, nothing written.
    assert.deepEqual(await imported('police.editor', file), { created: 0, updated: 0, unchanged: 2, dryRun: false, errors: [] });
    assert.equal(await policeTotal(), before + 2);
    const again = json<CatalogEntry>(await as('police.editor', 'GET', `/catalogs/${found!.id}`));
    assert.equal(again.updatedAt, entry.updatedAt);

    // Ledger: one entry per created entry, through the import.
    await t.node.ledger.flush();
    const { items } = await t.node.ledger.entries({}, 1, 100_000);
    const mine = items.filter((e) => e.entry.subject.id === found!.id);
    assert.deepEqual(mine.map((e) => e.entry.action), ['catalog.entry.create']);
    // The ledger names the imported content by its digest; the content is the version row's.
    const stored = await t.node.db.kysely.selectFrom('catalog_versions').select('content').where('entry_id', '=', found!.id).executeTakeFirstOrThrow();
    assert.deepEqual(mine[0]!.payload, { code: found!.code, version: 1, via: 'import', contentSm3: sm3Hex(canonicalJson(stored.content)) });
  });

  test('a changed cell updates a draft in place and gives a published entry a new version', async () => {
    const file = (summary: string, name = '出入境证件信息') =>
      workbook([entryRow('1', name, { 摘要: summary }), entryRow('2', '户籍迁移信息')], [...itemsOf('1'), ...itemsOf('2')]);
    assert.equal((await imported('police.editor', await file('出入境证件签发信息。'))).created, 2);
    const [published] = await findByName('police.editor', '出入境证件信息');
    assert.equal((await as('police.editor', 'POST', `/catalogs/${published!.id}/submit`)).statusCode, 200);
    assert.equal((await as('authority', 'POST', `/catalogs/${published!.id}/approve`)).statusCode, 200);

    // By name (no code): the published entry gets version 2 as a draft; version 1 stays in force.
    assert.deepEqual(await imported('police.editor', await file('出入境证件签发及注销信息。')), { created: 0, updated: 1, unchanged: 1, dryRun: false, errors: [] });
    const changed = json<CatalogEntry>(await as('police.editor', 'GET', `/catalogs/${published!.id}`));
    assert.equal(changed.version, 2);
    assert.equal(changed.status, 'draft');
    assert.equal(changed.publishedVersion, 1);
    assert.equal(changed.summary, '出入境证件签发及注销信息。');
    assert.equal(json<CatalogEntry>(await as('hrss.consumer', 'GET', `/catalogs/${published!.id}`)).summary, '出入境证件签发信息。');

    // By code: the name changes too; the draft (version 2) is changed in place.
    const byCode = await workbook([entryRow('1', '出入境证件管理信息', { 目录编码: changed.code, 摘要: '出入境证件签发及注销信息。' })], itemsOf('1'));
    assert.deepEqual(await imported('police.editor', byCode), { created: 0, updated: 1, unchanged: 0, dryRun: false, errors: [] });
    const renamed = json<CatalogEntry>(await as('police.editor', 'GET', `/catalogs/${changed.code}`));
    assert.equal(renamed.name, '出入境证件管理信息');
    assert.equal(renamed.version, 2);
    const versions = json<{ items: unknown[] }>(await as('police.editor', 'GET', `/catalogs/${published!.id}/versions`)).items;
    assert.equal(versions.length, 2);

    // Submitted: unchanged rows are fine, a change is refused at the code's cell.
    assert.equal((await as('police.editor', 'POST', `/catalogs/${published!.id}/submit`)).statusCode, 200);
    assert.equal((await imported('police.editor', byCode)).unchanged, 1);
    const refused = await imported('police.editor', await workbook([entryRow('1', '出入境证件管理信息', { 目录编码: changed.code })], itemsOf('1')));
    assert.deepEqual(
      refused.errors.map((e) => [e.sheet, e.row, e.column, e.code]),
      [['目录', 2, '目录编码', 'ENTRY_NOT_EDITABLE']],
    );
  });

  test('reports every problem with its sheet, row and column, and writes nothing', async () => {
    const market = await workbook([entryRow('1', '企业登记信息', { 格式: '文件', 共享方式: '文件' })], [{ 目录序号: '1', 信息项名称: '企业名称', 字段名: 'company_name', 数据类型: '字符型', 长度: 200 }]);
    assert.equal((await imported('market.editor', market)).created, 1);
    const [marketEntry] = await findByName('market.editor', '企业登记信息');

    const file = await workbook(
      [
        entryRow('1', '机动车年检导入测试信息', { 资源类型: '基层' }), // row 2: unknown label
        entryRow('2', '', {}), // row 3: no name
        entryRow('3', '驾驶证信息', { 共享类型: '不予共享', 共享条件: '', 共享方式: '' }), // row 4: no legal basis
        entryRow('4', '企业登记信息', { 目录编码: marketEntry!.code }), // row 5: another organisation's entry
        entryRow('5', '交通违法信息', { 来源系统: '不存在的系统' }), // row 6: unknown system
      ],
      [
        ...itemsOf('1'), // rows 2–4
        ...itemsOf('2'), // rows 5–7
        ...itemsOf('3'), // rows 8–10
        ...itemsOf('4'), // rows 11–13
        ...itemsOf('5'), // rows 14–16
        { 目录序号: '5', 信息项名称: '姓名（重复）', 字段名: 'full_name', 数据类型: '字符型', 长度: 20 }, // row 17: duplicate column
        { 目录序号: '99', 信息项名称: '孤立项', 字段名: 'orphan', 数据类型: '整数型' }, // row 18: no such entry
        { 目录序号: '5', 信息项名称: '违法时间', 字段名: 'occurred_at', 数据类型: '时间' }, // row 19: unknown type
      ],
    );
    const before = await policeTotal();
    const result = await imported('police.editor', file);
    assert.equal(result.created + result.updated + result.unchanged, 0);
    assert.deepEqual(
      result.errors.map((e) => [e.sheet, e.row, e.column, e.code]),
      [
        ['目录', 2, '资源类型', 'VALUE_UNKNOWN'],
        ['目录', 3, '目录名称', 'CELL_REQUIRED'],
        ['目录', 4, '不予共享依据', 'NON_SHARE_BASIS_REQUIRED'],
        ['目录', 5, '目录编码', 'NOT_PROVIDER'],
        ['目录', 6, '来源系统', 'SOURCE_SYSTEM_UNKNOWN'],
        ['信息项', 10, '共享类型', 'ITEM_SHARE_TOO_OPEN'],
        ['信息项', 17, '字段名', 'COLUMN_NAME_DUPLICATE'],
        ['信息项', 18, '目录序号', 'ITEM_ENTRY_NOT_FOUND'],
        ['信息项', 19, '数据类型', 'VALUE_UNKNOWN'],
      ],
    );
    const duplicate = result.errors.find((e) => e.code === 'COLUMN_NAME_DUPLICATE')!;
    assert.equal(duplicate.message, '字段名 full_name 与“信息项”表第 15 行重复');
    assert.match(duplicate.messageEn, /full_name is already used/);
    assert.match(result.errors[0]!.message, /“基层”不是有效的资源类型，可选：基础、主题、部门/);
    assert.equal(await policeTotal(), before, 'nothing written');
    assert.equal((await findByName('police.editor', '机动车年检导入测试信息')).length, 0);
  });

  test('refuses a missing column, a missing key and duplicate keys', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('目录').addRow(['序号', '目录名称']);
    wb.addWorksheet('信息项').addRow(['目录序号', '信息项名称', '字段名', '数据类型']);
    const result = await imported('police.editor', Buffer.from(await wb.xlsx.writeBuffer()));
    assert.deepEqual(
      result.errors.filter((e) => e.row === 1).map((e) => [e.sheet, e.column, e.code]).slice(0, 2),
      [
        ['目录', '摘要', 'COLUMN_MISSING'],
        ['目录', '资源类型', 'COLUMN_MISSING'],
      ],
    );

    const keys = await workbook([entryRow('1', '甲'), entryRow('1', '乙'), entryRow('', '丙')], [...itemsOf('1')]);
    assert.deepEqual(
      (await imported('police.editor', keys)).errors.map((e) => [e.row, e.column, e.code]),
      [
        [3, '序号', 'DUPLICATE_KEY'],
        // Items link to the first row with the key, so the second has none.
        [3, '目录名称', 'ITEM_COUNT_INVALID'],
        [4, '序号', 'ENTRY_KEY_REQUIRED'],
        [4, '目录名称', 'ITEM_COUNT_INVALID'],
      ],
    );
  });

  test('dryRun checks and counts, and writes nothing', async () => {
    const file = await workbook([entryRow('1', '治安管理处罚信息')], itemsOf('1'));
    const before = await policeTotal();
    assert.deepEqual(await imported('police.editor', file, '?dryRun=true'), { created: 1, updated: 0, unchanged: 0, dryRun: true, errors: [] });
    assert.equal(await policeTotal(), before);
  });

  test('refuses other roles, bodies that are not workbooks and other media types', async () => {
    const file = await workbook([entryRow('1', '看守所在押人员信息')], itemsOf('1'));
    const consumer = await importAs('police.consumer', file);
    assert.equal(consumer.statusCode, 403);
    assert.equal(errorCode(consumer), 'FORBIDDEN');

    const garbage = await importAs('police.editor', Buffer.from('this is not a spreadsheet at all'));
    assert.equal(garbage.statusCode, 400);
    assert.equal(errorCode(garbage), 'XLSX_UNREADABLE');
    const zipButNotXlsx = await importAs('police.editor', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]), '', 'application/octet-stream');
    assert.equal(zipButNotXlsx.statusCode, 400);
    assert.equal(errorCode(zipButNotXlsx), 'XLSX_UNREADABLE');

    const csv = await importAs('police.editor', Buffer.from('a,b\n1,2\n'), '', 'text/csv');
    assert.equal(csv.statusCode, 415);
    assert.equal(errorCode(csv), 'UNSUPPORTED_MEDIA_TYPE');
    const jsonBody = await importAs('police.editor', Buffer.from('{"name":"x"}'), '', 'application/json');
    assert.equal(jsonBody.statusCode, 415);
    assert.equal(errorCode(jsonBody), 'UNSUPPORTED_MEDIA_TYPE');

    // Other routes still refuse workbook bodies.
    const elsewhere = await t.request({ method: 'POST', url: '/api/v1/catalogs', token: await t.login('police.editor'), payload: file, headers: { 'content-type': XLSX } });
    assert.equal(elsewhere.statusCode, 415);
  });
});

describe('export', () => {
  test('exports a search result that imports again unchanged, and edited, updates', async () => {
    const res = await as('police.editor', 'GET', `/catalogs/export.xlsx?provider=${policeId}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], XLSX);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="catalog-export-\d{8}\.xlsx"; filename\*=UTF-8''/);
    const total = await policeTotal();
    const parsed = await readCatalogWorkbook(res.rawPayload, { maxEntries: 1000, maxItems: 10_000 });
    assert.equal(parsed.entries.length, total);
    assert.ok(parsed.entries.every((e) => e.cells.code && e.cells.key));
    const resident = parsed.entries.find((e) => e.cells.name === '常住人口登记信息')!;
    assert.equal(resident.cells.sourceSystems, '人口信息管理系统');
    assert.equal(resident.cells.shareType, '有条件共享');

    // Every police entry comes back unchanged, whatever its status.
    assert.deepEqual(await imported('police.editor', res.rawPayload), { created: 0, updated: 0, unchanged: total, dryRun: false, errors: [] });

    // Edit one summary, rebuild the workbook from the rows, import: one update.
    const headerOf = (cols: ReadonlyArray<{ key: string; header: string }>, cells: Record<string, string>): Row =>
      Object.fromEntries(Object.entries(cells).map(([k, v]) => [cols.find((c) => c.key === k)!.header, v]));
    resident.cells.summary = '全省常住人口登记信息（含流动人口）。';
    const edited = await workbook(
      parsed.entries.map((e) => headerOf(ENTRY_COLUMNS, e.cells)),
      parsed.items.map((i) => headerOf(ITEM_COLUMNS, i.cells)),
    );
    assert.deepEqual(await imported('police.editor', edited), { created: 0, updated: 1, unchanged: total - 1, dryRun: false, errors: [] });
    assert.equal(json<CatalogEntry>(await as('police.editor', 'GET', `/catalogs/${resident.cells.code}`)).summary, '全省常住人口登记信息（含流动人口）。');

    // Another department's editor gets the codes of police entries refused.
    const other = await imported('market.editor', edited);
    assert.ok(other.errors.length > 0 && other.errors.every((e) => e.code === 'NOT_PROVIDER' || e.code === 'SOURCE_SYSTEM_UNKNOWN'));
  });

  test('refuses more than 50,000 entries, counted exactly (a search past 1,000 matches only estimates)', async () => {
    const asked: Array<{ exact?: boolean | undefined }> = [];
    const source: ExportSource = {
      list: async (_actor, filter) => {
        asked.push(filter);
        return { items: [], total: 50_001 };
      },
      listSystems: async () => ({ items: [] }),
    };
    const actor = { type: 'user', id: 'x', username: 'x', organisationId: 'x', roles: [], sessionId: 'x' } as UserActor;
    await assert.rejects(exportCatalogWorkbook(source, actor, {}), (err: { code?: string }) => err.code === 'EXPORT_TOO_LARGE');
    assert.deepEqual(asked.map((f) => f.exact), [true]);
    const res = await as('police.editor', 'GET', '/catalogs/export.xlsx?q=%E4%BA%BA%E5%8F%A3');
    assert.equal(res.statusCode, 200);
  });
});
