import type { MaskRule } from '../sharing.types.js';

/**
 * Masking (脱敏) of granted items as they leave the gateway: each rule keeps what identifies least
 * (issue 5, GB/T 35273 practice). Masking applies to the output only: the stored value is never
 * changed, and what is kept is counted in characters (code points), so a name with a rare character
 * outside the BMP is masked like any other.
 */

const STAR = '*';

const chars = (value: string): string[] => Array.from(value);
const stars = (n: number): string => STAR.repeat(Math.max(0, n));

/** 张三 → 张*, 欧阳娜娜 → 欧***: the first character kept, every other one a star. */
function maskName(value: string): string {
  const c = chars(value.trim());
  return c.length === 0 ? '' : c[0] + stars(c.length - 1);
}

/** The first `head` and last `tail` characters kept; a value too short to keep both is all stars. */
function keepEnds(value: string, head: number, tail: number): string {
  const c = chars(value);
  if (c.length <= head + tail) return stars(c.length);
  return c.slice(0, head).join('') + stars(c.length - head - tail) + c.slice(c.length - tail).join('');
}

/** 630102199003070011 → 630102********0011 (division kept, birth date and sequence hidden). */
function maskResidentId(value: string): string {
  return keepEnds(value.trim(), 6, 4);
}

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * A mainland mobile number (13812345678, also written +86 138 1234 5678) → 138****5678. Any other
 * form (a landline 0971-8123456, an extension) keeps its last four digits and its separators.
 */
function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  const mobile = digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
  if (MOBILE.test(mobile) && /^[\d\s+()-]+$/.test(value)) return `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
  let keep = 4;
  const out = chars(value);
  for (let i = out.length - 1; i >= 0; i--) {
    if (!/\d/.test(out[i]!)) continue;
    if (keep > 0) keep -= 1;
    else out[i] = STAR;
  }
  // Fewer than five digits: nothing would be hidden, so hide them all.
  return digits.length <= 4 ? value.replace(/\d/g, STAR) : out.join('');
}

/** 6222021234567890123 → 6222***********0123 (spaces and dashes dropped first). */
function maskBankCard(value: string): string {
  return keepEnds(value.replace(/[\s-]/g, ''), 4, 4);
}

/** zhangsan@example.org → z***@example.org. */
function maskEmail(value: string): string {
  const v = value.trim();
  const at = v.lastIndexOf('@');
  if (at <= 0) return v === '' ? '' : `${chars(v)[0]}***`;
  return `${chars(v)[0]}***@${v.slice(at + 1)}`;
}

/** A county ends within this many characters of the level above it; further on, a 区 is a street's 小区 or 园区. */
const LEVEL_WINDOW = 12;
/** 区 that is no county-level district: 自治区 and 地区 are above one, the others are places inside one. */
const NOT_DISTRICT = ['自治', '地', '小', '园', '社', '街', '景', '校', '营', '院', '片'];

/**
 * The address cut after its county-level part: 青海省西宁市城东区八一路12号 → 青海省西宁市城东区;
 * 青海省海西蒙古族藏族自治州格尔木市昆仑路5号 → 青海省海西蒙古族藏族自治州格尔木市 (a county-level 市
 * after a prefecture). The county is the first 区, 县 or 旗 (not 自治区, 地区, 小区, 园区 …) close
 * after the province and prefecture; without one, the first six characters are kept (about the
 * province and city), never the street.
 */
function maskAddress(value: string): string {
  const c = chars(value.trim());
  const before = (i: number, word: string) => c.slice(Math.max(0, i - word.length), i).join('') === word;
  // The province: up to the first 省, 自治区 or 特别行政区 near the start (absent for 北京市朝阳区).
  let start = 0;
  for (let i = 0; i < Math.min(c.length, LEVEL_WINDOW); i++) {
    if (c[i] === '省' || (c[i] === '区' && (before(i, '自治') || before(i, '特别行政')))) {
      start = i + 1;
      break;
    }
  }
  // The prefecture: the first 市, 盟, 地区, or 州 not followed by 市 (海西州, 自治州; 兰州市 is a city).
  let prefecture: number | undefined;
  for (let i = start; i < Math.min(c.length, start + LEVEL_WINDOW); i++) {
    if (c[i] === '市' || c[i] === '盟' || (c[i] === '州' && c[i + 1] !== '市') || (c[i] === '区' && before(i, '地'))) {
      prefecture = i + 1;
      break;
    }
  }
  const limit = Math.min(c.length, (prefecture ?? start) + LEVEL_WINDOW);
  for (let i = start; i < limit; i++) {
    const county = c[i] === '县' || c[i] === '旗' || (c[i] === '区' && !NOT_DISTRICT.some((w) => before(i, w)));
    // A county-level city (格尔木市) only after a prefecture; before it, a 市 is the prefecture itself.
    const countyCity = c[i] === '市' && prefecture !== undefined && i >= prefecture;
    if (county || countyCity) return c.slice(0, i + 1).join('');
  }
  return c.slice(0, 6).join('');
}

/**
 * Masks one value by a rule: `none` gives it back as stored, `redact` gives null, every other rule
 * gives a string (a number is masked as its text). Null stays null.
 *
 * @example
 *   mask('name', '张三')                  // '张*'
 *   mask('resident_id', '630102199003070011') // '630102********0011'
 *   mask('phone', '13812345678')          // '138****5678'
 */
export function mask(rule: MaskRule, value: string | null): string | null {
  if (value === null) return null;
  switch (rule) {
    case 'none':
      return value;
    case 'redact':
      return null;
    case 'name':
      return maskName(value);
    case 'resident_id':
      return maskResidentId(value);
    case 'phone':
      return maskPhone(value);
    case 'bank_card':
      return maskBankCard(value);
    case 'email':
      return maskEmail(value);
    case 'address':
      return maskAddress(value);
  }
}

/** For a record's value of any JSON type: `none` keeps it as it is (a number stays a number). */
export function maskValue(rule: MaskRule, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (rule === 'none') return value;
  return mask(rule, typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * A record as a grant shows it: only `columns` (granted items, in that order), each masked by its
 * rule (an item without a rule is `redact`ed — a grant that forgot a rule shows nothing rather than
 * everything).
 */
export function maskRecord(record: Record<string, unknown>, columns: readonly string[], masking: Readonly<Record<string, MaskRule>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column] = maskValue(masking[column] ?? 'redact', record[column]);
  return out;
}
