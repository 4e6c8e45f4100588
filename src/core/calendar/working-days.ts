import { createRequire } from 'node:module';

/**
 * Working-day (工作日) calendar for deadlines counted in working days in China.
 *
 * Layers, later ones win:
 *   1. Weekends (Saturday, Sunday) are off, other days are working days.
 *   2. The State Council's yearly schedule (国务院办公厅关于 YYYY 年部分节假日安排的通知): public
 *      holidays (法定节假日, incl. the weekend days folded into them) are off, and the 调休 weekend
 *      days are working days. Data from the `chinese-days` package (2004 up to its latest year).
 *   3. Administrator overrides, one per date, making any date a working day or a day off.
 *
 * Years the package does not cover (before 2004, or later than its newest published notice): only
 * layer 1 (and overrides) apply, i.e. weekdays work and weekends are off. That is the only guess that
 * is right most of the time and does not invent holidays; `coversYear` lets the platform warn an
 * administrator to enter the holidays as overrides (or upgrade the package) before deadlines land in
 * such a year. Note that the notice for year Y+1 can also put a 调休 working day in late December of
 * Y (as 2018-12-29 was for 元旦 2019), so the last days of the newest covered year may still change.
 *
 * All dates are calendar dates 'YYYY-MM-DD' in China (Asia/Shanghai). Internally a date is its day
 * number (days since 1970-01-01), computed with UTC arithmetic, so the machine's time zone never
 * enters. The package's function API is deliberately not used: it reads weekdays and formats dates in
 * the machine's local time zone (under TZ=America/Los_Angeles, getDayDetail('2026-10-10') answers for
 * 2026-10-09), so only its published JSON data is read.
 */

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted_workday';

export type Override = { date: string; isWorkingDay: boolean; note: string };

export interface DayInfo {
  date: string;
  isWorkingDay: boolean;
  /**
   * The effective kind, always consistent with `isWorkingDay` (working ⇔ 'workday' |
   * 'adjusted_workday'). An override that changes the official status yields 'adjusted_workday'
   * (made working) or 'weekend'/'holiday' (made off; 'weekend' on a Saturday or Sunday).
   */
  kind: DayKind;
  /** Chinese name of the official holiday, on holiday days and on the 调休 days that compensate it. */
  holidayName?: string;
  /** Present when an administrator override applies to this date. */
  override?: Override;
}

/** Upper bound on `days` for addWorkingDays: ten years of calendar days is beyond any real deadline. */
const MAX_DAYS = 3650;
/** listDays returns at most this many days, so a request cannot ask for an unbounded list. */
const MAX_LIST_DAYS = 400;

// ---------------------------------------------------------------------------------------------
// Plain calendar-date arithmetic (no time zones).

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Day number of 'YYYY-MM-DD', or undefined when it is not a real calendar date of that form. */
function parseDay(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Year 0000 is excluded: Intl renders it as 1 BC, so no instant would map back to it.
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  d.setUTCFullYear(year, month - 1, day);
  // Rolled over (e.g. 02-30 → 03-02) means the day does not exist in that month.
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return Math.round(d.getTime() / MS_PER_DAY);
}

const MIN_DAY = parseDay('0001-01-01') as number;
const MAX_DAY = parseDay('9999-12-31') as number;

