/**
 * catalog-import: catalog entries imported from an Excel workbook, with their info items, per second —
 * everything a request does: reading the xlsx, validating every row, writing in one transaction
 * (multi-row inserts, search text, ledger entries). Goal (issue 3): ≥ 2,000 entries/s.
 *
 * The workbook is the template's format, made by the export's writer: ENTRIES entries of ITEMS info
 * items, with realistic Chinese names. It runs on PGlite, and also on PostgreSQL when DATABASE_URL is
 * set (a scratch database made from the test template, dropped at the end).
 *
 * Baseline, in the same run and database: the same kind of entries written one service call per entry
 * (CatalogService.create, what a client looping over POST /catalogs would cost without HTTP), on a
 * sample of BASELINE_ENTRIES. The ratio is what the bulk path gains.
 */
import { performance } from 'node:perf_hooks';
import type { UserActor } from '../src/core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../src/core/config.js';
import { readCatalogWorkbook, writeCatalogWorkbook, type WorkbookEntry } from '../src/modules/catalog/catalog.excel.js';
import { IMPORT_LIMITS } from '../src/modules/catalog/catalog.import.js';
import type { CatalogEntryInputType } from '../src/modules/catalog/catalog.schemas.js';
import type { CatalogContent } from '../src/modules/catalog/catalog.types.js';
import { openNode, type Node } from '../src/node.js';
import { openTestDb, testConfig } from '../test/helper.js';
import { grouped, ratio, within } from './format.js';

const ENTRIES = Number(process.env.BENCH_IMPORT_ENTRIES ?? 5_000);
const ITEMS = 10;
const BASELINE_ENTRIES = 300;
const LIMIT_MS = 300_000;

const SUBJECTS = ['常住人口', '流动人口', '户籍迁移', '出入境证件', '机动车', '驾驶人', '治安处罚', '社区矫正', '婚姻登记', '殡葬服务', '社会救助', '养老服务'];
const KINDS = ['登记信息', '变更记录', '核验结果', '统计数据', '办理情况', '证照信息'];
const ITEM_NAMES: Array<[string, string, CatalogContent['items'][number]['dataType'], number | null, string | null]> = [
  ['公民身份号码', 'resident_id', 'string', 18, 'resident_id'],
  ['姓名', 'full_name', 'string', 50, 'name'],
  ['性别', 'gender', 'string', 2, null],
  ['出生日期', 'birth_date', 'date', null, null],
  ['联系电话', 'phone', 'string', 20, 'phone'],
  ['户籍地址', 'household_address', 'string', 200, 'address'],
  ['登记机关', 'registrar', 'string', 100, null],
  ['登记日期', 'registered_on', 'date', null, null],
  ['办理状态', 'state', 'string', 10, null],
  ['更新时间', 'updated_time', 'datetime', null, null],
];

