import crypto from 'node:crypto';
import type { UserActor } from '../../core/auth/actor.js';
import { ConflictError } from '../../core/errors.js';
import type { Db } from '../../core/db/db.js';
import type { Trx } from '../../core/db/database.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { sm3Hex } from '../../core/crypto/index.js';
import { StatementPipeline } from '../../core/db/pipeline.js';
import { ledgerBatchInsert, type LedgerEvent } from '../../core/ledger/ledger.js';
import type { IdentityService } from '../identity/index.js';
import type { CatalogCodeGenerator } from './catalog.codes.js';
import type { EntryProblem } from './catalog.errors.js';
import {
  ENTRY_COLUMNS,
  EXAMPLE_KEY,
  ITEM_COLUMNS,
  LIST_SEPARATOR,
  SHEET,
  entryHeader,
  fromLabel,
  itemHeader,
  labelsOf,
  readCatalogWorkbook,
  type EntryColumnKey,
  type ImportProblem,
  type ItemColumnKey,
  type ListName,
  type ReadLimits,
  type SheetRow,
} from './catalog.excel.js';
import * as repo from './catalog.repository.js';
import { checkEntry } from './catalog.rules.js';
import type { CatalogEntryInputType, InfoItemInputType } from './catalog.schemas.js';
import { normalise, readContent } from './catalog.service.js';
import type { CatalogContent } from './catalog.types.js';

/**
 * The Excel import (目录批量导入), staged: read the workbook → turn rows into entry inputs → resolve each
 * row to a new or an existing entry → validate with the catalog's own rules → write everything in one
 * transaction with multi-row inserts. Every problem names its sheet, row and column; with any problem
 * nothing is written. Rows that change nothing count as unchanged, so importing a file twice is harmless.
 */

export interface ImportDeps {
  db: Db;
  identity: Pick<IdentityService, 'getOrganisation' | 'responsibleAuthority'>;
  codes: CatalogCodeGenerator;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
  errors: ImportProblem[];
}

export const IMPORT_LIMITS: ReadLimits = { maxEntries: 50_000, maxItems: 1_000_000 };
const ANALYSE_AFTER = 1_000;

const TEXT_LIMITS: Partial<Record<EntryColumnKey | `item.${ItemColumnKey}`, number>> = {
  name: 200,
  summary: 4000,
  category: 40,
  shareCondition: 2000,
  nonShareBasis: 2000,
  'item.name': 200,
  'item.column': 100,
  'item.dataElement': 100,
};

/** One entry row on its way to the database. */
interface EntryDraft {
  row: number;
  key: string | undefined;
  code: string | undefined;
  input: CatalogEntryInputType;
  systemNames: string[];
  /** Fields whose cell was missing or unreadable: the rules that depend on them are not run. */
  broken: Set<string>;
  items: Array<{ row: number; broken: Set<string> }>;
}

type Plan =
  | { kind: 'create'; draft: EntryDraft; content: CatalogContent }
  | { kind: 'update'; draft: EntryDraft; content: CatalogContent; entry: repo.EntryWithContent; newVersion: boolean }
  | { kind: 'unchanged'; draft: EntryDraft };

class Problems {
  readonly list: ImportProblem[] = [];
  entry(row: number, key: EntryColumnKey, code: string, message: string, messageEn: string): void {
    this.list.push({ sheet: SHEET.entries, row, column: entryHeader(key), code, message, messageEn });
  }
  item(row: number, key: ItemColumnKey, code: string, message: string, messageEn: string): void {
    this.list.push({ sheet: SHEET.items, row, column: itemHeader(key), code, message, messageEn });
  }
  /** Sheet order, then row, then column order, so the report reads like the workbook. */
  sorted(): ImportProblem[] {
    const colIndex = (p: ImportProblem): number =>
      (p.sheet === SHEET.entries ? ENTRY_COLUMNS : ITEM_COLUMNS).findIndex((c) => c.header === p.column);
    const sheetIndex = (p: ImportProblem): number => (p.sheet === SHEET.entries ? 0 : 1);
    return [...this.list].sort((a, b) => sheetIndex(a) - sheetIndex(b) || a.row - b.row || colIndex(a) - colIndex(b));
  }
}