function formatDay(dayNumber: number): string {
  const d = new Date(dayNumber * MS_PER_DAY);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${day}`;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

function isWeekendDay(dayNumber: number): boolean {
  const w = weekdayOf(dayNumber);
  return w === 0 || w === 6;
}

function requireDay(s: string, what: string): number {
  const n = typeof s === 'string' ? parseDay(s) : undefined;
  if (n === undefined) throw new RangeError(`${what} is not a valid date YYYY-MM-DD: ${String(s)}`);
  return n;
}

function requireInRange(dayNumber: number): number {
  if (dayNumber < MIN_DAY || dayNumber > MAX_DAY) throw new RangeError('date out of range 0001-01-01..9999-12-31');
  return dayNumber;
}

/** True when `s` is a real calendar date written exactly as YYYY-MM-DD. */
export function isValidDate(s: unknown): s is string {
  return typeof s === 'string' && parseDay(s) !== undefined;
}

/** `date` plus `n` calendar days (n may be negative or zero). */
export function addCalendarDays(date: string, n: number): string {
  const start = requireDay(date, 'date');
  if (!Number.isSafeInteger(n)) throw new RangeError(`n must be an integer: ${n}`);
  return formatDay(requireInRange(start + n));
}

// Intl, not a fixed +08:00: it also gets the 1986–1991 summer-time instants right. Built once, since
// constructing a DateTimeFormat is far costlier than using one.
const shanghaiFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in China at `instant`. */
export function toShanghaiDate(instant: Date): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError('invalid Date');
  let year = '';
  let month = '';
  let day = '';
  for (const part of shanghaiFormat.formatToParts(instant)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  const s = `${year.padStart(4, '0')}-${month}-${day}`;
  // Instants before year 1 or after 9999 have no YYYY-MM-DD form.
  if (!isValidDate(s)) throw new RangeError(`instant outside years 0001..9999: ${instant.toISOString()}`);
  return s;
}

/** Today's date in China (the deadline clock of the platform), whatever the server's time zone. */
export function todayInShanghai(now: Date = new Date()): string {
  return toShanghaiDate(now);
}

// ---------------------------------------------------------------------------------------------
// Official schedule from chinese-days.

interface OfficialDay {
  working: boolean;
  name: string;
}

interface OfficialSchedule {
  days: Map<number, OfficialDay>;
  years: Set<number>;
}

let official: OfficialSchedule | undefined;

/** Values look like "National Day,国庆节,3" (English, Chinese, days added); keep the Chinese name. */
function chineseName(value: string): string {
  const parts = value.split(',');
  return (parts[1] ?? parts[0] ?? value).trim();
}

function asStringRecord(value: unknown, what: string): Record<string, string> {
  if (typeof value !== 'object' || value === null) throw new Error(`chinese-days data: ${what} missing`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`chinese-days data: ${what}[${k}] is not a string`);
    out[k] = v;
  }
  return out;
}

// Loaded on first use and kept: about 1,700 dates, read once per process. Checked at load because it
// is data from another package whose shape could change with an upgrade.
function loadOfficial(): OfficialSchedule {
  if (official !== undefined) return official;
  const require = createRequire(import.meta.url);
  const raw: unknown = require('chinese-days/dist/chinese-days.json');
  if (typeof raw !== 'object' || raw === null) throw new Error('chinese-days data: not an object');
  const holidays = asStringRecord((raw as { holidays?: unknown }).holidays, 'holidays');
  const workdays = asStringRecord((raw as { workdays?: unknown }).workdays, 'workdays');

  const days = new Map<number, OfficialDay>();
  const years = new Set<number>();
  for (const [date, value] of Object.entries(holidays)) {
    const n = parseDay(date);
    if (n === undefined) throw new Error(`chinese-days data: bad date ${date}`);
    days.set(n, { working: false, name: chineseName(value) });
    // Every published year has 元旦 off, so the years with holidays are exactly the covered years;
    // a 调休 day alone (which can fall in December of the year before) does not make a year covered.
    years.add(Number(date.slice(0, 4)));
  }
  for (const [date, value] of Object.entries(workdays)) {
    const n = parseDay(date);
    if (n === undefined) throw new Error(`chinese-days data: bad date ${date}`);
    days.set(n, { working: true, name: chineseName(value) });
  }
  official = { days, years };
  return official;
}

/** Whether the official holiday schedule of `year` is known (else only weekends are days off). */
export function coversYear(year: number): boolean {
  return loadOfficial().years.has(year);
}

// ---------------------------------------------------------------------------------------------
// The calendar.

/**
 * Working-day flags are cached in fixed blocks of day numbers, each with its count of working days:
 * addWorkingDays then steps through integers and typed-array reads (no date parsing or formatting per
 * day), and workingDaysBetween adds whole-block counts instead of walking every day.
 */
const BLOCK = 256;

interface Block {
  flags: Uint8Array;
  count: number;
}

export class WorkingDayCalendar {
  private readonly overrides = new Map<number, Override>();
  private readonly blocks = new Map<number, Block>();

  /** Throws RangeError on an override with an invalid date. For a date given twice, the last wins. */
  constructor(overrides: Iterable<Override> = []) {
    for (const o of overrides) {
      const n = requireDay(o.date, 'override date');
      // Copied so later mutation by the caller cannot change a calendar whose cache is already built.
      this.overrides.set(n, { date: o.date, isWorkingDay: o.isWorkingDay, note: o.note });
    }
    loadOfficial();
  }

  describe(date: string): DayInfo {
    return this.describeDay(requireDay(date, 'date'));
  }

  isWorkingDay(date: string): boolean {
    return this.working(requireDay(date, 'date'));
  }

  /** The `days`-th working day after `from` (`from` itself never counts), days in 1..3650. */
  addWorkingDays(from: string, days: number): string {
    let n = requireDay(from, 'from');
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
      throw new RangeError(`days must be an integer in 1..${MAX_DAYS}: ${days}`);
    }
    let left = days;
    while (left > 0) {
      n = requireInRange(n + 1);
      if (this.working(n)) left -= 1;
    }
    return formatDay(n);
  }

  /**
   * Working days in (from, to]: so workingDaysBetween(d, addWorkingDays(d, k)) === k. When `to` is
   * before `from` the result is negative, -(working days in (to, from]), which reads as "overdue by".
   */
  workingDaysBetween(from: string, to: string): number {
    const a = requireDay(from, 'from');
    const b = requireDay(to, 'to');
    if (b < a) return -this.countThrough(b + 1, a);
    return this.countThrough(a + 1, b);
  }

  /** Every day in [from, to], at most 400 days. */
  listDays(from: string, to: string): DayInfo[] {
    const a = requireDay(from, 'from');
    const b = requireDay(to, 'to');
    if (b < a) throw new RangeError(`to (${to}) is before from (${from})`);
    if (b - a + 1 > MAX_LIST_DAYS) throw new RangeError(`at most ${MAX_LIST_DAYS} days can be listed`);
    const out: DayInfo[] = [];
    for (let n = a; n <= b; n += 1) out.push(this.describeDay(n));
    return out;
  }

  private describeDay(n: number): DayInfo {
    const date = formatDay(n);
    const weekend = isWeekendDay(n);
    const off = loadOfficial().days.get(n);
    let kind: DayKind;
    if (off === undefined) kind = weekend ? 'weekend' : 'workday';
    else if (off.working) kind = weekend ? 'adjusted_workday' : 'workday';
    else kind = 'holiday';
    const info: DayInfo = { date, isWorkingDay: kind === 'workday' || kind === 'adjusted_workday', kind };
    if (off !== undefined && (kind === 'holiday' || kind === 'adjusted_workday')) info.holidayName = off.name;

    const override = this.overrides.get(n);
    if (override !== undefined) {
      info.override = { ...override };
      if (override.isWorkingDay !== info.isWorkingDay) {
        info.isWorkingDay = override.isWorkingDay;
        info.kind = override.isWorkingDay ? 'adjusted_workday' : weekend ? 'weekend' : 'holiday';
      }
    }
    return info;
  }

  private working(n: number): boolean {
    const block = this.block(Math.floor(n / BLOCK));
    return block.flags[n - Math.floor(n / BLOCK) * BLOCK] === 1;
  }

  /** Working days in [a, b] (0 when b < a). */
  private countThrough(a: number, b: number): number {
    if (b < a) return 0;
    const first = Math.floor(a / BLOCK);
    const last = Math.floor(b / BLOCK);
    let total = 0;
    for (let k = first; k <= last; k += 1) {
      const block = this.block(k);
      const lo = k === first ? a - k * BLOCK : 0;
      const hi = k === last ? b - k * BLOCK : BLOCK - 1;
      if (lo === 0 && hi === BLOCK - 1) {
        total += block.count;
      } else {
        for (let i = lo; i <= hi; i += 1) total += block.flags[i] ?? 0;
      }
    }
    return total;
  }

  private block(k: number): Block {
    const cached = this.blocks.get(k);
    if (cached !== undefined) return cached;
    const days = loadOfficial().days;
    const flags = new Uint8Array(BLOCK);
    let count = 0;
    for (let i = 0; i < BLOCK; i += 1) {
      const n = k * BLOCK + i;
      const override = this.overrides.get(n);
      const working = override !== undefined ? override.isWorkingDay : (days.get(n)?.working ?? !isWeekendDay(n));
      if (working) {
        flags[i] = 1;
        count += 1;
      }
    }
    const block = { flags, count };
    this.blocks.set(k, block);
    return block;
  }
}
