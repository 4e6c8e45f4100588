import { COPY_NULL, copyField } from '../../../core/db/copy.js';
import type { InfoItem } from '../../catalog/catalog.types.js';
import { USCC_ALPHABET, completeResidentId, isValidDivisionCode, isValidOrgCode, isValidResidentId } from '../../../core/codes/index.js';

/**
 * Value checks for loading `table` resources: every value is checked against its info item and
 * turned into PostgreSQL's COPY text format in one step.
 *
 * These run for every cell of every load (12 million calls for a 1,000,000-row, 12-column file), so
 * the shape of the code is chosen for speed: a checker is compiled once per column, the common path
 * is charCodeAt loops rather than regular expressions, values that need no change are returned as
 * they came (no allocation), and problems are frozen instances shared per column and code — their
 * messages name the item but never echo the value, which also keeps ID numbers out of load reports.
 */

export type DataType = InfoItem['dataType'];

/** The part of an info item that decides how its values are checked and stored. */
export interface ColumnSpec {
  name: string;
  column: string;
  dataType: DataType;
  length: number | null;
  isKey: boolean;
  piiKind: string | null;
}

/** Why a value was refused; the loader adds the row and the column. */
export class ValueProblem {
  readonly code: string;
  readonly message: string;
  readonly messageZh: string;

  constructor(code: string, message: string, messageZh: string) {
    this.code = code;
    this.message = message;
    this.messageZh = messageZh;
  }
}

export type ValueChecker = (raw: string | null | undefined) => string | ValueProblem;
export type JsonValueChecker = (value: unknown) => string | ValueProblem;

// COPY's text format (\N for null, escapes) is core/db/copy.ts's; the checkers below inline its escaping.
export { COPY_NULL };

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

type ProblemMaker = (code: string, message: string, messageZh: string) => ValueProblem;

function problemMaker(spec: ColumnSpec): ProblemMaker {
  return (code, message, messageZh) =>
    Object.freeze(new ValueProblem(code, `${spec.name} (${spec.column}): ${message}`, `“${spec.name}”${messageZh}`));
}

/** What every checker of a column shares: the answer for an empty value and for a NUL character. */
interface Common {
  spec: ColumnSpec;
  p: ProblemMaker;
  /** '\N', or VALUE_REQUIRED for a key item. */
  empty: string | ValueProblem;
  control: ValueProblem;
}

function common(spec: ColumnSpec): Common {
  const p = problemMaker(spec);
  return {
    spec,
    p,
    empty: spec.isKey ? p('VALUE_REQUIRED', 'is a key item and needs a value', '是主键，不能为空') : COPY_NULL,
    control: p('VALUE_CONTROL_CHAR', 'contains a NUL character, which PostgreSQL cannot store', '含有无法存储的空字符（NUL）'),
  };
}

// The whitespace String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator), tested
// by hand so that a value without surrounding space is returned without calling trim at all.
export function isTrimmable(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0x3000 || c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f
  );
}

/** The value without surrounding whitespace (U+3000 included); '' for null and undefined. */
function trimmed(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return '';
  const n = raw.length;
  if (n === 0) return raw;
  return isTrimmable(raw.charCodeAt(0)) || isTrimmable(raw.charCodeAt(n - 1)) ? raw.trim() : raw;
}

/** A refused typed value is reported as VALUE_CONTROL_CHAR when a NUL is the reason; looked for only after refusal. */
function refuse(s: string, c: Common, problem: ValueProblem): ValueProblem {
  return s.indexOf('\u0000') === -1 ? problem : c.control;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function codePointLength(s: string): number {
  const n = s.length;
  let count = n;
  for (let i = 0; i < n - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

function hasLowerAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) return true;
  }
  return false;
}

const PAIRS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
function pad2(n: number): string {
  return PAIRS[n] ?? String(n);
}

// ---------------------------------------------------------------------------------------------
// COPY text escaping
// ---------------------------------------------------------------------------------------------

const HAS_NUL = -1;

/**
 * The index of the first character COPY needs escaped, HAS_NUL when there is a NUL before it, or
 * s.length when the value goes out as it is. Only backslash, tab, LF and CR are special in COPY's text
 * format (with a tab delimiter); other control characters are stored as they are.
 */
function firstSpecial(s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || c === 0x09 || c === 0x0a || c === 0x0d) return i;
    if (c === 0) return HAS_NUL;
  }
  return n;
}

/** Escapes s from index `from` on (the first special character); null when a NUL follows. */
function escapeFrom(s: string, from: number): string | null {
  const n = s.length;
  let out = s.slice(0, from);
  let last = from;
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    let replacement: string;
    if (c === 0x5c) replacement = '\\\\';
    else if (c === 0x09) replacement = '\\t';
    else if (c === 0x0a) replacement = '\\n';
    else if (c === 0x0d) replacement = '\\r';
    else if (c === 0) return null;
    else continue;
    out += s.slice(last, i) + replacement;
    last = i + 1;
  }
  return out + s.slice(last);
}

