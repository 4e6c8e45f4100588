import type { EntryProblem } from './catalog.errors.js';
import type { CatalogCodeGenerator } from './catalog.codes.js';
import type { CatalogEntryInputType } from './catalog.schemas.js';

/** PII kinds after GB/T 35273 (个人信息) plus organisation identifiers that are often masked. */
export const PII_KINDS = [
  'resident_id',
  'passport',
  'name',
  'phone',
  'email',
  'address',
  'bank_card',
  'licence_plate',
  'biometric',
  'health',
  'location',
  'uscc',
  'org_code',
  // A GB/T 2260 division code (of a residence, a registration, …): location at county grain.
  'division_code',
] as const;

export const MAX_ITEMS = 500;
export const COLUMN_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Column names become column names of aggregated tables (schema `data`), so PostgreSQL's reserved
 * key words and its system columns are refused. `id` is allowed: it is a common business key, and the
 * platform's own columns in aggregated tables start with `_`, which a column here cannot.
 */
const RESERVED_COLUMNS = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except',
  'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into',
  'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user',
  'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where',
  'window', 'with',
  // system columns
  'oid', 'tableoid', 'xmin', 'xmax', 'cmin', 'cmax', 'ctid',
]);

const OPENNESS = { none: 0, conditional: 1, unconditional: 2 } as const;
const GRADE_RANK = { general: 0, important: 1, core: 2 } as const;
/** Data elements (数据元) are named by identifiers such as DE00001 or 0102000001: letters, digits, . _ - */
export const DATA_ELEMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const p = (code: string, field: string, message: string, messageZh: string): EntryProblem => ({ code, field, message, messageZh });
const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/**
 * Every rule a reviewer would otherwise check by hand; returns all problems, not just the first.
 * Source systems are checked by the service (they need the database).
 */