export async function importCatalogWorkbook(deps: ImportDeps, actor: UserActor, workbook: Buffer, options: { dryRun: boolean }): Promise<ImportResult> {
  const parsed = await readCatalogWorkbook(workbook, IMPORT_LIMITS);
  const problems = new Problems();
  problems.list.push(...parsed.problems);
  const drafts = toDrafts(parsed.entries, parsed.items, problems);

  // Identity first: on PGlite the transaction below holds the only connection.
  const provider = await deps.identity.getOrganisation(actor, actor.organisationId);
  const authority = await deps.identity.responsibleAuthority(actor.organisationId);

  const result: ImportResult = await deps.db.kysely.transaction().execute(async (trx) => {
    // The provider's sequence lock also serialises concurrent imports (and creations) of one organisation.
    const firstSeq = await repo.nextSequence(trx, provider.id);
    await resolveSystems(trx, provider.id, drafts, problems);
    for (const d of drafts) validate(d, deps.codes, problems);
    const plans = await plan(trx, provider.id, drafts, problems);

    const count = (kind: Plan['kind']) => plans.filter((p) => p.kind === kind).length;
    if (problems.list.length > 0) return { created: 0, updated: 0, unchanged: 0, dryRun: options.dryRun, errors: problems.sorted() };
    const result = { created: count('create'), updated: count('update'), unchanged: count('unchanged'), dryRun: options.dryRun, errors: [] };
    if (options.dryRun) return result;
    await write(deps.db, trx, deps.codes, actor, { id: provider.id, name: provider.name, code: provider.code }, authority?.id ?? null, firstSeq, plans);
    return result;
  });
  // Many rows at once leave the planner's statistics behind, and PGlite has no autovacuum to catch up.
  if (result.created + result.updated >= ANALYSE_AFTER) await repo.analyseCatalog(deps.db.kysely);
  return result;
}

// ---------------------------------------------------------------- rows → inputs