/**
 * A value in COPY text format without any check: \N for null; backslash, tab, LF and CR escaped.
 * Throws a RangeError for a NUL character, which no PostgreSQL text value can hold — better here, with
 * a clear message, than as an encoding error that aborts the COPY.
 */
export function copyText(value: string | null): string {
  if (value !== null && value.includes('\0')) throw new RangeError('a NUL character cannot be stored in a PostgreSQL text value');
  return copyField(value);
}

// ---------------------------------------------------------------------------------------------
// string (and PII kinds)
// ---------------------------------------------------------------------------------------------

function tooLongProblem(c: Common, max: number): ValueProblem {
  return c.p('VALUE_TOO_LONG', `is longer than ${max} characters`, `超过 ${max} 个字符`);
}

function plainStringChecker(c: Common): ValueChecker {
  const { empty, control } = c;
  // Without a length nothing is too long, and tooLong is never returned.
  const limit = c.spec.length ?? Infinity;
  const tooLong = tooLongProblem(c, limit);
  return (raw) => {
    const s = trimmed(raw);
    const n = s.length;
    if (n === 0) return empty;
    // UTF-16 units ≥ code points, so counting is needed only past the limit.
    if (n > limit && codePointLength(s) > limit) return refuse(s, c, tooLong);
    const at = firstSpecial(s);
    if (at === n) return s;
    if (at === HAS_NUL) return control;
    return escapeFrom(s, at) ?? control;
  };
}

/**
 * A check of one PII kind: gets a trimmed, non-empty value and returns the normalised value (which
 * needs no COPY escaping) or a problem.
 */
type PiiCheck = (s: string) => string | ValueProblem;

function piiStringChecker(c: Common, check: PiiCheck): ValueChecker {
  const { empty } = c;
  // Without a length nothing is too long, and tooLong is never returned.
  const limit = c.spec.length ?? Infinity;
  const tooLong = tooLongProblem(c, limit);
  return (raw) => {
    const s = trimmed(raw);
    if (s.length === 0) return empty;
    const out = check(s);
    if (typeof out !== 'string') return refuse(s, c, out);
    if (out.length > limit && codePointLength(out) > limit) return tooLong;
    return out;
  };
}

// --- resident_id -----------------------------------------------------------------------------

// GB 11643 / ISO 7064 MOD 11-2: weight 2^(17-i) mod 11 for position i, check character by sum mod 11.
export const RID_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);
export const RID_CHECK = '10X98765432';
// Same floor as src/core/codes/resident-id.ts (EARLIEST_BIRTH); the tests hold the two together.
export const RID_EARLIEST_BIRTH = 18000101;

let ridProvinces: Uint8Array | undefined;

/**
 * Province prefixes accepted by the core rule, found by asking isValidResidentId once per prefix:
 * the core keeps the list private, and asking keeps one source of truth instead of a copy.
 */
export function residentIdProvinces(): Uint8Array {
  if (ridProvinces !== undefined) return ridProvinces;
  const table = new Uint8Array(100);
  for (let p = 0; p < 100; p++) table[p] = isValidResidentId(completeResidentId(`${pad2(p)}010119900101001`)) ? 1 : 0;
  ridProvinces = table;
  return table;
}

// Today in China as YYYYMMDD. China has kept UTC+8 all year since 1991, so no time-zone database is
// needed. Cached: it only grows, so it is recomputed only when a birth date lies beyond it.
let chinaTodayCache = 0;
export function chinaToday(): number {
  const d = new Date(Date.now() + 8 * 3_600_000);
  chinaTodayCache = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  return chinaTodayCache;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The same rule as isValidResidentId (src/core/codes), which is far too slow for this loop (it
 * formats "today" with Intl on every call: about 150,000 calls/s). The tests compare the two on
 * thousands of generated numbers.
 */
function residentIdCheck(c: Common): PiiCheck {
  const provinces = residentIdProvinces();
  const format = c.p('RESIDENT_ID_INVALID', 'must be 18 characters: 17 digits and a digit or X', '应为18位：17位数字加1位数字或X');
  const province = c.p('RESIDENT_ID_INVALID', 'the first two digits are not a province code', '前两位不是省级行政区划代码');
  const birth = c.p('RESIDENT_ID_INVALID', 'the birth date is not a real date (from 1800 to today)', '出生日期无效（应为1800年至今的真实日期）');
  const check = c.p('RESIDENT_ID_INVALID', 'the check character is wrong', '校验位错误');
  return (s) => {
    if (s.length !== 18) return format;
    let sum = 0;
    for (let i = 0; i < 17; i++) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return format;
      sum += d * (RID_WEIGHTS[i] ?? 0);
    }
    const last = s.charCodeAt(17);
    const lowerX = last === 0x78;
    if (!isDigit(last) && last !== 0x58 && !lowerX) return format;
    if (provinces[(s.charCodeAt(0) - 0x30) * 10 + s.charCodeAt(1) - 0x30] !== 1) return province;
    const year = (s.charCodeAt(6) - 0x30) * 1000 + (s.charCodeAt(7) - 0x30) * 100 + (s.charCodeAt(8) - 0x30) * 10 + s.charCodeAt(9) - 0x30;
    const month = (s.charCodeAt(10) - 0x30) * 10 + s.charCodeAt(11) - 0x30;
    const day = (s.charCodeAt(12) - 0x30) * 10 + s.charCodeAt(13) - 0x30;
    const date = year * 10000 + month * 100 + day;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || date < RID_EARLIEST_BIRTH) return birth;
    if (date > chinaTodayCache && date > chinaToday()) return birth;
    if (RID_CHECK.charCodeAt(sum % 11) !== (lowerX ? 0x58 : last)) return check;
    return lowerX ? `${s.slice(0, 17)}X` : s;
  };
}

