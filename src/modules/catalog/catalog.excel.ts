import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { UserActor } from '../../core/auth/actor.js';
import { InputError } from '../../core/errors.js';
import type { Paging } from '../../core/http/schemas.js';
import type { EntryFilter } from './catalog.repository.js';
import { PII_KINDS } from './catalog.rules.js';
import type { CatalogContent } from './catalog.types.js';
import { readXlsx } from './xlsx-reader.js';

/**
 * The catalog workbook (目录导入模板): sheet 目录 with one row per entry, sheet 信息项 with one row per
 * info item linked to its entry by 目录序号 (or 目录编码), and a hidden sheet 取值 holding the allowed
 * values that the drop-downs of both sheets point to. The template, the export and the import all
 * use the tables below, so an exported workbook can be edited and imported again.
 */

export const SHEET = { entries: '目录', items: '信息项', values: '取值' } as const;

/** Rows whose 序号 (or 目录序号) is this are examples: the template carries one, the import skips it. */
export const EXAMPLE_KEY = '示例';

// ---------------------------------------------------------------- labels (中文 ⇄ enum)

type Labels<K extends string> = Readonly<Record<K, string>>;

const SHARE: Labels<CatalogContent['shareType']> = { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' };
const GRADE: Labels<CatalogContent['securityGrade']> = { core: '核心', important: '重要', general: '一般' };

/** Every value with its Chinese label; the one table used by the template, the import and the export. */
export const LABELS = {
  resourceType: { basic: '基础', thematic: '主题', department: '部门' } satisfies Labels<CatalogContent['resourceType']>,
  format: { table: '库表', api: '接口', file: '文件' } satisfies Labels<CatalogContent['format']>,
  shareType: SHARE,
  shareMethod: { api: '接口', table: '库表', file: '文件' } satisfies Labels<CatalogContent['shareMethods'][number]>,
  openType: { unconditional: '无条件开放', conditional: '有条件开放', none: '不予开放' } satisfies Labels<CatalogContent['openType']>,
  updateCycle: {
    realtime: '实时',
    daily: '每日',
    weekly: '每周',
    monthly: '每月',
    quarterly: '每季度',
    yearly: '每年',
    irregular: '不定期',
  } satisfies Labels<CatalogContent['updateCycle']>,
  securityGrade: GRADE,
  sensitivityLevel: { '1': '1', '2': '2', '3': '3', '4': '4' },
  dataType: {
    string: '字符型',
    integer: '整数型',
    decimal: '数值型',
    date: '日期型',
    datetime: '日期时间型',
    boolean: '布尔型',
    binary: '二进制',
  } satisfies Labels<CatalogContent['items'][number]['dataType']>,
  yesNo: { true: '是', false: '否' },
  piiKind: {
    resident_id: '居民身份证号码',
    passport: '护照号码',
    name: '姓名',
    phone: '电话号码',
    email: '电子邮箱',
    address: '住址',
    bank_card: '银行卡号',
    licence_plate: '机动车号牌',
    biometric: '生物识别信息',
    health: '健康生理信息',
    location: '行踪轨迹',
    uscc: '统一社会信用代码',
    org_code: '组织机构代码',
    division_code: '行政区划代码',
  } satisfies Labels<(typeof PII_KINDS)[number]>,
} as const;

export type ListName = keyof typeof LABELS;

/** 接口,库表 — the order the platform stores share methods in is kept; the drop-down offers every combination. */
const SHARE_METHOD_COMBINATIONS = ['接口', '库表', '文件', '接口,库表', '接口,文件', '库表,文件', '接口,库表,文件'];

/** Separators accepted between several values in one cell (share methods, source systems). */
export const LIST_SEPARATOR = /[,，、;；\n]+/;

const reverse = new Map<ListName, Map<string, string>>(
  (Object.keys(LABELS) as ListName[]).map((list) => {
    const m = new Map<string, string>();
    for (const [value, label] of Object.entries(LABELS[list])) {
      m.set(label, value);
      // The enum values themselves are accepted too (case-insensitive), for workbooks made by programs.
      m.set(value.toLowerCase(), value);
    }
    if (list === 'yesNo') for (const [t, v] of [['y', 'true'], ['yes', 'true'], ['n', 'false'], ['no', 'false'], ['1', 'true'], ['0', 'false']]) m.set(t!, v!);
    return [list, m];
  }),
);

/** The value of a label (or of the value itself), or undefined when the text is not in the list. */
export function fromLabel(list: ListName, text: string): string | undefined {
  const m = reverse.get(list)!;
  return m.get(text.trim()) ?? m.get(text.trim().toLowerCase());
}

export function toLabel(list: ListName, value: string): string {
  return (LABELS[list] as Record<string, string>)[value] ?? value;
}

export function labelsOf(list: ListName): string[] {
  return Object.values(LABELS[list]);
}

// ---------------------------------------------------------------- columns

export interface ColumnDef<K extends string = string> {
  key: K;
  header: string;
  width: number;
  required?: boolean;
  /** The drop-down's list (a column of the 取值 sheet). */
  list?: ListName | 'shareMethods';
  /** The header's note: what goes in the column. */
  note: string;
}

export const ENTRY_COLUMNS = [
  { key: 'key', header: '序号', width: 8, note: '本行目录的序号，信息项表的“目录序号”填写此值以关联本目录。新增目录必填，已有编码的目录可不填。序号为“示例”的行不会导入。' },
  { key: 'code', header: '目录编码', width: 36, note: '新增目录留空，由系统生成；填写已有目录的编码则修改该目录（草稿直接修改，已发布或已退回的目录生成新版本）。' },
  { key: 'name', header: '目录名称', width: 28, required: true, note: '必填，不超过 200 字。未填编码时，与本部门同名（未撤销）的目录视为同一目录。' },
  { key: 'summary', header: '摘要', width: 40, required: true, note: '必填，说明数据的内容、范围和用途，不超过 4000 字。' },
  { key: 'resourceType', header: '资源类型', width: 10, required: true, list: 'resourceType', note: '必填：基础、主题或部门。' },
  { key: 'category', header: '分类', width: 14, required: true, note: '必填，“类-项-目”或“类-项-目-细目”，例如 1-01-001 或 1-01-001-002。' },
  { key: 'format', header: '格式', width: 8, required: true, list: 'format', note: '必填：库表、接口或文件。库表类目录须至少有一个主键信息项。' },
  { key: 'shareType', header: '共享类型', width: 12, required: true, list: 'shareType', note: '必填：无条件共享、有条件共享或不予共享。' },
  { key: 'shareCondition', header: '共享条件', width: 28, note: '有条件共享时必填，不超过 2000 字。' },
  { key: 'nonShareBasis', header: '不予共享依据', width: 28, note: '不予共享时必填，写明法律法规或政策依据，不超过 2000 字。' },
  { key: 'shareMethods', header: '共享方式', width: 14, list: 'shareMethods', note: '共享的目录至少填一种：接口、库表、文件；多个用逗号分隔，例如“接口,库表”。' },
  { key: 'openType', header: '开放类型', width: 12, required: true, list: 'openType', note: '必填：无条件开放、有条件开放或不予开放。' },
  { key: 'updateCycle', header: '更新周期', width: 10, required: true, list: 'updateCycle', note: '必填：实时、每日、每周、每月、每季度、每年或不定期。' },
  { key: 'securityGrade', header: '安全级别', width: 10, required: true, list: 'securityGrade', note: '必填：核心、重要或一般（GB/T 43697-2024）。' },
  { key: 'sensitivityLevel', header: '敏感级别', width: 10, list: 'sensitivityLevel', note: '选填，仅一般数据填写：1（不敏感）至 4（敏感）。' },
  { key: 'sourceSystems', header: '来源系统', width: 28, note: '选填，数据来源的本部门政务信息系统名称，多个用逗号分隔；系统须先在“政务信息系统”中登记。' },
] as const satisfies readonly ColumnDef[];

export const ITEM_COLUMNS = [
  { key: 'entryKey', header: '目录序号', width: 10, note: '所属目录在“目录”表中的序号；也可改填“目录编码”。' },
  { key: 'entryCode', header: '目录编码', width: 36, note: '所属目录的编码（已有目录）；与“目录序号”填一个即可。' },
  { key: 'name', header: '信息项名称', width: 22, required: true, note: '必填，不超过 200 字。同一目录的信息项按行的顺序排列。' },
  { key: 'column', header: '字段名', width: 20, required: true, note: '必填，小写字母开头，仅含小写字母、数字和下划线，不超过 63 位，同一目录内不重复，不能是数据库保留字。' },
  { key: 'dataType', header: '数据类型', width: 12, required: true, list: 'dataType', note: '必填：字符型、整数型、数值型、日期型、日期时间型、布尔型或二进制。' },
  { key: 'length', header: '长度', width: 8, note: '字符型必填（1–4000）；数值型必填精度（1–38）；二进制可填最大字节数；其他类型不填。' },
  { key: 'isKey', header: '是否主键', width: 10, list: 'yesNo', note: '是或否，默认否。库表类目录须至少有一个主键。' },
  { key: 'piiKind', header: '个人信息类型', width: 16, list: 'piiKind', note: '选填，含个人信息时选择其类型（GB/T 35273）。' },
  { key: 'shareType', header: '共享类型', width: 12, list: 'shareType', note: '选填，信息项的共享类型，不能比所属目录更开放。' },
  { key: 'securityGrade', header: '安全级别', width: 10, list: 'securityGrade', note: '选填，信息项的安全级别，不能高于所属目录。' },
  { key: 'dataElement', header: '数据元', width: 16, note: '选填，信息项对应的数据元标识，例如 DE00001（字母、数字及 . _ -）。' },
] as const satisfies readonly ColumnDef[];

export type EntryColumnKey = (typeof ENTRY_COLUMNS)[number]['key'];
export type ItemColumnKey = (typeof ITEM_COLUMNS)[number]['key'];

export const entryHeader = (key: EntryColumnKey): string => ENTRY_COLUMNS.find((c) => c.key === key)!.header;
export const itemHeader = (key: ItemColumnKey): string => ITEM_COLUMNS.find((c) => c.key === key)!.header;

// ---------------------------------------------------------------- writing

/** One entry as written to the workbook: its code (blank for a new one), content and source system names. */
export interface WorkbookEntry {
  code: string | null;
  content: CatalogContent;
  sourceSystemNames: string[];
}

const MAX_ROW = 1_048_576;
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
const REQUIRED_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FFC00000' } };
const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true };
const EXAMPLE_FONT: Partial<ExcelJS.Font> = { italic: true, color: { argb: 'FF808080' } };