function toDrafts(entryRows: Array<SheetRow<EntryColumnKey>>, itemRows: Array<SheetRow<ItemColumnKey>>, problems: Problems): EntryDraft[] {
  const drafts: EntryDraft[] = [];
  const byKey = new Map<string, EntryDraft>();
  const byCode = new Map<string, EntryDraft>();
  for (const r of entryRows) {
    const c = r.cells;
    if (c.key === EXAMPLE_KEY) continue;
    const broken = new Set<string>();
    const text = (key: EntryColumnKey, required: boolean): string | undefined => {
      const v = c[key];
      if (v === undefined) {
        if (required) {
          problems.entry(r.row, key, 'CELL_REQUIRED', `“${entryHeader(key)}”必填`, `${entryHeader(key)} is required`);
          broken.add(key);
        }
        return undefined;
      }
      const max = TEXT_LIMITS[key];
      if (max !== undefined && v.length > max) {
        problems.entry(r.row, key, 'TEXT_TOO_LONG', `“${entryHeader(key)}”不能超过 ${max} 字`, `${entryHeader(key)} is longer than ${max} characters`);
      }
      return v;
    };
    const choice = <T extends string>(key: EntryColumnKey, list: ListName, required: boolean): T | undefined => {
      const v = text(key, required);
      if (v === undefined) return undefined;
      const value = fromLabel(list, v);
      if (value === undefined) {
        problems.entry(r.row, key, 'VALUE_UNKNOWN', `“${v}”不是有效的${entryHeader(key)}，可选：${labelsOf(list).join('、')}`, `${v} is not a valid ${entryHeader(key)}; one of ${labelsOf(list).join(', ')}`);
        broken.add(key);
      }
      return value as T | undefined;
    };

    const key = c.key;
    const code = c.code;
    if (key === undefined && code === undefined) {
      problems.entry(r.row, 'key', 'ENTRY_KEY_REQUIRED', '新增目录须填写序号，以便信息项关联', 'A new entry needs its 序号 so that its info items can refer to it');
    }
    if (key !== undefined) {
      const first = byKey.get(key);
      if (first) problems.entry(r.row, 'key', 'DUPLICATE_KEY', `序号 ${key} 与第 ${first.row} 行重复`, `序号 ${key} is already used in row ${first.row}`);
    }
    if (code !== undefined) {
      const first = byCode.get(code);
      if (first) problems.entry(r.row, 'code', 'DUPLICATE_CODE', `目录编码 ${code} 与第 ${first.row} 行重复`, `The code ${code} is already used in row ${first.row}`);
    }

    const methods: Array<CatalogEntryInputType['shareMethods'][number]> = [];
    const methodText = text('shareMethods', false);
    for (const part of (methodText ?? '').split(LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean)) {
      const m = fromLabel('shareMethod', part);
      if (m === undefined) {
        problems.entry(r.row, 'shareMethods', 'VALUE_UNKNOWN', `“${part}”不是有效的共享方式，可选：接口、库表、文件`, `${part} is not a share method; one of 接口, 库表, 文件`);
        broken.add('shareMethods');
      } else {
        methods.push(m as (typeof methods)[number]);
      }
    }
    let sensitivityLevel: number | undefined;
    const level = text('sensitivityLevel', false);
    if (level !== undefined) {
      if (/^\d+$/.test(level)) sensitivityLevel = Number(level);
      else {
        problems.entry(r.row, 'sensitivityLevel', 'NOT_AN_INTEGER', '敏感级别须为 1–4 的整数', 'The sensitivity level is an integer from 1 to 4');
        broken.add('sensitivityLevel');
      }
    }

    const input: CatalogEntryInputType = {
      name: text('name', true) ?? '',
      summary: text('summary', true) ?? '',
      // Placeholders for missing values are the ones that trigger no further rule (their cell is reported).
      resourceType: choice('resourceType', 'resourceType', true) ?? 'basic',
      category: text('category', true) ?? '',
      format: choice('format', 'format', true) ?? 'file',
      shareType: choice('shareType', 'shareType', true) ?? 'unconditional',
      shareMethods: methods,
      openType: choice('openType', 'openType', true) ?? 'none',
      updateCycle: choice('updateCycle', 'updateCycle', true) ?? 'irregular',
      securityGrade: choice('securityGrade', 'securityGrade', true) ?? 'core',
      items: [],
    };
    const condition = text('shareCondition', false);
    if (condition !== undefined) input.shareCondition = condition;
    const basis = text('nonShareBasis', false);
    if (basis !== undefined) input.nonShareBasis = basis;
    if (sensitivityLevel !== undefined) input.sensitivityLevel = sensitivityLevel;
    const systems = text('sourceSystems', false);
    const draft: EntryDraft = {
      row: r.row,
      key,
      code,
      input,
      systemNames: systems === undefined ? [] : [...new Set(systems.split(LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean))],
      broken,
      items: [],
    };
    drafts.push(draft);
    if (key !== undefined && !byKey.has(key)) byKey.set(key, draft);
    if (code !== undefined && !byCode.has(code)) byCode.set(code, draft);
  }

  for (const r of itemRows) {
    const c = r.cells;
    if (c.entryKey === EXAMPLE_KEY) continue;
    const owner = linkItem(r, byKey, byCode, problems);
    const broken = new Set<string>();
    const text = (key: ItemColumnKey, required: boolean): string | undefined => {
      const v = c[key];
      if (v === undefined) {
        if (required) {
          problems.item(r.row, key, 'CELL_REQUIRED', `“${itemHeader(key)}”必填`, `${itemHeader(key)} is required`);
          broken.add(key);
        }
        return undefined;
      }
      const max = TEXT_LIMITS[`item.${key}`];
      if (max !== undefined && v.length > max) {
        problems.item(r.row, key, 'TEXT_TOO_LONG', `“${itemHeader(key)}”不能超过 ${max} 字`, `${itemHeader(key)} is longer than ${max} characters`);
        broken.add(key);
      }
      return v;
    };
    const choice = (key: ItemColumnKey, list: ListName, required: boolean): string | undefined => {
      const v = text(key, required);
      if (v === undefined) return undefined;
      const value = fromLabel(list, v);
      if (value === undefined) {
        problems.item(r.row, key, 'VALUE_UNKNOWN', `“${v}”不是有效的${itemHeader(key)}，可选：${labelsOf(list).join('、')}`, `${v} is not a valid ${itemHeader(key)}; one of ${labelsOf(list).join(', ')}`);
        broken.add(key);
      }
      return value;
    };
    const item: InfoItemInputType = {
      name: text('name', true) ?? '',
      column: text('column', true) ?? '',
      dataType: (choice('dataType', 'dataType', true) ?? 'integer') as InfoItemInputType['dataType'],
    };
    const length = text('length', false);
    if (length !== undefined) {
      if (/^\d+$/.test(length)) item.length = Number(length);
      else {
        problems.item(r.row, 'length', 'NOT_AN_INTEGER', '长度须为正整数', 'The length is a positive integer');
        broken.add('length');
      }
    }
    const isKey = choice('isKey', 'yesNo', false);
    if (isKey !== undefined) item.isKey = isKey === 'true';
    const pii = choice('piiKind', 'piiKind', false);
    if (pii !== undefined) item.piiKind = pii;
    const share = choice('shareType', 'shareType', false);
    if (share !== undefined) item.shareType = share as InfoItemInputType['shareType'];
    const grade = choice('securityGrade', 'securityGrade', false);
    if (grade !== undefined) item.securityGrade = grade as InfoItemInputType['securityGrade'];
    const element = text('dataElement', false);
    if (element !== undefined) item.dataElement = element;
    if (owner) {
      owner.input.items.push(item);
      owner.items.push({ row: r.row, broken });
    }
  }
  return drafts;
}