// --- uscc, org_code, division_code -----------------------------------------------------------

// GB 32100: a character's value is its index in the core's alphabet (digits and capitals without
// I, O, S, V, Z); position i weighs 3^i mod 31. In the table, lower-case letters carry LOWER on top
// of the value (they are accepted and upper-cased) and characters outside the alphabet are 255.
// (A local copy of the alphabet: an imported binding is read through a getter once transpiled.)
const ALPHABET = USCC_ALPHABET;
const LOWER = 64;
const USCC_VALUE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) {
  const ch = ALPHABET.charCodeAt(i);
  USCC_VALUE[ch] = i;
  if (ch >= 0x41) USCC_VALUE[ch + 0x20] = i + LOWER;
}
const USCC_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);

function usccCheck(c: Common): PiiCheck {
  const format = c.p(
    'USCC_INVALID',
    'must be 18 characters of digits and capital letters (not I, O, S, V, Z), with digits in places 3–8',
    '应为18位，由数字和大写字母（不含I、O、S、V、Z）组成，第3–8位为数字',
  );
  const check = c.p('USCC_INVALID', 'the check character is wrong', '校验位错误');
  // The same rule as isValidUscc (src/core/codes), done in one pass: the core's regular expressions
  // and indexOf cost about 0.5 µs a value, a tenth of a row's budget. The tests compare the two.
  return (s) => {
    if (s.length !== 18) return format;
    let sum = 0;
    let lower = 0;
    for (let i = 0; i < 17; i++) {
      const ch = s.charCodeAt(i);
      const entry = ch < 128 ? (USCC_VALUE[ch] ?? 255) : 255;
      if (entry === 255 || (i >= 2 && i < 8 && entry > 9)) return format;
      lower |= entry;
      sum += (entry & (LOWER - 1)) * (USCC_WEIGHTS[i] ?? 0);
    }
    const ch = s.charCodeAt(17);
    const last = ch < 128 ? (USCC_VALUE[ch] ?? 255) : 255;
    if (last === 255) return format;
    if ((31 - (sum % 31)) % 31 !== (last & (LOWER - 1))) return check;
    return ((lower | last) & LOWER) === 0 ? s : s.toUpperCase();
  };
}

const ORG_CODE_SHAPE = /^[0-9A-Z]{8}-?[0-9X]$/;

function orgCodeCheck(c: Common): PiiCheck {
  const format = c.p('ORG_CODE_INVALID', 'must be 8 digits or capital letters and a check character (XXXXXXXX-X)', '应为8位数字或大写字母加1位校验码（XXXXXXXX-X）');
  const check = c.p('ORG_CODE_INVALID', 'the check character is wrong', '校验码错误');
  return (input) => {
    const s = hasLowerAscii(input) ? input.toUpperCase() : input;
    if (!ORG_CODE_SHAPE.test(s)) return format;
    if (!isValidOrgCode(s)) return check;
    // Stored in the printed form, the one completeOrgCode gives, so that keys compare equal.
    return s.length === 10 ? s : `${s.slice(0, 8)}-${s.slice(8)}`;
  };
}

// isValidDivisionCode copies a record per call; there are only ~3,300 codes, so answers are kept.
// Bounded: a file of random six-digit numbers must not grow it without end.
const divisionMemo = new Map<string, boolean>();
const DIVISION_MEMO_LIMIT = 20_000;

function divisionCodeCheck(c: Common): PiiCheck {
  const invalid = c.p('DIVISION_CODE_INVALID', 'is not a current 6-digit administrative division code (GB/T 2260)', '不是现行的6位行政区划代码（GB/T 2260）');
  return (s) => {
    if (s.length !== 6) return invalid;
    for (let i = 0; i < 6; i++) if (!isDigit(s.charCodeAt(i))) return invalid;
    let known = divisionMemo.get(s);
    if (known === undefined) {
      known = isValidDivisionCode(s);
      if (divisionMemo.size >= DIVISION_MEMO_LIMIT) divisionMemo.clear();
      divisionMemo.set(s, known);
    }
    return known ? s : invalid;
  };
}

// --- phone, email, bank_card -----------------------------------------------------------------

const PHONE_IGNORED = /[\s-]/g;
const SPACES = /\s/g;
const HAS_SPACE = /\s/;
const MOBILE = /^(?:\+?86)?(1[3-9]\d{9})$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$/;

