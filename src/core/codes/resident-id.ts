/**
 * Citizen identity numbers, GB 11643-1999: 6-digit address code (GB/T 2260), birth date YYYYMMDD,
 * 3-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

// Province-level prefixes of GB/T 2260, plus 71 (Taiwan), 81/82 (Hong Kong, Macao) and 83, the
// prefix of the numbers on residence permits for Taiwan residents (港澳台居民居住证 use 81/82/83).
// Only the prefix is checked: people keep numbers whose county code was retired long ago.
const PROVINCE_PREFIXES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

// No one holding an 18-digit number was born before this; it also rejects zero-filled dates.
const EARLIEST_BIRTH = '1800-01-01';

export type Sex = 'male' | 'female';

export interface ResidentIdOptions {
  /** The moment taken as "now" for the rule that a birth date may not lie in the future. */
  now?: Date;
}

export interface ResidentIdInfo {
  divisionCode: string;
  birthDate: string;
  sex: Sex;
}

/** The check character (0–9 or X) for the first 17 digits of an identity number. */
export function residentIdCheckChar(first17: string): string {
  if (typeof first17 !== 'string' || !/^\d{17}$/.test(first17)) {
    throw new RangeError('a resident ID body must be 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

/** The full 18-character number for 17 digits. */
export function completeResidentId(first17: string): string {
  return first17 + residentIdCheckChar(first17);
}

// Dates are compared as China-time calendar days, so a child born today in Beijing is valid even
// while it is still yesterday in UTC.
const CHINA_DATE = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

function todayInChina(now: Date): string {
  const parts = Object.fromEntries(CHINA_DATE.formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts['year']}-${parts['month']}-${parts['day']}`;
}

function birthDateOf(yyyymmdd: string): string | undefined {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 0229 of a common year over to 0301; a round trip catches days that do not exist.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

// An options object, checked at run time, because `ids.filter(isValidResidentId)` passes the
// array index as the second argument.
function nowFrom(options: ResidentIdOptions | undefined): Date {
  const now = typeof options === 'object' && options !== null ? options.now : undefined;
  return now instanceof Date && !Number.isNaN(now.getTime()) ? now : new Date();
}

/** Parses a valid identity number (a lowercase x is accepted); null when it is not valid. */
export function parseResidentId(id: string, options?: ResidentIdOptions): ResidentIdInfo | null {
  if (typeof id !== 'string') return null;
  const now = nowFrom(options);
  const upper = id.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(upper)) return null;
  if (!PROVINCE_PREFIXES.has(upper.slice(0, 2))) return null;
  const birthDate = birthDateOf(upper.slice(6, 14));
  if (birthDate === undefined || birthDate < EARLIEST_BIRTH || birthDate > todayInChina(now)) return null;
  if (residentIdCheckChar(upper.slice(0, 17)) !== upper[17]) return null;
  return {
    divisionCode: upper.slice(0, 6),
    birthDate,
    sex: Number(upper[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/** Whether `id` is a valid 18-character identity number (a lowercase x is accepted). */
export function isValidResidentId(id: string, options?: ResidentIdOptions): boolean {
  return parseResidentId(id, options) !== null;
}