/** The entry row an item row belongs to: by 目录序号, else by 目录编码 (of a row in the same workbook). */
function linkItem(r: SheetRow<ItemColumnKey>, byKey: Map<string, EntryDraft>, byCode: Map<string, EntryDraft>, problems: Problems): EntryDraft | undefined {
  const { entryKey, entryCode } = r.cells;
  if (entryKey === undefined && entryCode === undefined) {
    problems.item(r.row, 'entryKey', 'ITEM_ENTRY_REQUIRED', '须填写目录序号或目录编码，指明信息项所属的目录', 'Fill in 目录序号 or 目录编码 to say which entry the item belongs to');
    return undefined;
  }
  const viaKey = entryKey === undefined ? undefined : byKey.get(entryKey);
  const viaCode = entryCode === undefined ? undefined : byCode.get(entryCode);
  if (entryKey !== undefined && !viaKey) {
    problems.item(r.row, 'entryKey', 'ITEM_ENTRY_NOT_FOUND', `“目录”表中没有序号为 ${entryKey} 的目录`, `No row of the sheet 目录 has the 序号 ${entryKey}`);
    return undefined;
  }
  if (entryKey === undefined && !viaCode) {
    problems.item(r.row, 'entryCode', 'ITEM_ENTRY_NOT_FOUND', `“目录”表中没有编码为 ${entryCode} 的目录`, `No row of the sheet 目录 has the code ${entryCode}`);
    return undefined;
  }
  if (viaKey && entryCode !== undefined && viaKey.code !== entryCode) {
    problems.item(r.row, 'entryCode', 'ITEM_ENTRY_MISMATCH', `目录编码 ${entryCode} 与序号 ${entryKey} 所指的目录不一致`, `The code ${entryCode} is not that of the entry with 序号 ${entryKey}`);
    return undefined;
  }
  return viaKey ?? viaCode;
}

// ---------------------------------------------------------------- resolution and validation

async function resolveSystems(trx: Trx, providerId: string, drafts: EntryDraft[], problems: Problems): Promise<void> {
  if (!drafts.some((d) => d.systemNames.length > 0)) return;
  const { rows } = await repo.listSystems(trx, { organisationId: providerId }, { offset: 0, limit: 100_000 });
  const byName = new Map(rows.map((s) => [s.name, s.id]));
  for (const d of drafts) {
    const ids: string[] = [];
    for (const name of d.systemNames) {
      const id = byName.get(name);
      if (id) ids.push(id);
      else problems.entry(d.row, 'sourceSystems', 'SOURCE_SYSTEM_UNKNOWN', `本部门没有名为“${name}”的政务信息系统，请先登记`, `Your organisation has no information system named ${name}; register it first`);
    }
    if (ids.length > 0) d.input.sourceSystemIds = ids;
  }
}