function phoneCheck(c: Common): PiiCheck {
  const invalid = c.p(
    'PHONE_INVALID',
    'is neither a mainland mobile number (11 digits from 13–19, optionally +86) nor a landline (0 + area code, 7–8 digits, optional extension)',
    '不是有效的手机号码（以13–19开头的11位数字，可带+86）或固定电话号码（0开头的区号加7–8位号码，可带分机号）',
  );
  return (s) => {
    const n = s.length;
    // The common case, 11 plain digits of a mobile number, without a regular expression.
    if (n === 11 && s.charCodeAt(0) === 0x31 && s.charCodeAt(1) >= 0x33) {
      let i = 1;
      while (i < 11 && isDigit(s.charCodeAt(i))) i++;
      if (i === 11) return s;
    }
    const mobile = MOBILE.exec(s.replace(PHONE_IGNORED, ''));
    if (mobile !== null) return mobile[1] ?? invalid;
    const landline = s.replace(SPACES, '');
    return LANDLINE.test(landline) ? landline : invalid;
  };
}

// Characters that never appear unquoted in a practical address (and never in a value we store
// unescaped: backslash). Quoted local parts are not accepted.
function isEmailForbidden(c: number): boolean {
  return (
    c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3a || c === 0x3b ||
    c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5c || c === 0x5d || c === 0x3000 || c === 0xa0
  );
}

/**
 * local@domain.tld, pragmatically: one @; a local part of 1–64 characters without spaces or
 * specials and no empty dot-separated piece; a domain of at least two labels (letters, digits,
 * hyphens inside, or non-ASCII for internationalised names) whose last label has 2+ letters.
 */
function isEmail(s: string): boolean {
  const n = s.length;
  if (n > 254) return false;
  const at = s.indexOf('@');
  if (at < 1 || at > 64 || at === n - 1) return false;
  let previous = 0x2e; // a leading dot counts as an empty piece
  for (let i = 0; i < at; i++) {
    const c = s.charCodeAt(i);
    if (isEmailForbidden(c) || (c === 0x2e && previous === 0x2e)) return false;
    previous = c;
  }
  if (previous === 0x2e) return false;
  let labelStart = at + 1;
  let labels = 0;
  let tldLetters = true;
  for (let i = at + 1; i <= n; i++) {
    const c = i === n ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      const length = i - labelStart;
      if (length < 1 || length > 63) return false;
      if (s.charCodeAt(labelStart) === 0x2d || s.charCodeAt(i - 1) === 0x2d) return false;
      labels++;
      if (i === n && (length < 2 || !tldLetters)) return false;
      labelStart = i + 1;
      tldLetters = true;
      continue;
    }
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x80 && !isEmailForbidden(c));
    if (!letter && !isDigit(c) && c !== 0x2d) return false;
    if (!letter) tldLetters = false;
  }
  return labels >= 2;
}

function emailCheck(c: Common): PiiCheck {
  const invalid = c.p('EMAIL_INVALID', 'is not an email address (name@example.cn)', '不是有效的电子邮箱地址（如 name@example.cn）');
  return (s) => (isEmail(s) ? s : invalid);
}

function bankCardCheck(c: Common): PiiCheck {
  const format = c.p('BANK_CARD_INVALID', 'must be 12–19 digits', '应为12–19位数字');
  const check = c.p('BANK_CARD_INVALID', 'the check digit is wrong (Luhn)', '校验位错误（Luhn）');
  return (input) => {
    const s = HAS_SPACE.test(input) ? input.replace(SPACES, '') : input;
    const n = s.length;
    if (n < 12 || n > 19) return format;
    // Luhn: from the right, every second digit doubled (minus 9 above 9).
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let d = s.charCodeAt(n - 1 - i) - 0x30;
      if (d < 0 || d > 9) return format;
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return sum % 10 === 0 ? s : check;
  };
}

function stringChecker(c: Common): ValueChecker {
  switch (c.spec.piiKind) {
    case 'resident_id':
      return piiStringChecker(c, residentIdCheck(c));
    case 'uscc':
      return piiStringChecker(c, usccCheck(c));
    case 'org_code':
      return piiStringChecker(c, orgCodeCheck(c));
    case 'division_code':
      return piiStringChecker(c, divisionCodeCheck(c));
    case 'phone':
      return piiStringChecker(c, phoneCheck(c));
    case 'email':
      return piiStringChecker(c, emailCheck(c));
    case 'bank_card':
      return piiStringChecker(c, bankCardCheck(c));
    default:
      return plainStringChecker(c);
  }
}

// ---------------------------------------------------------------------------------------------
// integer, decimal
// ---------------------------------------------------------------------------------------------

const INT8_MAX = '9223372036854775807';
const INT8_MIN_ABS = '9223372036854775808';

const INT_OK = 0;
const INT_INVALID = 1;
const INT_OUT_OF_RANGE = 2;
const INT_TOO_MANY_DIGITS = 3;