function content(i: number, prefix: string): CatalogContent {
  return {
    name: `${prefix}${SUBJECTS[i % SUBJECTS.length]}${KINDS[Math.floor(i / SUBJECTS.length) % KINDS.length]}（${i + 1}）`,
    summary: `全省${SUBJECTS[i % SUBJECTS.length]}${KINDS[i % KINDS.length]}，由业务系统每日汇总，用于政务服务办理中的身份与资格核验。`,
    resourceType: i % 3 === 0 ? 'basic' : 'department',
    category: `${1 + (i % 3)}-0${1 + (i % 9)}-00${1 + (i % 9)}`,
    format: 'table',
    shareType: i % 4 === 0 ? 'unconditional' : 'conditional',
    shareCondition: i % 4 === 0 ? null : '用于政务服务身份核验，须经提供部门审批',
    nonShareBasis: null,
    shareMethods: ['api', 'table'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    sensitivityLevel: 1 + (i % 4),
    sourceSystemIds: [],
    items: ITEM_NAMES.slice(0, ITEMS).map(([name, column, dataType, length, piiKind], k) => ({
      name,
      column,
      dataType,
      length,
      isKey: k === 0,
      piiKind,
      shareType: null,
      dataElement: k < 2 ? `DE0000${k + 1}` : null,
      securityGrade: null,
    })),
  };
}

const asInput = (c: CatalogContent): CatalogEntryInputType => ({
  name: c.name,
  summary: c.summary,
  resourceType: c.resourceType,
  category: c.category,
  format: c.format,
  shareType: c.shareType,
  ...(c.shareCondition ? { shareCondition: c.shareCondition } : {}),
  shareMethods: c.shareMethods,
  openType: c.openType,
  updateCycle: c.updateCycle,
  securityGrade: c.securityGrade,
  ...(c.sensitivityLevel === null ? {} : { sensitivityLevel: c.sensitivityLevel }),
  items: c.items.map((i) => ({
    name: i.name,
    column: i.column,
    dataType: i.dataType,
    ...(i.length === null ? {} : { length: i.length }),
    isKey: i.isKey,
    ...(i.piiKind ? { piiKind: i.piiKind } : {}),
    ...(i.dataElement ? { dataElement: i.dataElement } : {}),
  })),
});

async function actor(node: Node, username: string): Promise<UserActor> {
  const { token } = await node.identity.login(username, DEFAULT_DEMO_PASSWORD, { ip: '127.0.0.1' });
  return (await node.identity.userFromToken(token))!;
}

async function runOn(engine: 'pglite' | 'postgres', workbook: Buffer): Promise<void> {
  const saved = process.env.DATABASE_URL;
  if (engine === 'pglite') delete process.env.DATABASE_URL;
  const testDb = await openTestDb('demo');
  if (saved !== undefined) process.env.DATABASE_URL = saved;
  const node = await openNode(testConfig(), { db: testDb.db, seedDemo: false, sequencer: false });
  try {
    const editor = await actor(node, 'police.editor');
    const other = await actor(node, 'market.editor');

    // Reading alone, to show where the time goes.
    let start = performance.now();
    const parsed = await readCatalogWorkbook(workbook, IMPORT_LIMITS);
    const readMs = performance.now() - start;

    start = performance.now();
    const result = await within(LIMIT_MS, 'import', node.catalog.importWorkbook(editor, workbook, { dryRun: false }));
    const importMs = performance.now() - start;
    if (result.errors.length > 0 || result.created !== ENTRIES) throw new Error(`import failed: ${JSON.stringify({ ...result, errors: result.errors.slice(0, 5) })}`);
    const rate = (ENTRIES / importMs) * 1000;

    start = performance.now();
    const again = await within(LIMIT_MS, 're-import', node.catalog.importWorkbook(editor, workbook, { dryRun: false }));
    const againMs = performance.now() - start;
    if (again.unchanged !== ENTRIES || again.created + again.updated !== 0) throw new Error(`re-import changed something: ${JSON.stringify({ ...again, errors: again.errors.slice(0, 5) })}`);

    // Check one entry end to end: its items are there, in order.
    const sample = await node.catalog.list(editor, { q: undefined, provider: editor.organisationId, sort: 'recent' }, { page: 1, pageSize: 1, offset: 0, limit: 1 });
    if (sample.items[0]?.items.length !== ITEMS) throw new Error('imported entries lack their items');

    start = performance.now();
    for (let i = 0; i < BASELINE_ENTRIES; i += 1) await node.catalog.create(other, asInput(content(i, '基线')));
    const baselineMs = performance.now() - start;
    const baseline = (BASELINE_ENTRIES / baselineMs) * 1000;

    console.log(
      `catalog-import: ${grouped(ENTRIES)} entries, ${grouped(rate)} entries/s (${engine}; ${ITEMS} items each, ${grouped(importMs)} ms, ` +
        `of which reading the xlsx ${grouped(readMs)} ms); baseline one create per entry: ${grouped(baseline)} entries/s; ratio ${ratio(rate, baseline)}`,
    );
    console.log(`  re-import of the same file (all unchanged): ${grouped(againMs)} ms, ${grouped((ENTRIES / againMs) * 1000)} entries/s`);
  } finally {
    await node.close();
    await testDb.drop();
  }
}

export async function run(): Promise<void> {
  const start = performance.now();
  const entries: WorkbookEntry[] = Array.from({ length: ENTRIES }, (_, i) => ({ code: null, content: content(i, ''), sourceSystemNames: [] }));
  const workbook = await writeCatalogWorkbook([entries], { example: false });
  console.log(`catalog-import: workbook of ${grouped(ENTRIES)} entries, ${grouped(ENTRIES * ITEMS)} items, ${grouped(workbook.length / 1024)} KiB, written in ${grouped(performance.now() - start)} ms`);
  await runOn('pglite', workbook);
  if (process.env.DATABASE_URL) await runOn('postgres', workbook);
}