/** Fields whose rules are skipped when the field they depend on could not be read. */
const DEPENDS_ON: Record<string, readonly string[]> = {
  shareType: ['shareMethods', 'shareCondition', 'nonShareBasis', 'items.shareType'],
  securityGrade: ['sensitivityLevel', 'items.securityGrade'],
  format: ['items'],
  category: ['category'],
  sensitivityLevel: ['sensitivityLevel'],
  shareMethods: ['shareMethods'],
};

const ENTRY_FIELD_COLUMN: Record<string, EntryColumnKey> = {
  name: 'name',
  summary: 'summary',
  resourceType: 'resourceType',
  category: 'category',
  format: 'format',
  shareType: 'shareType',
  shareCondition: 'shareCondition',
  nonShareBasis: 'nonShareBasis',
  shareMethods: 'shareMethods',
  openType: 'openType',
  updateCycle: 'updateCycle',
  securityGrade: 'securityGrade',
  sensitivityLevel: 'sensitivityLevel',
  sourceSystemIds: 'sourceSystems',
};

/** The catalog's own rules (checkEntry), each problem mapped from its field path back to a cell. */
function validate(d: EntryDraft, codes: CatalogCodeGenerator, problems: Problems): void {
  const skipped = new Set<string>();
  for (const f of d.broken) for (const dep of DEPENDS_ON[f] ?? []) skipped.add(dep);
  for (const p of checkEntry(d.input, codes)) {
    const m = /^items\[(\d+)\]\.(\w+)$/.exec(p.field);
    if (m) {
      const at = d.items[Number(m[1])]!;
      const field = m[2]! as ItemColumnKey;
      if (at.broken.has(field) || skipped.has(`items.${field}`)) continue;
      if (field === 'length' && at.broken.has('dataType')) continue;
      problems.item(at.row, (ITEM_COLUMNS.some((c) => c.key === field) ? field : 'name') as ItemColumnKey, p.code, messageZh(p, d), p.message);
      continue;
    }
    if (p.field === 'items') {
      if (skipped.has('items')) continue;
      // A missing key item is a matter of the items (是否主键); a wrong item count, of the entry.
      if (p.code === 'KEY_ITEM_REQUIRED' && d.items[0]) problems.item(d.items[0].row, 'isKey', p.code, p.messageZh, p.message);
      else problems.entry(d.row, 'name', p.code, p.messageZh, p.message);
      continue;
    }
    const field = p.field.replace(/\[\d+\]$/, '');
    if (skipped.has(field) || d.broken.has(field)) continue;
    problems.entry(d.row, ENTRY_FIELD_COLUMN[field] ?? 'name', p.code, p.messageZh, p.message);
  }
}

/** checkEntry names other items by index (“第 3 个信息项”); in a workbook, the row says more. */
function messageZh(p: EntryProblem, d: EntryDraft): string {
  if (p.code !== 'COLUMN_NAME_DUPLICATE') return p.messageZh;
  const m = /与第 (\d+) 个信息项重复/.exec(p.messageZh);
  const other = m ? d.items[Number(m[1]) - 1] : undefined;
  return other ? p.messageZh.replace(/与第 \d+ 个信息项重复/, `与“信息项”表第 ${other.row} 行重复`) : p.messageZh;
}

/**
 * `value` with its keys in the order of `like` (extra keys after): jsonb does not keep the order in which
 * keys were written, and JSON.stringify of two same-ordered objects is the cheapest deep comparison.
 */
function ordered(value: unknown, like: unknown): unknown {
  if (Array.isArray(value)) return value.map((v, i) => ordered(v, Array.isArray(like) ? (like[i] ?? like[0]) : undefined));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (like !== null && typeof like === 'object' && !Array.isArray(like)) {
    for (const k of Object.keys(like)) if (k in obj) out[k] = ordered(obj[k], (like as Record<string, unknown>)[k]);
  }
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = ordered(obj[k], undefined);
  return out;
}