/** Optional sign and digits, within bigint and within maxDigits significant digits. */
function classifyInteger(s: string, maxDigits: number | null): number {
  const n = s.length;
  const first = s.charCodeAt(0);
  const negative = first === 0x2d;
  let i = negative || first === 0x2b ? 1 : 0;
  if (i === n) return INT_INVALID;
  for (let j = i; j < n; j++) if (!isDigit(s.charCodeAt(j))) return INT_INVALID;
  while (i < n - 1 && s.charCodeAt(i) === 0x30) i++;
  const digits = n - i;
  if (maxDigits !== null && digits > maxDigits) return INT_TOO_MANY_DIGITS;
  if (digits < 19) return INT_OK;
  if (digits > 19) return INT_OUT_OF_RANGE;
  const limit = negative ? INT8_MIN_ABS : INT8_MAX;
  for (let k = 0; k < 19; k++) {
    const d = s.charCodeAt(i + k) - limit.charCodeAt(k);
    if (d !== 0) return d > 0 ? INT_OUT_OF_RANGE : INT_OK;
  }
  return INT_OK;
}

function integerChecker(c: Common): ValueChecker {
  const { empty } = c;
  const max = c.spec.length;
  const invalid = c.p('INTEGER_INVALID', 'is not an integer (digits with an optional sign)', '不是整数（数字，可带正负号）');
  const range = c.p('INTEGER_OUT_OF_RANGE', 'is outside the 64-bit integer range', '超出64位整数的范围');
  const digits = max === null ? range : c.p('INTEGER_OUT_OF_RANGE', `has more than ${max} digits`, `超过 ${max} 位数字`);
  return (raw) => {
    const s = trimmed(raw);
    if (s.length === 0) return empty;
    const kind = classifyInteger(s, max);
    if (kind === INT_OK) return s;
    if (kind === INT_INVALID) return refuse(s, c, invalid);
    return kind === INT_OUT_OF_RANGE ? range : digits;
  };
}

const DEC_INVALID = -1;

// Set by decimalDigits: whether the separators must be removed (a module variable, not a tuple per value).
let decimalHasSeparators = false;

/**
 * [+-]digits[.digits] with optional thousands separators in groups of three ("1,234.5"); returns
 * the number of digits (leading zeros of the integer part do not count) or DEC_INVALID.
 */
function decimalDigits(s: string): number {
  const n = s.length;
  const first = s.charCodeAt(0);
  let i = first === 0x2d || first === 0x2b ? 1 : 0;
  const start = i;
  let group = 0; // digits since the last separator
  let separators = false;
  let significant = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      group++;
      if (significant > 0 || c !== 0x30) significant++;
    } else if (c === 0x2c) {
      // The first group has 1–3 digits, every later one exactly 3.
      if (separators ? group !== 3 : group < 1 || group > 3) return DEC_INVALID;
      separators = true;
      group = 0;
    } else break;
  }
  if (i === start || group === 0 || (separators && group !== 3)) return DEC_INVALID;
  if (i < n) {
    if (s.charCodeAt(i) !== 0x2e || i === n - 1) return DEC_INVALID;
    for (i++; i < n; i++) {
      if (!isDigit(s.charCodeAt(i))) return DEC_INVALID;
      significant++;
    }
  }
  decimalHasSeparators = separators;
  return significant;
}

const THOUSANDS = /,/g;

function decimalChecker(c: Common): ValueChecker {
  const { empty } = c;
  const max = c.spec.length;
  const invalid = c.p(
    'DECIMAL_INVALID',
    'is not a decimal number (digits with an optional sign and decimal point, thousands separators only in groups of three, no exponent)',
    '不是有效的数值（数字，可带正负号和小数点；千位分隔符须每三位一组；不能用科学计数法）',
  );
  const tooMany = max === null ? invalid : c.p('DECIMAL_INVALID', `has more than ${max} digits`, `超过 ${max} 位数字`);
  return (raw) => {
    const s = trimmed(raw);
    if (s.length === 0) return empty;
    const digits = decimalDigits(s);
    if (digits === DEC_INVALID) return refuse(s, c, invalid);
    if (max !== null && digits > max) return tooMany;
    return decimalHasSeparators ? s.replace(THOUSANDS, '') : s;
  };
}

// ---------------------------------------------------------------------------------------------
// date, datetime
// ---------------------------------------------------------------------------------------------

// Results of parseDate besides its return value, kept in module variables so that no tuple is
// allocated per value (the checkers are synchronous, so nothing can interleave).
let dateEnd = 0;
let dateCanonical = false;
let digitsEnd = 0;

/** One or two digits at i; their value, or -1. Sets digitsEnd. */
function oneOrTwoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  if (!(a >= 0 && a <= 9)) return -1;
  const b = s.charCodeAt(i + 1) - 0x30;
  if (b >= 0 && b <= 9) {
    digitsEnd = i + 2;
    return a * 10 + b;
  }
  digitsEnd = i + 1;
  return a;
}

const YEAR_CHAR = 0x5e74; // 年
const MONTH_CHAR = 0x6708; // 月
const DAY_CHAR = 0x65e5; // 日