const colLetter = (n: number): string => {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
};

/** The 取值 sheet: one column per list, label per row; drop-downs refer to these ranges. */
function valueLists(): Array<{ name: ListName | 'shareMethods'; title: string; labels: string[] }> {
  return [
    { name: 'resourceType', title: '资源类型', labels: labelsOf('resourceType') },
    { name: 'format', title: '格式', labels: labelsOf('format') },
    { name: 'shareType', title: '共享类型', labels: labelsOf('shareType') },
    { name: 'shareMethods', title: '共享方式', labels: SHARE_METHOD_COMBINATIONS },
    { name: 'openType', title: '开放类型', labels: labelsOf('openType') },
    { name: 'updateCycle', title: '更新周期', labels: labelsOf('updateCycle') },
    { name: 'securityGrade', title: '安全级别', labels: labelsOf('securityGrade') },
    { name: 'sensitivityLevel', title: '敏感级别', labels: labelsOf('sensitivityLevel') },
    { name: 'dataType', title: '数据类型', labels: labelsOf('dataType') },
    { name: 'yesNo', title: '是否', labels: labelsOf('yesNo') },
    { name: 'piiKind', title: '个人信息类型', labels: labelsOf('piiKind') },
  ];
}

function prepareSheet(sheet: ExcelJS.Worksheet, columns: readonly ColumnDef[], ranges: Map<string, string>): void {
  sheet.columns = columns.map((c) => ({ key: c.key, width: c.width }));
  const header = sheet.getRow(1);
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = c.required ? REQUIRED_FONT : HEADER_FONT;
    cell.fill = HEADER_FILL;
    cell.note = { texts: [{ text: `${c.header}${c.required ? '（必填）' : ''}：${c.note}` }] };
    const range = c.list ? ranges.get(c.list) : undefined;
    if (range) {
      const letter = colLetter(i + 1);
      // exceljs's typings omit the worksheet's validations, which both of its writers support.
      (sheet as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}2:${letter}${MAX_ROW}`, {
        type: 'list',
        allowBlank: true,
        formulae: [range],
        showErrorMessage: true,
        // Share methods may be typed in another order ("库表,接口"): warn, do not refuse.
        errorStyle: c.list === 'shareMethods' ? 'warning' : 'stop',
        errorTitle: c.header,
        error: `请从下拉列表中选择${c.header}`,
      });
    }
  });
  header.commit();
}

const EXAMPLE: WorkbookEntry = {
  code: null,
  sourceSystemNames: [],
  content: {
    name: '企业登记基本信息',
    summary: '本部门登记的企业名称、统一社会信用代码、法定代表人和登记状态，用于市场主体身份核验。',
    resourceType: 'basic',
    category: '1-02-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: '用于政务服务中的市场主体身份核验',
    nonShareBasis: null,
    shareMethods: ['api', 'table'],
    openType: 'conditional',
    updateCycle: 'daily',
    securityGrade: 'general',
    sensitivityLevel: 2,
    sourceSystemIds: [],
    items: [
      { name: '统一社会信用代码', column: 'uscc', dataType: 'string', length: 18, isKey: true, piiKind: null, shareType: null, dataElement: 'DE00001', securityGrade: null },
      { name: '企业名称', column: 'company_name', dataType: 'string', length: 200, isKey: false, piiKind: null, shareType: null, dataElement: null, securityGrade: null },
      { name: '成立日期', column: 'established_on', dataType: 'date', length: null, isKey: false, piiKind: null, shareType: null, dataElement: null, securityGrade: null },
    ],
  },
};

function entryRow(key: string, e: WorkbookEntry): Record<EntryColumnKey, string | number | null> {
  const c = e.content;
  return {
    key,
    code: e.code,
    name: c.name,
    summary: c.summary,
    resourceType: toLabel('resourceType', c.resourceType),
    category: c.category,
    format: toLabel('format', c.format),
    shareType: toLabel('shareType', c.shareType),
    shareCondition: c.shareCondition,
    nonShareBasis: c.nonShareBasis,
    shareMethods: c.shareMethods.map((m) => toLabel('shareMethod', m)).join(',') || null,
    openType: toLabel('openType', c.openType),
    updateCycle: toLabel('updateCycle', c.updateCycle),
    securityGrade: toLabel('securityGrade', c.securityGrade),
    sensitivityLevel: c.sensitivityLevel,
    sourceSystems: e.sourceSystemNames.join(',') || null,
  };
}

function itemRow(key: string, code: string | null, item: CatalogContent['items'][number]): Record<ItemColumnKey, string | number | null> {
  return {
    entryKey: key,
    entryCode: code,
    name: item.name,
    column: item.column,
    dataType: toLabel('dataType', item.dataType),
    length: item.length,
    isKey: toLabel('yesNo', String(item.isKey)),
    piiKind: item.piiKind === null ? null : toLabel('piiKind', item.piiKind),
    shareType: item.shareType === null ? null : toLabel('shareType', item.shareType),
    securityGrade: item.securityGrade === null || item.securityGrade === undefined ? null : toLabel('securityGrade', item.securityGrade),
    dataElement: item.dataElement ?? null,
  };
}

/**
 * Writes the workbook, streaming: entries arrive in pages (an export iterates the catalog's list), rows
 * are committed as they come, so memory holds the compressed output rather than every cell object.
 * With `example`, the template's example rows (序号 示例) come first.
 */
export async function writeCatalogWorkbook(pages: AsyncIterable<WorkbookEntry[]> | Iterable<WorkbookEntry[]>, options: { example: boolean }): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  // Loaded on first use: exceljs takes a third of a second to load, which every start-up would pay.
  const { default: excel } = await import('exceljs');
  const wb = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Tianshu 天枢';
  wb.created = new Date();

  const lists = valueLists();
  const ranges = new Map(lists.map((l, i) => [l.name, `'${SHEET.values}'!$${colLetter(i + 1)}$2:$${colLetter(i + 1)}$${l.labels.length + 1}`]));
  const entries = wb.addWorksheet(SHEET.entries, { views: [{ state: 'frozen', ySplit: 1 }] });
  const items = wb.addWorksheet(SHEET.items, { views: [{ state: 'frozen', ySplit: 1 }] });
  const values = wb.addWorksheet(SHEET.values, { state: 'hidden' });
  prepareSheet(entries, ENTRY_COLUMNS, ranges);
  prepareSheet(items, ITEM_COLUMNS, ranges);

  let n = 0;
  const write = (key: string, e: WorkbookEntry, font?: Partial<ExcelJS.Font>): void => {
    const r = entries.addRow(entryRow(key, e));
    if (font) r.font = font;
    r.commit();
    for (const item of e.content.items) {
      const ir = items.addRow(itemRow(key, e.code, item));
      if (font) ir.font = font;
      ir.commit();
    }
  };
  if (options.example) write(EXAMPLE_KEY, EXAMPLE, EXAMPLE_FONT);
  for await (const page of pages) {
    for (const e of page) write(String(++n), e);
  }
  entries.commit();
  items.commit();

  lists.forEach((l, i) => {
    values.getCell(1, i + 1).value = l.title;
    l.labels.forEach((label, j) => {
      values.getCell(j + 2, i + 1).value = label;
    });
  });
  // Rows of the stream writer are written in order: fill the 取值 sheet row by row.
  values.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------- reading

/** A problem found in a workbook: where it is (sheet, 1-based row, column header) and what is wrong. */
export interface ImportProblem {
  sheet: string;
  row: number;
  column: string;
  code: string;
  message: string;
  messageEn: string;
}

/** A data row of a sheet: its row number and its cells as trimmed text (blank cells are absent). */
export interface SheetRow<K extends string> {
  row: number;
  cells: Partial<Record<K, string>>;
}

export interface ParsedWorkbook {
  entries: Array<SheetRow<EntryColumnKey>>;
  items: Array<SheetRow<ItemColumnKey>>;
  problems: ImportProblem[];
}

export interface ReadLimits {
  maxEntries: number;
  maxItems: number;
}

export const unreadable = (): InputError =>
  new InputError('XLSX_UNREADABLE', 'The body is not an Excel workbook (.xlsx)', '上传的文件不是 Excel 工作簿（.xlsx），请使用导入模板');

export const tooLarge = (limits: ReadLimits): InputError =>
  new InputError(
    'IMPORT_TOO_LARGE',
    `A workbook holds at most ${limits.maxEntries} entries and ${limits.maxItems} info items; split it`,
    `一次最多导入 ${limits.maxEntries} 条目录、${limits.maxItems} 个信息项，请拆分后分批导入`,
  );

const normaliseHeader = (s: string): string => s.replace(/[\s*＊（(].*$/u, '').trim();

/** Largest uncompressed sheet: far above what the row limits allow, far below what would hurt. */
const MAX_PART_BYTES = 512 * 1024 * 1024;

/**
 * Reads the 目录 and 信息项 sheets (found by name, else by their headers) into rows of trimmed cell text,
 * keyed by column. Stops with IMPORT_TOO_LARGE past the limits.
 */
export async function readCatalogWorkbook(buffer: Buffer, limits: ReadLimits): Promise<ParsedWorkbook> {
  // An xlsx is a zip: refuse anything else before reading it as one.
  if (buffer.length < 4 || buffer.readUInt32LE(0) !== 0x04034b50) throw unreadable();
  const problems: ImportProblem[] = [];
  const found: { entries?: Array<SheetRow<EntryColumnKey>>; items?: Array<SheetRow<ItemColumnKey>> } = {};
  try {
    const sheets = readXlsx(buffer, { maxPartBytes: MAX_PART_BYTES });
    // Sheets named as in the template first, so a renamed copy elsewhere does not take their place.
    const ordered = [...sheets.filter((s) => s.name === SHEET.entries || s.name === SHEET.items), ...sheets.filter((s) => s.name !== SHEET.entries && s.name !== SHEET.items)];
    for (const sheet of ordered) {
      if (sheet.name === SHEET.values) continue;
      let kind: 'entries' | 'items' | undefined;
      let columns: Map<number, string> | undefined;
      const rows: Array<SheetRow<string>> = [];
      for (const row of sheet.rows()) {
        if (!columns) {
          if (row.row !== 1) break;
          const headers = new Map([...row.cells].map(([col, text]) => [col, normaliseHeader(text)]));
          const names = new Set(headers.values());
          kind =
            sheet.name === SHEET.entries || (sheet.name !== SHEET.items && names.has('目录名称') && names.has('摘要'))
              ? 'entries'
              : sheet.name === SHEET.items || (names.has('字段名') && names.has('信息项名称'))
                ? 'items'
                : undefined;
          if (!kind || found[kind]) break;
          const defs: readonly ColumnDef[] = kind === 'entries' ? ENTRY_COLUMNS : ITEM_COLUMNS;
          columns = new Map();
          for (const [col, h] of headers) {
            const def = defs.find((d) => d.header === h);
            if (def && ![...columns.values()].includes(def.key)) columns.set(col, def.key);
          }
          const sheetName = kind === 'entries' ? SHEET.entries : SHEET.items;
          for (const def of defs) {
            if (def.required && ![...columns.values()].includes(def.key)) {
              problems.push({ sheet: sheetName, row: 1, column: def.header, code: 'COLUMN_MISSING', message: `缺少“${def.header}”列`, messageEn: `The column ${def.header} is missing` });
            }
          }
          continue;
        }
        const cells: Record<string, string> = {};
        let any = false;
        for (const [col, value] of row.cells) {
          const key = columns.get(col);
          const text = value.trim();
          if (key && text !== '') {
            cells[key] = text;
            any = true;
          }
        }
        if (!any) continue;
        rows.push({ row: row.row, cells });
        if (rows.length > (kind === 'entries' ? limits.maxEntries : limits.maxItems)) throw tooLarge(limits);
      }
      if (kind && columns && !found[kind]) {
        if (kind === 'entries') found.entries = rows as Array<SheetRow<EntryColumnKey>>;
        else found.items = rows as Array<SheetRow<ItemColumnKey>>;
      }
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    // Anything else is a broken or foreign file: a zip that is not a workbook, a part too large, bad XML.
    throw unreadable();
  }
  if (!found.entries) problems.push({ sheet: SHEET.entries, row: 1, column: '', code: 'SHEET_MISSING', message: '缺少“目录”工作表，请使用导入模板', messageEn: 'The sheet 目录 is missing; use the template' });
  if (!found.items) problems.push({ sheet: SHEET.items, row: 1, column: '', code: 'SHEET_MISSING', message: '缺少“信息项”工作表，请使用导入模板', messageEn: 'The sheet 信息项 is missing; use the template' });
  return { entries: found.entries ?? [], items: found.items ?? [], problems };
}

// ---------------------------------------------------------------- export

export const EXPORT_LIMIT = 50_000;
const EXPORT_PAGE = 500;

/** The reads an export needs; the catalog service provides them and applies visibility. */
export interface ExportSource {
  list(actor: UserActor, filter: EntryFilter, page: Paging): Promise<{ items: Array<CatalogContent & { code: string; provider: { id: string } }>; total: number }>;
  listSystems(actor: UserActor, filter: { organisationId?: string | undefined }, page: Paging): Promise<{ items: Array<{ id: string; name: string }> }>;
}

export const exportTooLarge = (total: number): InputError =>
  new InputError(
    'EXPORT_TOO_LARGE',
    `The search has ${total} entries; an export holds at most ${EXPORT_LIMIT}: narrow the filters`,
    `检索结果共 ${total} 条目录，一次最多导出 ${EXPORT_LIMIT} 条，请缩小检索范围`,
    { total, limit: EXPORT_LIMIT },
  );

const contentOf = (e: CatalogContent): CatalogContent => ({
  name: e.name,
  summary: e.summary,
  resourceType: e.resourceType,
  category: e.category,
  format: e.format,
  shareType: e.shareType,
  shareCondition: e.shareCondition,
  nonShareBasis: e.nonShareBasis,
  shareMethods: e.shareMethods,
  openType: e.openType,
  updateCycle: e.updateCycle,
  securityGrade: e.securityGrade,
  sensitivityLevel: e.sensitivityLevel,
  sourceSystemIds: e.sourceSystemIds,
  items: e.items,
});

/**
 * The entries a search finds (the filters of GET /catalogs, as the caller sees them) as a workbook in
 * the template's format, codes filled, so it can be edited and imported again.
 */
export async function exportCatalogWorkbook(source: ExportSource, actor: UserActor, search: EntryFilter): Promise<Buffer> {
  // Past a thousand matches a search estimates its total; an export must count every entry it pages through.
  const filter: EntryFilter = { ...search, exact: true };
  const first = await source.list(actor, filter, { page: 1, pageSize: EXPORT_PAGE, offset: 0, limit: EXPORT_PAGE });
  if (first.total > EXPORT_LIMIT) throw exportTooLarge(first.total);
  const systems = new Map<string, Map<string, string>>();
  const systemNames = async (providerId: string, ids: readonly string[]): Promise<string[]> => {
    if (ids.length === 0) return [];
    let names = systems.get(providerId);
    if (!names) {
      const all = await source.listSystems(actor, { organisationId: providerId }, { page: 1, pageSize: 100_000, offset: 0, limit: 100_000 });
      names = new Map(all.items.map((s) => [s.id, s.name]));
      systems.set(providerId, names);
    }
    // A system that no longer exists keeps its id, which the import then reports.
    return ids.map((id) => names.get(id) ?? id);
  };
  const toRows = async (items: Awaited<ReturnType<ExportSource['list']>>['items']): Promise<WorkbookEntry[]> => {
    const out: WorkbookEntry[] = [];
    for (const e of items) out.push({ code: e.code, content: contentOf(e), sourceSystemNames: await systemNames(e.provider.id, e.sourceSystemIds) });
    return out;
  };
  async function* pages(): AsyncIterable<WorkbookEntry[]> {
    yield await toRows(first.items);
    const pageCount = Math.ceil(Math.min(first.total, EXPORT_LIMIT) / EXPORT_PAGE);
    for (let page = 2; page <= pageCount; page += 1) {
      const { items } = await source.list(actor, filter, { page, pageSize: EXPORT_PAGE, offset: (page - 1) * EXPORT_PAGE, limit: EXPORT_PAGE });
      if (items.length === 0) return;
      yield await toRows(items);
    }
  }
  return writeCatalogWorkbook(pages(), { example: false });
}

/** `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(asciiName: string, utf8Name: string): string {
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(utf8Name)}`;
}