const sameContent = (a: CatalogContent, b: CatalogContent): boolean => JSON.stringify(a) === JSON.stringify(ordered(readContent(b), a));

/** Decides, per row, whether it creates, updates or leaves an entry, and refuses what may not be changed. */
async function plan(trx: Trx, providerId: string, drafts: EntryDraft[], problems: Problems): Promise<Plan[]> {
  const codes = drafts.flatMap((d) => (d.code ? [d.code] : []));
  const names = new Set(drafts.flatMap((d) => (d.code ? [] : [d.input.name.trim()])));
  const namedIds = names.size === 0 ? [] : (await repo.entryNamesOfProvider(trx, providerId)).filter((e) => names.has(e.name)).map((e) => e.id);
  const found = await repo.findEntriesWithContent(trx, { ids: namedIds, codes });
  const byCode = new Map(found.map((e) => [e.code, e]));
  const byName = new Map<string, repo.EntryWithContent[]>();
  for (const e of found) {
    if (e.provider_id !== providerId || e.status === 'retired' || !names.has(e.content.name)) continue;
    byName.set(e.content.name, [...(byName.get(e.content.name) ?? []), e]);
  }

  const plans: Plan[] = [];
  const targeted = new Map<string, number>();
  const newNames = new Map<string, number>();
  for (const d of drafts) {
    let entry: repo.EntryWithContent | undefined;
    let column: EntryColumnKey;
    if (d.code) {
      column = 'code';
      entry = byCode.get(d.code);
      if (!entry) {
        problems.entry(d.row, 'code', 'CATALOG_CODE_UNKNOWN', `目录编码 ${d.code} 不存在；新增目录请将编码留空`, `There is no entry with the code ${d.code}; leave the code blank for a new entry`);
        continue;
      }
      if (entry.provider_id !== providerId) {
        problems.entry(d.row, 'code', 'NOT_PROVIDER', `目录 ${d.code} 属于其他部门，只能导入本部门的目录`, `The entry ${d.code} belongs to another organisation; import your own entries only`);
        continue;
      }
    } else {
      column = 'name';
      const matches = byName.get(d.input.name.trim()) ?? [];
      if (matches.length > 1) {
        problems.entry(d.row, 'name', 'ENTRY_NAME_AMBIGUOUS', `本部门有 ${matches.length} 条名为“${d.input.name}”的目录，请填写目录编码`, `Your organisation has ${matches.length} entries named ${d.input.name}; fill in the code`);
        continue;
      }
      entry = matches[0];
      if (!entry) {
        const first = newNames.get(d.input.name.trim());
        if (first !== undefined) {
          problems.entry(d.row, 'name', 'ENTRY_NAME_DUPLICATE', `目录名称与第 ${first} 行重复`, `The name is already used in row ${first}`);
          continue;
        }
        newNames.set(d.input.name.trim(), d.row);
      }
    }
    const content = normalise(d.input);
    if (!entry) {
      plans.push({ kind: 'create', draft: d, content });
      continue;
    }
    const first = targeted.get(entry.id);
    if (first !== undefined) {
      problems.entry(d.row, column, 'DUPLICATE_ENTRY', `与第 ${first} 行是同一条目录（${entry.code}）`, `Row ${first} already changes the same entry (${entry.code})`);
      continue;
    }
    targeted.set(entry.id, d.row);
    if (sameContent(content, entry.content)) {
      plans.push({ kind: 'unchanged', draft: d });
      continue;
    }
    if (entry.status === 'submitted' || entry.status === 'retired') {
      const zh = entry.status === 'submitted' ? '待审核' : '已撤销';
      problems.entry(d.row, column, 'ENTRY_NOT_EDITABLE', `目录 ${entry.code} 当前状态为“${zh}”，不能修改`, `The entry ${entry.code} is ${entry.status} and cannot be changed`);
      continue;
    }
    plans.push({ kind: 'update', draft: d, content, entry, newVersion: entry.status !== 'draft' });
  }
  return plans;
}