/**
 * A date at the start of s in one of the accepted forms: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (one or
 * two digits for month and day), YYYYMMDD, YYYY年M月D日. Returns YYYYMMDD as a number or -1; sets
 * dateEnd to the index after it and dateCanonical when it is written YYYY-MM-DD already.
 */
function parseDate(s: string): number {
  const n = s.length;
  if (n < 8) return -1;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    year = year * 10 + d;
  }
  if (year < 1000) return -1;
  const sep = s.charCodeAt(4);
  let month: number;
  let day: number;
  if (isDigit(sep)) {
    month = -1;
    day = -1;
    const m1 = s.charCodeAt(5) - 0x30;
    const d0 = s.charCodeAt(6) - 0x30;
    const d1 = s.charCodeAt(7) - 0x30;
    if (m1 >= 0 && m1 <= 9 && d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9) {
      month = (sep - 0x30) * 10 + m1;
      day = d0 * 10 + d1;
    }
    dateEnd = 8;
    dateCanonical = false;
  } else if (sep === 0x2d || sep === 0x2f || sep === 0x2e || sep === YEAR_CHAR) {
    month = oneOrTwoDigits(s, 5);
    if (month < 0) return -1;
    const monthEnd = digitsEnd;
    if (s.charCodeAt(monthEnd) !== (sep === YEAR_CHAR ? MONTH_CHAR : sep)) return -1;
    day = oneOrTwoDigits(s, monthEnd + 1);
    if (day < 0) return -1;
    dateEnd = digitsEnd;
    if (sep === YEAR_CHAR) {
      if (s.charCodeAt(dateEnd) !== DAY_CHAR) return -1;
      dateEnd++;
    }
    dateCanonical = sep === 0x2d && dateEnd === 10;
  } else return -1;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  return year * 10000 + month * 100 + day;
}

function formatDate(s: string, date: number): string {
  return `${s.slice(0, 4)}-${pad2(Math.floor(date / 100) % 100)}-${pad2(date % 100)}`;
}

const DATE_FORMS_EN = 'YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD or YYYY年M月D日, years 1000–9999';
const DATE_FORMS_ZH = 'YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYYMMDD 或 YYYY年M月D日，年份1000–9999';

function dateChecker(c: Common): ValueChecker {
  const { empty } = c;
  const invalid = c.p('DATE_INVALID', `is not a real date (${DATE_FORMS_EN})`, `不是有效日期（${DATE_FORMS_ZH}）`);
  return (raw) => {
    const s = trimmed(raw);
    if (s.length === 0) return empty;
    const date = parseDate(s);
    if (date < 0 || dateEnd !== s.length) return refuse(s, c, invalid);
    return dateCanonical ? s : formatDate(s, date);
  };
}

/** Asia/Shanghai, which has had no daylight saving time since 1991. */
const DEFAULT_OFFSET = '+08:00';

/**
 * A date form as above, T or a space, H:MM or HH:MM, optional :SS and .fraction (1–9 digits), and
 * an optional zone: Z, ±HH:MM or ±HHMM (up to ±14:00). Returns ISO 8601 with an offset
 * (YYYY-MM-DDTHH:MM:SS[.f]±HH:MM), +08:00 when no zone was given; null when not valid.
 */
function normaliseDatetime(s: string): string | null {
  const n = s.length;
  const date = parseDate(s);
  if (date < 0) return null;
  const dateIsCanonical = dateCanonical;
  let i = dateEnd;
  const t = s.charCodeAt(i);
  if (t !== 0x54 && t !== 0x20) return null;
  // The time is canonical when written HH:MM:SS[.f]; the whole value when date, T, time and a
  // ±HH:MM zone all are, and then it is returned as it came.
  let timeCanonical = true;
  const timeStart = i + 1;
  const hour = oneOrTwoDigits(s, timeStart);
  if (hour < 0 || hour > 23) return null;
  if (digitsEnd !== i + 3) timeCanonical = false;
  i = digitsEnd;
  if (s.charCodeAt(i) !== 0x3a) return null;
  const minute = twoDigits(s, i + 1);
  if (minute < 0 || minute > 59) return null;
  i += 3;
  let second = 0;
  if (s.charCodeAt(i) === 0x3a) {
    second = twoDigits(s, i + 1);
    if (second < 0 || second > 59) return null;
    i += 3;
  } else timeCanonical = false;
  const fractionStart = i;
  if (s.charCodeAt(i) === 0x2e) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === fractionStart + 1 || i - fractionStart > 10) return null;
  }
  const fractionEnd = i;
  let offset: string;
  let zoneCanonical = false;
  if (i === n) {
    offset = DEFAULT_OFFSET;
  } else {
    const z = s.charCodeAt(i);
    if ((z === 0x5a || z === 0x7a) && i + 1 === n) {
      offset = '+00:00';
    } else if (z === 0x2b || z === 0x2d) {
      const oh = twoDigits(s, i + 1);
      const colon = s.charCodeAt(i + 3) === 0x3a;
      const om = twoDigits(s, colon ? i + 4 : i + 3);
      if (oh < 0 || om < 0 || oh > 14 || om > 59 || (oh === 14 && om > 0)) return null;
      if ((colon ? i + 6 : i + 5) !== n) return null;
      zoneCanonical = colon;
      offset = colon ? s.slice(i) : `${s.slice(i, i + 3)}:${s.slice(i + 3)}`;
    } else return null;
  }
  if (dateIsCanonical && t === 0x54 && timeCanonical && zoneCanonical) return s;
  const datePart = dateIsCanonical ? s.slice(0, 10) : formatDate(s, date);
  const timePart = timeCanonical
    ? s.slice(timeStart, fractionEnd)
    : `${pad2(hour)}:${pad2(minute)}:${pad2(second)}${s.slice(fractionStart, fractionEnd)}`;
  return `${datePart}T${timePart}${offset}`;
}

