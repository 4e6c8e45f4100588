import { isValidDivisionCode } from '../../../core/codes/index.js';
import { RID_CHECK, RID_EARLIEST_BIRTH, RID_WEIGHTS, chinaToday, daysInMonth, isTrimmable, residentIdProvinces, type ColumnSpec } from './values.js';

/**
 * Whether a column's checker (values.ts) would return a UTF-8 value exactly as it is — valid, with
 * nothing to trim, normalise or escape — decided on the bytes, so that the loader's fast path
 * (csv-bytes.ts) can copy the bytes to its output without making a string. This is only a
 * shortcut: `false` means "ask the checker", never "invalid", so a test may answer false for
 * anything unusual. What must hold, and what the tests check on generated values: true implies that
 * the checker returns the decoded value unchanged.
 *
 * The bytes are valid UTF-8 (the fast path checks each chunk before reading it).
 */
export type VerbatimTest = (buf: Uint8Array, start: number, end: number) => boolean;

/** The test for a column, or undefined when every value goes to the checker. */
export function verbatimTest(spec: ColumnSpec): VerbatimTest | undefined {
  const limit = spec.length ?? Infinity;
  switch (spec.dataType) {
    case 'string':
      switch (spec.piiKind) {
        case 'resident_id':
          return limit >= 18 ? residentId() : undefined;
        case 'division_code':
          return limit >= 6 ? divisionCode : undefined;
        case 'phone':
          return limit >= 11 ? mobile : undefined;
        case 'uscc':
        case 'org_code':
        case 'email':
        case 'bank_card':
          return undefined;
        default:
          return plainString(limit);
      }
    case 'integer':
      return integer(Math.min(18, spec.length ?? 18));
    case 'date':
      return isoDate;
    case 'datetime':
      return isoDatetime;
    default:
      return undefined;
  }
}

/** The code point of the UTF-8 character that starts at i. */
function codePointAt(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return c;
  if (c < 0xe0) return ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f);
  if (c < 0xf0) return ((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
  return ((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
}

/**
 * A text item: kept as it is when it has no surrounding whitespace (as String.prototype.trim sees
 * it), nothing COPY escapes (backslash, tab, CR, LF) or refuses (NUL), and no more characters than
 * the item's length — code points, which in UTF-8 are the bytes that do not continue a character.
 */
function plainString(limit: number): VerbatimTest {
  return (b, s, e) => {
    if (s === e) return false;
    if (isTrimmable(codePointAt(b, s))) return false;
    let last = e - 1;
    while ((b[last]! & 0xc0) === 0x80) last--;
    if (isTrimmable(codePointAt(b, last))) return false;
    let chars = 0;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c < 0x20) {
        if (c === 0x09 || c === 0x0a || c === 0x0d || c === 0) return false;
      } else if (c === 0x5c) return false;
      if ((c & 0xc0) !== 0x80) chars++;
    }
    return chars <= limit;
  };
}

const digit = (b: Uint8Array, i: number): number => {
  const d = b[i]! - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
};

/** Digits b[i, i + count) as a number, or -1. */
function digits(b: Uint8Array, i: number, count: number): number {
  let value = 0;
  for (let k = i; k < i + count; k++) {
    const d = b[k]! - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** A resident ID of 17 digits and a digit or capital X, passing the checks of values.ts's residentIdCheck. */
function residentId(): VerbatimTest {
  const provinces = residentIdProvinces();
  let today = chinaToday();
  return (b, s, e) => {
    if (e - s !== 18) return false;
    let sum = 0;
    for (let i = 0; i < 17; i++) {
      const d = digit(b, s + i);
      if (d < 0) return false;
      sum += d * RID_WEIGHTS[i]!;
    }
    const last = b[s + 17]!;
    if (!((last >= 0x30 && last <= 0x39) || last === 0x58)) return false;
    if (provinces[digits(b, s, 2)] !== 1) return false;
    const date = digits(b, s + 6, 8);
    const year = Math.floor(date / 10000);
    const month = Math.floor(date / 100) % 100;
    const day = date % 100;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || date < RID_EARLIEST_BIRTH) return false;
    if (date > today && date > (today = chinaToday())) return false;
    return RID_CHECK.charCodeAt(sum % 11) === last;
  };
}

// Six-digit codes seen so far: 0 not yet asked, 1 a current division, 2 not one. A million bytes
// cover every code, so the memo needs no limit.
const divisions = new Uint8Array(1_000_000);

function divisionCode(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 6) return false;
  const code = digits(b, s, 6);
  if (code < 0) return false;
  let known = divisions[code]!;
  if (known === 0) {
    known = isValidDivisionCode(String(code).padStart(6, '0')) ? 1 : 2;
    divisions[code] = known;
  }
  return known === 1;
}

/** Eleven digits of a mainland mobile number (1, then 3–9), the form the phone check keeps as it is. */
function mobile(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 11 || b[s] !== 0x31) return false;
  const second = digit(b, s + 1);
  if (second < 3) return false;
  return digits(b, s + 2, 9) >= 0;
}

/**
 * An optional sign and up to `max` digits (leading zeros counted, which only makes the test stricter):
 * never too many for the item, always within a 64-bit integer.
 */
function integer(max: number): VerbatimTest {
  return (b, s, e) => {
    const from = b[s] === 0x2d || b[s] === 0x2b ? s + 1 : s;
    if (from === e || e - from > max) return false;
    for (let i = from; i < e; i++) if (digit(b, i) < 0) return false;
    return true;
  };
}

/** YYYY-MM-DD at i, a real date from year 1000; the date as YYYYMMDD, or -1. */
function isoDateAt(b: Uint8Array, i: number): number {
  if (b[i + 4] !== 0x2d || b[i + 7] !== 0x2d) return -1;
  const year = digits(b, i, 4);
  const month = digits(b, i + 5, 2);
  const day = digits(b, i + 8, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  return year * 10000 + month * 100 + day;
}

function isoDate(b: Uint8Array, s: number, e: number): boolean {
  return e - s === 10 && isoDateAt(b, s) >= 0;
}

/** YYYY-MM-DDTHH:MM:SS[.fraction]±HH:MM, the form the datetime check returns as it came. */
function isoDatetime(b: Uint8Array, s: number, e: number): boolean {
  if (e - s < 25 || isoDateAt(b, s) < 0 || b[s + 10] !== 0x54 || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return false;
  const hour = digits(b, s + 11, 2);
  const minute = digits(b, s + 14, 2);
  const second = digits(b, s + 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let i = s + 19;
  if (b[i] === 0x2e) {
    const from = ++i;
    while (i < e && digit(b, i) >= 0) i++;
    if (i === from || i - from > 9) return false;
  }
  if (e - i !== 6 || (b[i] !== 0x2b && b[i] !== 0x2d) || b[i + 3] !== 0x3a) return false;
  const oh = digits(b, i + 1, 2);
  const om = digits(b, i + 4, 2);
  return oh >= 0 && om >= 0 && oh <= 14 && om <= 59 && !(oh === 14 && om > 0);
}