// ---------------------------------------------------------------- writing

/**
 * Writes the plans in one pipelined sequence of multi-row statements (entries, versions, version
 * pointers, ledger), each built while the previous one runs on the server. The ledger entries name
 * the content by its SM3 digest (of its RFC 8785 form): the content itself is in the version row,
 * and copying thousands of whole entries into the ledger doubled the cost of an import.
 */
async function write(
  db: Db,
  trx: Trx,
  codes: CatalogCodeGenerator,
  actor: UserActor,
  provider: { id: string; name: string; code: string },
  reviewerOrgId: string | null,
  firstSeq: number,
  plans: Plan[],
): Promise<void> {
  const events: Array<{ action: string; id: string; payload: Record<string, unknown>; content: CatalogContent }> = [];
  const newEntries: repo.NewEntryRow[] = [];
  const versions: Array<Parameters<typeof repo.copyDraftVersions>[2][number]> = [];
  const moved: Array<{ id: string; version: number }> = [];
  // Rows were read without locks (an unchanged re-import locks nothing); the ones about to change are
  // locked now and must still be as they were read, or a concurrent submit could be overwritten.
  const updates = plans.filter((p): p is Extract<Plan, { kind: 'update' }> => p.kind === 'update');
  const locked = new Map((await repo.lockEntries(trx, updates.map((p) => p.entry.id))).map((r) => [r.id, r]));
  for (const p of updates) {
    const now = locked.get(p.entry.id);
    if (!now || now.version !== p.entry.version || now.status !== p.entry.status) {
      throw new ConflictError('CATALOG_CHANGED_DURING_IMPORT', `The entry ${p.entry.code} changed while the workbook was imported; import it again`, `导入过程中目录 ${p.entry.code} 被修改，请重新导入`);
    }
  }
  let seq = firstSeq;
  for (const p of plans) {
    if (p.kind === 'create') {
      const id = crypto.randomUUID();
      const code = codes.generate({ category: p.content.category, providerCode: provider.code, sequence: seq });
      newEntries.push({ id, code, provider_id: provider.id, provider_name: provider.name, provider_code: provider.code, reviewer_org_id: reviewerOrgId, seq, status: 'draft', created_by: actor.id });
      versions.push({ entry_id: id, version: 1, content: p.content, by: actor.id, providerName: provider.name, code });
      events.push({ action: 'catalog.entry.create', id, payload: { code, version: 1, via: 'import' }, content: p.content });
      seq += 1;
    } else if (p.kind === 'update') {
      const e = p.entry;
      const version = p.newVersion ? e.version + 1 : e.version;
      if (p.newVersion) {
        versions.push({ entry_id: e.id, version, content: p.content, by: actor.id, providerName: e.provider_name, code: e.code });
        moved.push({ id: e.id, version });
      } else {
        await repo.updateVersionContent(trx, e.id, version, p.content, actor.id);
      }
      events.push({ action: 'catalog.entry.update', id: e.id, payload: { code: e.code, version, newVersion: p.newVersion, via: 'import' }, content: p.content });
    }
  }

  await repo.copyNewEntries(db, trx, newEntries);
  // The ledger's digests are made while COPY sends the versions' lines.
  const digests = new Map<string, string>();
  await repo.copyDraftVersions(db, trx, versions, (v) => digests.set(v.entry_id, sm3Hex(canonicalJson(v.content))));
  const pipe = new StatementPipeline(trx);
  for (const query of repo.draftVersionPointers(trx, moved)) await pipe.run(query);
  for (let i = 0; i < events.length; i += 1000) {
    const batch: LedgerEvent[] = events.slice(i, i + 1000).map((e) => ({
      actor,
      action: e.action,
      subject: { type: 'catalog_entry', id: e.id },
      payload: { ...e.payload, contentSm3: digests.get(e.id) ?? sm3Hex(canonicalJson(e.content)) },
    }));
    await pipe.run(ledgerBatchInsert(trx, batch));
  }
  await pipe.done();
}