/** Exactly two digits at i; their value or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function datetimeChecker(c: Common): ValueChecker {
  const { empty } = c;
  const invalid = c.p(
    'DATETIME_INVALID',
    `is not a real date and time (a date as ${DATE_FORMS_EN}; then T or a space, HH:MM[:SS[.fraction]], optionally Z, ±HH:MM or ±HHMM)`,
    `不是有效的日期时间（日期为 ${DATE_FORMS_ZH}；其后为 T 或空格、HH:MM[:SS[.小数]]，可带 Z、±HH:MM 或 ±HHMM 时区）`,
  );
  return (raw) => {
    const s = trimmed(raw);
    if (s.length === 0) return empty;
    return normaliseDatetime(s) ?? refuse(s, c, invalid);
  };
}

// ---------------------------------------------------------------------------------------------
// boolean, binary
// ---------------------------------------------------------------------------------------------

const TRUE = 't';
const FALSE = 'f';

/** 't', 'f' or null for 是/否, 真/假, true/false, t/f, yes/no, y/n, 1/0 in any letter case. */
function booleanOf(s: string): string | null {
  const n = s.length;
  const c0 = s.charCodeAt(0) | 0x20; // lower-cases ASCII letters; harmless for the CJK comparisons below, which use the raw code
  if (n === 1) {
    const raw = s.charCodeAt(0);
    if (c0 === 0x74 || c0 === 0x79 || raw === 0x31 || raw === 0x662f || raw === 0x771f) return TRUE; // t y 1 是 真
    if (c0 === 0x66 || c0 === 0x6e || raw === 0x30 || raw === 0x5426 || raw === 0x5047) return FALSE; // f n 0 否 假
    return null;
  }
  if (n === 2) return c0 === 0x6e && (s.charCodeAt(1) | 0x20) === 0x6f ? FALSE : null;
  if (n === 3) return sameLetters(s, 'yes') ? TRUE : null;
  if (n === 4) return sameLetters(s, 'true') ? TRUE : null;
  if (n === 5) return sameLetters(s, 'false') ? FALSE : null;
  return null;
}

/** Whether s spells the lower-case ASCII word in any letter case (same length assumed). */
function sameLetters(s: string, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = s.charCodeAt(i);
    // Only A–Z may be folded: | 0x20 would also map other characters onto letters.
    const lower = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (lower !== word.charCodeAt(i)) return false;
  }
  return true;
}

function booleanChecker(c: Common): ValueChecker {
  const { empty } = c;
  const invalid = c.p('BOOLEAN_INVALID', 'is not a yes/no value (是/否, 真/假, true/false, t/f, yes/no, y/n, 1/0)', '不是有效的是否值（是/否、真/假、true/false、t/f、yes/no、y/n、1/0）');
  return (raw) => {
    const s = trimmed(raw);
    if (s.length === 0) return empty;
    return booleanOf(s) ?? refuse(s, c, invalid);
  };
}

// Standard and URL-safe base64 alphabets together; 1 = allowed.
const BASE64_CHAR = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_') BASE64_CHAR[ch.charCodeAt(0)] = 1;

/** The number of bytes base64 text decodes to (padding optional), or -1 when it is not base64. */
function base64Bytes(s: string): number {
  let n = s.length;
  if (s.charCodeAt(n - 1) === 0x3d) {
    if (n % 4 !== 0) return -1;
    n--;
    if (s.charCodeAt(n - 1) === 0x3d) n--;
  }
  if (n % 4 === 1) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || BASE64_CHAR[c] !== 1) return -1;
  }
  return Math.floor((n * 3) / 4);
}