export function checkEntry(input: CatalogEntryInputType, codes: CatalogCodeGenerator): EntryProblem[] {
  const out: EntryProblem[] = [];
  const category = codes.checkCategory(input.category);
  if (category) out.push(p('CATEGORY_INVALID', 'category', category.message, category.messageZh));
  if (input.shareType === 'none' && blank(input.nonShareBasis)) {
    out.push(p('NON_SHARE_BASIS_REQUIRED', 'nonShareBasis', 'An entry that is not shared must state its legal basis', '不予共享的目录须填写不予共享依据'));
  }
  if (input.shareType === 'conditional' && blank(input.shareCondition)) {
    out.push(p('SHARE_CONDITION_REQUIRED', 'shareCondition', 'Conditional sharing needs its condition', '有条件共享的目录须填写共享条件'));
  }
  if (input.shareType !== 'none' && input.shareMethods.length === 0) {
    out.push(p('SHARE_METHODS_REQUIRED', 'shareMethods', 'A shared entry needs at least one share method', '共享的目录须至少选择一种共享方式'));
  }
  if (new Set(input.shareMethods).size !== input.shareMethods.length) {
    out.push(p('SHARE_METHODS_DUPLICATE', 'shareMethods', 'Share methods are listed twice', '共享方式重复'));
  }
  if (input.sensitivityLevel !== undefined) {
    if (input.securityGrade !== 'general') {
      out.push(p('SENSITIVITY_LEVEL_NOT_ALLOWED', 'sensitivityLevel', 'Sensitivity levels 1–4 apply to general data only', '敏感级别仅适用于一般数据'));
    } else if (input.sensitivityLevel < 1 || input.sensitivityLevel > 4) {
      out.push(p('SENSITIVITY_LEVEL_INVALID', 'sensitivityLevel', 'The sensitivity level is 1 to 4', '敏感级别须为 1–4'));
    }
  }
  if (input.items.length < 1 || input.items.length > MAX_ITEMS) {
    out.push(p('ITEM_COUNT_INVALID', 'items', `An entry has 1 to ${MAX_ITEMS} info items`, `目录须有 1–${MAX_ITEMS} 个信息项`));
  }
  if (input.format === 'table' && input.items.length > 0 && !input.items.some((i) => i.isKey)) {
    out.push(p('KEY_ITEM_REQUIRED', 'items', 'A table entry needs at least one key item (isKey)', '库表类目录须至少有一个主键信息项'));
  }
  const seen = new Map<string, number>();
  input.items.forEach((item, i) => {
    const at = (f: string) => `items[${i}].${f}`;
    if (!COLUMN_PATTERN.test(item.column)) {
      out.push(p('COLUMN_NAME_INVALID', at('column'), `${item.column} must be lower-case letters, digits and _, starting with a letter, at most 63 characters`, `字段名 ${item.column} 须以小写字母开头，仅含小写字母、数字和下划线，不超过 63 位`));
    } else if (RESERVED_COLUMNS.has(item.column)) {
      out.push(p('COLUMN_NAME_RESERVED', at('column'), `${item.column} is a reserved word`, `字段名 ${item.column} 是保留字`));
    }
    const first = seen.get(item.column);
    if (first !== undefined) {
      out.push(p('COLUMN_NAME_DUPLICATE', at('column'), `${item.column} is already used by items[${first}]`, `字段名 ${item.column} 与第 ${first + 1} 个信息项重复`));
    } else {
      seen.set(item.column, i);
    }
    const lengthProblem = checkLength(item.dataType, item.length);
    if (lengthProblem) out.push(p(lengthProblem.code, at('length'), lengthProblem.message, lengthProblem.messageZh));
    if (item.piiKind !== undefined && !(PII_KINDS as readonly string[]).includes(item.piiKind)) {
      out.push(p('PII_KIND_UNKNOWN', at('piiKind'), `${item.piiKind} is not one of ${PII_KINDS.join(', ')}`, `个人信息类型 ${item.piiKind} 不在允许范围内`));
    }
    if (item.shareType !== undefined && OPENNESS[item.shareType] > OPENNESS[input.shareType]) {
      out.push(p('ITEM_SHARE_TOO_OPEN', at('shareType'), `An item cannot be shared more openly (${item.shareType}) than its entry (${input.shareType})`, '信息项的共享类型不能比目录更开放'));
    }
    if (item.securityGrade !== undefined && GRADE_RANK[item.securityGrade] > GRADE_RANK[input.securityGrade]) {
      out.push(p('ITEM_GRADE_ABOVE_ENTRY', at('securityGrade'), `An item cannot be graded higher (${item.securityGrade}) than its entry (${input.securityGrade})`, '信息项的安全级别不能高于目录的安全级别'));
    }
    if (!blank(item.dataElement) && !DATA_ELEMENT_PATTERN.test(item.dataElement!.trim())) {
      out.push(p('DATA_ELEMENT_INVALID', at('dataElement'), `${item.dataElement} is not a data element identifier (letters, digits, . _ -)`, `数据元标识 ${item.dataElement} 格式不正确（字母、数字及 . _ -）`));
    }
  });
  return out;
}

/**
 * string: length 1–4000 characters, required; decimal: length is the precision, 1–38, required;
 * binary: optional maximum size in bytes (≥ 1); integer, date, datetime, boolean: no length.
 */
function checkLength(dataType: string, length: number | undefined): { code: string; message: string; messageZh: string } | undefined {
  const range = (min: number, max: number) =>
    length !== undefined && (length < min || length > max)
      ? { code: 'LENGTH_INVALID', message: `A ${dataType} length is ${min} to ${max}`, messageZh: `${dataType} 类型的长度须为 ${min}–${max}` }
      : undefined;
  switch (dataType) {
    case 'string':
      if (length === undefined) return { code: 'LENGTH_REQUIRED', message: 'A string item needs a length (1–4000)', messageZh: '字符型信息项须填写长度（1–4000）' };
      return range(1, 4000);
    case 'decimal':
      if (length === undefined) return { code: 'LENGTH_REQUIRED', message: 'A decimal item needs its precision as length (1–38)', messageZh: '数值型信息项须以长度填写精度（1–38）' };
      return range(1, 38);
    case 'binary':
      return range(1, 2_147_483_647);
    default:
      return length === undefined
        ? undefined
        : { code: 'LENGTH_NOT_ALLOWED', message: `A ${dataType} item has no length`, messageZh: `${dataType} 类型的信息项不填写长度` };
  }
}