function binaryChecker(c: Common): ValueChecker {
  const { empty } = c;
  const max = c.spec.length;
  const invalid = c.p('BINARY_INVALID', 'is not base64 (standard or URL-safe)', '不是有效的 Base64 编码（标准或 URL 安全字符集）');
  const tooLong = max === null ? invalid : c.p('VALUE_TOO_LONG', `is larger than ${max} bytes`, `超过 ${max} 字节`);
  return (raw) => {
    const s = trimmed(raw);
    if (s.length === 0) return empty;
    const bytes = base64Bytes(s);
    if (bytes < 0) return refuse(s, c, invalid);
    if (max !== null && bytes > max) return tooLong;
    // bytea's hex input format \x…, with its backslash doubled for COPY. Buffer's base64 decoder
    // takes both alphabets.
    return `\\\\x${Buffer.from(s, 'base64').toString('hex')}`;
  };
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/**
 * The checker of one column: gets a raw text value (from CSV or xlsx) and returns it in COPY text
 * format — trimmed, normalised and escaped — or a ValueProblem. Empty and whitespace-only values are
 * null ('\N'), refused with VALUE_REQUIRED in a key item. Compile once per column, call per value.
 *
 * @example
 * const check = valueChecker({ name: '出生日期', column: 'birth_date', dataType: 'date', length: null, isKey: false, piiKind: null });
 * check('2024年1月5日'); // '2024-01-05'
 */
export function valueChecker(spec: ColumnSpec): ValueChecker {
  return compile(common(spec));
}

function compile(c: Common): ValueChecker {
  switch (c.spec.dataType) {
    case 'string':
      return stringChecker(c);
    case 'integer':
      return integerChecker(c);
    case 'decimal':
      return decimalChecker(c);
    case 'date':
      return dateChecker(c);
    case 'datetime':
      return datetimeChecker(c);
    case 'boolean':
      return booleanChecker(c);
    case 'binary':
      return binaryChecker(c);
  }
}

/** The column type of an item in an aggregated table. Decimal precision is checked by the checker, not by numeric(p), which would mean scale 0. */
export function postgresType(spec: ColumnSpec): string {
  switch (spec.dataType) {
    case 'string':
      return spec.length === null ? 'text' : `varchar(${spec.length})`;
    case 'integer':
      return 'bigint';
    case 'decimal':
      return 'numeric';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
    case 'binary':
      return 'bytea';
  }
}

/** A JSON number as plain decimal text: String() would write 1e+21 or 1e-7. */
function plainNumber(v: number): string {
  const text = String(v);
  const e = text.indexOf('e');
  if (e === -1) return text;
  const negative = text.charCodeAt(0) === 0x2d;
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const digits = point === -1 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  const position = (point === -1 ? mantissa.length : point) + exponent; // where the point goes in `digits`
  let out: string;
  if (position <= 0) out = `0.${'0'.repeat(-position)}${digits}`;
  else if (position >= digits.length) out = digits + '0'.repeat(position - digits.length);
  else out = `${digits.slice(0, position)}.${digits.slice(position)}`;
  return negative ? `-${out}` : out;
}

/**
 * The same checks for a JSON value (NDJSON, the push API). Strings go through valueChecker; null
 * is null; booleans are the text true/false; numbers are their plain decimal text, except that an
 * integer item refuses numbers beyond ±2^53 (JSON parsing has already rounded them: send those as
 * strings) and date, datetime and binary items refuse numbers (a number date could be days, ms or
 * YYYYMMDD). Objects and arrays are refused with VALUE_NOT_SCALAR.
 */
export function jsonValueChecker(spec: ColumnSpec): JsonValueChecker {
  const c = common(spec);
  const text = compile(c);
  const notScalar = c.p('VALUE_NOT_SCALAR', 'must be a string, number, boolean or null, not an object or array', '应为字符串、数字、布尔值或 null，不能是对象或数组');
  let numberProblem: ValueProblem | null = null;
  let unsafe: ValueProblem | null = null;
  let notInteger: ValueProblem | null = null;
  switch (spec.dataType) {
    case 'integer':
      notInteger = c.p('INTEGER_INVALID', 'is not an integer (digits with an optional sign)', '不是整数（数字，可带正负号）');
      unsafe = c.p('INTEGER_OUT_OF_RANGE', 'is too large to be exact as a JSON number (beyond ±2^53); send it as a string', '超出 JSON 数字可精确表示的范围（±2^53），请以字符串提交');
      break;
    case 'date':
      numberProblem = c.p('DATE_INVALID', `must be a string (${DATE_FORMS_EN}), not a number`, `应为字符串（${DATE_FORMS_ZH}），不能是数字`);
      break;
    case 'datetime':
      numberProblem = c.p('DATETIME_INVALID', 'must be a string (ISO 8601), not a number', '应为字符串（ISO 8601），不能是数字');
      break;
    case 'binary':
      numberProblem = c.p('BINARY_INVALID', 'must be a base64 string, not a number', '应为 Base64 字符串，不能是数字');
      break;
    default:
      break;
  }
  return (value) => {
    if (typeof value === 'string') return text(value);
    if (value === null || value === undefined) return text(null);
    if (typeof value === 'number') {
      if (numberProblem !== null) return numberProblem;
      if (notInteger !== null && unsafe !== null) {
        if (!Number.isInteger(value)) return notInteger;
        if (!Number.isSafeInteger(value)) return unsafe;
        return text(String(value));
      }
      return text(Number.isFinite(value) ? plainNumber(value) : String(value));
    }
    if (typeof value === 'boolean') return text(value ? 'true' : 'false');
    return notScalar;
  };
}
