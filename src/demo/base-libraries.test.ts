import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, describe, test } from 'node:test';
import { isValidDivisionCode, isValidUscc, listDivisions, parseResidentId } from '../core/codes/index.js';
import { defaultCodeGenerator } from '../modules/catalog/catalog.codes.js';
import { checkEntry } from '../modules/catalog/catalog.rules.js';
import type { InfoItemInputType } from '../modules/catalog/catalog.schemas.js';
import { AS_OF, baseLibraries, demoPerson, type BaseLibrary, type BaseLibraryKey } from './base-libraries.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';

type Row = Array<string | null>;

// IDs are checked as of the day after AS_OF, so the test does not depend on today's date.
const NOW = { now: new Date(`${AS_OF}T23:59:59+08:00`) };
NOW.now.setUTCDate(NOW.now.getUTCDate() + 1);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\+08:00$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-\d{7,8}$/;

// Dates repeat (about 40,000 distinct days), so each is checked once.
const checkedDates = new Map<string, boolean>();
function realDate(value: string): boolean {
  let ok = checkedDates.get(value);
  if (ok === undefined) {
    const m = DATE.exec(value);
    ok = m !== null && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === value;
    checkedDates.set(value, ok);
  }
  return ok;
}

/** The problem with a value as the ingest value checks would see it, or undefined. */
function valueProblem(item: InfoItemInputType, value: string | null): string | undefined {
  if (value === null) return item.isKey ? 'null key' : undefined;
  if (value === '' || value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32) return 'untrimmed or empty';
  switch (item.dataType) {
    case 'string':
      // UTF-16 length bounds the number of code points from above.
      return value.length > (item.length ?? 0) && [...value].length > (item.length ?? 0) ? `longer than ${item.length}` : undefined;
    case 'date':
      return realDate(value) ? undefined : 'not a date';
    case 'datetime':
      return DATETIME.test(value) && realDate(value.slice(0, 10)) ? undefined : 'not a datetime';
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'not a boolean';
    case 'integer':
      return /^\d{1,18}$/.test(value) ? undefined : 'not an integer';
    case 'decimal':
      return DECIMAL.test(value) && value.replace('.', '').length <= (item.length ?? 38) ? undefined : 'not a decimal';
    default:
      return `unexpected type ${item.dataType}`;
  }
}

function column(library: BaseLibrary, name: string): number {
  const k = library.entry.items.findIndex((i) => i.column === name);
  assert.ok(k >= 0, `${library.key} has no column ${name}`);
  return k;
}

/** Problems found in one pass, by check; a check passes when its list is empty. */
class Problems {
  readonly lists = new Map<string, string[]>();
  add(check: string, message: string): void {
    const list = this.lists.get(check) ?? [];
    // A few examples say enough.
    if (list.length < 10) list.push(message);
    this.lists.set(check, list);
  }
  of(check: string): string[] {
    return this.lists.get(check) ?? [];
  }
}

const DEMO_INDICES = [0, 1, 4_321, 99_999];

/**
 * One streaming pass over the full default output (about 700,000 rows) that checks every row as it
 * goes and keeps only what later checks need: materialising the rows would cost more than making them.
 */
function survey(): {
  problems: Problems;
  counts: Map<BaseLibraryKey, { rows: number; rowCount: number }>;
  ethnicity: Map<string, number>;
  hanSurnames: Map<string, number>;
  huiMa: [number, number];
  divisions: Set<string>;
  demoRows: Map<number, Row>;
  demoLicences: Map<string, Row[]>;
  demoInsurance: Map<string, Row[]>;
} {
  const problems = new Problems();
  const counts = new Map<BaseLibraryKey, { rows: number; rowCount: number }>();
  const ethnicity = new Map<string, number>();
  const hanSurnames = new Map<string, number>();
  const huiMa: [number, number] = [0, 0];
  const divisions = new Set<string>();
  const demoRows = new Map<number, Row>();
  const demoLicences = new Map<string, Row[]>();
  const demoInsurance = new Map<string, Row[]>();
  const names = new Map<string, string>();
  const credits = new Set<string>();
  const withCard = new Set<string>();
  const insured = new Set<string>();
  const divisionOk = new Map<string, boolean>();
  const demoIds = new Set<string>();
  const checkDivision = (where: string, code: string | null): void => {
    if (code === null) return problems.add('divisions', `${where}: null`);
    let ok = divisionOk.get(code);
    if (ok === undefined) divisionOk.set(code, (ok = code.startsWith('63') && isValidDivisionCode(code)));
    if (!ok) problems.add('divisions', `${where} = ${code}`);
  };

  for (const library of baseLibraries()) {
    const items = library.entry.items;
    const columns = new Map(items.map((item) => [item.column, column(library, item.column)]));
    const col = (name: string): number => columns.get(name) ?? column(library, name);
    // Rows of one holder are consecutive, so (holder, type) keys are unique when no holder comes back
    // and no type repeats within a holder.
    const holders = new Set<string>();
    let holder: string | null = null;
    let types = new Set<string>();
    let n = 0;
    for (const row of library.rows()) {
      if (row.length !== items.length) problems.add('values', `${library.key}: ${row.length} values for ${items.length} items`);
      for (let k = 0; k < items.length; k++) {
        const problem = valueProblem(items[k]!, row[k]!);
        if (problem !== undefined) problems.add('values', `${library.key}.${items[k]!.column} = ${JSON.stringify(row[k])}: ${problem}`);
      }
      if (library.key !== 'population' && library.key !== 'legal_person') {
        if (row[0] !== holder) {
          if (holders.has(row[0]!)) problems.add('keys', `${library.key}: ${row[0]} comes back`);
          holders.add(row[0]!);
          holder = row[0]!;
          types = new Set();
        }
        if (types.has(row[1]!)) problems.add('keys', `${library.key}: ${row[0]} ${row[1]} twice`);
        types.add(row[1]!);
        if (demoIds.has(row[0]!)) {
          const into = library.key === 'person_licence' ? demoLicences : library.key === 'social_insurance' ? demoInsurance : undefined;
          into?.set(row[0]!, [...(into.get(row[0]!) ?? []), row]);
        }
      }

      switch (library.key) {
        case 'population': {
          const id = row[0]!;
          const info = parseResidentId(id, NOW);
          if (info === null) problems.add('residentIds', `invalid ${id}`);
          else {
            if (info.birthDate !== row[col('birth_date')]) problems.add('residentIds', `${id}: birth date ${row[col('birth_date')]}`);
            if ((info.sex === 'male' ? '男' : '女') !== row[col('gender')]) problems.add('residentIds', `${id}: sex ${row[col('gender')]}`);
            if (info.divisionCode !== row[col('birthplace_code')]) problems.add('residentIds', `${id}: birthplace ${row[col('birthplace_code')]}`);
          }
          if (names.has(id)) problems.add('residentIds', `duplicate ${id}`);
          names.set(id, row[1]!);
          checkDivision('population.birthplace_code', row[col('birthplace_code')]!);
          checkDivision('population.household_division_code', row[col('household_division_code')]!);
          divisions.add(row[col('household_division_code')]!);
          const phone = row[col('phone')]!;
          if (phone !== null && !MOBILE.test(phone)) problems.add('phones', `population: ${phone}`);
          if (row[col('data_updated_at')]!.slice(0, 10) > AS_OF) problems.add('dates', `population: updated ${row[col('data_updated_at')]}`);
          const people = row[col('ethnicity')]!;
          ethnicity.set(people, (ethnicity.get(people) ?? 0) + 1);
          if (people === '汉族') hanSurnames.set(row[1]![0]!, (hanSurnames.get(row[1]![0]!) ?? 0) + 1);
          if (people === '回族') {
            huiMa[1]++;
            if (row[1]!.startsWith('马')) huiMa[0]++;
          }
          if (DEMO_INDICES.includes(n)) {
            demoRows.set(n, row);
            demoIds.add(id);
          }
          break;
        }
        case 'legal_person': {
          const uscc = row[0]!;
          if (!isValidUscc(uscc) || !/^9[123]63/.test(uscc)) problems.add('credits', `invalid ${uscc}`);
          if (credits.has(uscc)) problems.add('credits', `duplicate ${uscc}`);
          credits.add(uscc);
          if (names.get(row[col('legal_rep_resident_id')]!) !== row[col('legal_representative')]) {
            problems.add('credits', `${uscc}: legal representative ${row[col('legal_rep_resident_id')]} is not in the population`);
          }
          checkDivision('legal_person.division_code', row[col('division_code')]!);
          const phone = row[col('phone')]!;
          if (!MOBILE.test(phone) && !(LANDLINE.test(phone) && phone.startsWith('097'))) problems.add('phones', `legal_person: ${phone}`);
          break;
        }
        case 'person_licence':
        case 'enterprise_licence': {
          const [issued, from, to] = [row[col('issued_on')]!, row[col('valid_from')]!, row[col('valid_to')]];
          if (issued > AS_OF || from > AS_OF || (to !== null && to! <= from)) problems.add('dates', `${library.key}: ${row.join(',')}`);
          if (library.key === 'person_licence') {
            if (!names.has(row[0]!)) problems.add('keys', `person_licence: unknown person ${row[0]}`);
            if (row[1] === '101') withCard.add(row[0]!);
            // Identity cards, driving licences and social security cards carry the ID number.
            if ((row[1] === '101' || row[1] === '103' || row[1] === '108') && row[3] !== row[0]) problems.add('keys', `licence number ${row[3]} of ${row[0]}`);
          } else {
            if (!credits.has(row[0]!)) problems.add('credits', `licence holder ${row[0]} is not in the legal-person library`);
            if (row[1] === '201' && row[3] !== row[0]) problems.add('credits', `business licence ${row[3]} of ${row[0]}`);
          }
          break;
        }
        case 'social_insurance': {
          if (!names.has(row[0]!)) problems.add('keys', `social_insurance: unknown person ${row[0]}`);
          insured.add(row[0]!);
          const employer = row[col('employer_uscc')]!;
          if (employer !== null && !isValidUscc(employer)) problems.add('credits', `employer ${employer}`);
          checkDivision('social_insurance.insured_division_code', row[col('insured_division_code')]!);
          break;
        }
      }
      n++;
    }
    counts.set(library.key, { rows: n, rowCount: library.rowCount });
  }
  for (const id of names.keys()) {
    if (!withCard.has(id)) problems.add('coverage', `${id} has no identity card`);
    if (!insured.has(id)) problems.add('coverage', `${id} has no insurance record`);
  }
  return { problems, counts, ethnicity, hanSurnames, huiMa, divisions, demoRows, demoLicences, demoInsurance };
}

describe('demo base libraries (full default output)', () => {
  let result: ReturnType<typeof survey>;
  before(() => {
    result = survey();
  });

  test('yields the default counts, and rowCount says how many rows rows() yields', () => {
    const { counts } = result;
    assert.equal(counts.get('population')!.rows, 100_000);
    assert.equal(counts.get('legal_person')!.rows, 20_000);
    for (const [key, { rows, rowCount }] of counts) assert.equal(rows, rowCount, key);
    // Everyone has an identity card and a medical insurance record; many have more.
    assert.ok(counts.get('person_licence')!.rows > 200_000);
    assert.ok(counts.get('social_insurance')!.rows > 150_000);
    assert.ok(counts.get('enterprise_licence')!.rows > 20_000);
  });

  test('every value is in a format the value checks accept and fits its item', () => {
    assert.deepEqual(result.problems.of('values'), []);
  });

  test('every resident ID is valid, unique and agrees with 性别, 出生日期 and 出生地', () => {
    assert.deepEqual(result.problems.of('residentIds'), []);
  });

  test('every division code is a real 青海 county code, and persons live in every county', () => {
    assert.deepEqual(result.problems.of('divisions'), []);
    const counties = listDivisions('630000').flatMap((city) => listDivisions(city.code));
    assert.equal(result.divisions.size, counties.length);
  });

  test('every credit code is valid and unique; legal representatives are persons of the population', () => {
    assert.deepEqual(result.problems.of('credits'), []);
  });

  test('licence and insurance keys are unique and their holders exist', () => {
    assert.deepEqual(result.problems.of('keys'), []);
  });

  test('every person holds a 居民身份证 and has a social insurance record', () => {
    assert.deepEqual(result.problems.of('coverage'), []);
  });

  test('dates are coherent: validity after issue, nothing after AS_OF but expiry dates', () => {
    assert.deepEqual(result.problems.of('dates'), []);
  });

  test('phones are mainland mobiles or 青海 landlines', () => {
    assert.deepEqual(result.problems.of('phones'), []);
  });

  test('the people look like 青海: its ethnic mix and common surnames', () => {
    const total = result.counts.get('population')!.rows;
    const share = (people: string): number => (result.ethnicity.get(people) ?? 0) / total;
    // 2020 census: 汉 50.5 %, 藏 24.4 %, 回 14.8 %, 土 3.6 %, 撒拉 1.9 %, 蒙古 1.7 %.
    assert.ok(share('汉族') > 0.45 && share('汉族') < 0.56);
    assert.ok(share('藏族') > 0.2 && share('藏族') < 0.3);
    assert.ok(share('回族') > 0.11 && share('回族') < 0.19);
    for (const people of ['土族', '撒拉族', '蒙古族']) assert.ok(share(people) > 0.005, people);
    const top = [...result.hanSurnames].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([s]) => s);
    assert.deepEqual(top.sort(), ['刘', '张', '李', '王'].sort());
    assert.ok(result.huiMa[0] / result.huiMa[1] > 0.35, '马 is the commonest Hui surname');
  });

  test('demoPerson(i) is row i of the population and appears in all three person libraries', () => {
    for (const index of DEMO_INDICES) {
      const person = demoPerson(index);
      const row = result.demoRows.get(index)!;
      assert.deepEqual(
        [person.residentId, person.name, person.sex, person.ethnicity, person.birthDate, person.householdAddress, person.phone],
        [row[0], row[1], row[2], row[3], row[4], row[8], row[10]],
      );
      const licences = result.demoLicences.get(person.residentId) ?? [];
      assert.ok(licences.some((r) => r[1] === '101' && r[4] === person.name), 'identity card');
      assert.ok((result.demoInsurance.get(person.residentId) ?? []).some((r) => r[3] === person.name), 'insurance');
    }
  });
});

describe('demo base libraries (catalog entries)', () => {
  const libraries = baseLibraries({ persons: 10, enterprises: 2 });

  test('every entry passes checkEntry', () => {
    for (const library of libraries) assert.deepEqual(checkEntry(library.entry, defaultCodeGenerator), [], library.key);
  });

  test('each library is owned by its department and keyed as the contract says', () => {
    const keys = new Map(libraries.map((l) => [l.key, l]));
    assert.deepEqual([...keys.keys()], ['population', 'legal_person', 'person_licence', 'enterprise_licence', 'social_insurance']);
    const orgs = new Set(DEMO_ORGANISATIONS.map((o) => o.key));
    const owners = { population: 'police', legal_person: 'market', person_licence: 'authority', enterprise_licence: 'authority', social_insurance: 'hrss' };
    const keyColumns = {
      population: [['resident_id', 'resident_id']],
      legal_person: [['uscc', 'uscc']],
      person_licence: [['holder_resident_id', 'resident_id'], ['licence_type_code', undefined]],
      enterprise_licence: [['holder_uscc', 'uscc'], ['licence_type_code', undefined]],
      social_insurance: [['resident_id', 'resident_id'], ['insurance_type_code', undefined]],
    };
    for (const library of libraries) {
      assert.ok(orgs.has(library.orgKey));
      assert.equal(library.orgKey, owners[library.key]);
      const keyItems = library.entry.items.filter((i) => i.isKey).map((i) => [i.column, i.piiKind]);
      assert.deepEqual(keyItems, keyColumns[library.key], library.key);
      assert.equal(library.entry.format, 'table');
      assert.equal(library.entry.shareType, 'conditional');
      assert.ok((library.entry.shareCondition ?? '').length > 20);
    }
    assert.equal(keys.get('population')!.entry.securityGrade, 'important');
  });
});

describe('demo base libraries (determinism and options)', () => {
  const digest = (libraries: BaseLibrary[]): string[] =>
    libraries.map((library) => {
      const hash = crypto.createHash('sha256');
      for (const row of library.rows()) hash.update(JSON.stringify(row));
      return hash.digest('hex');
    });

  test('the same seed gives the same rows; another seed other rows', () => {
    const options = { persons: 3_000, enterprises: 600, seed: 7 };
    const first = baseLibraries(options);
    const a = digest(first);
    assert.deepEqual(digest(baseLibraries(options)), a);
    // rows() starts a new pass each time, with the same result.
    assert.deepEqual(digest(first), a);
    const b = digest(baseLibraries({ ...options, seed: 8 }));
    for (let k = 0; k < a.length; k++) assert.notEqual(a[k], b[k]);
  });

  test('persons do not depend on how many there are', () => {
    const small = [...baseLibraries({ persons: 500, enterprises: 0, seed: 3 })[0]!.rows()];
    const large = [...baseLibraries({ persons: 2_000, enterprises: 0, seed: 3 })[0]!.rows()].slice(0, 500);
    assert.deepEqual(small, large);
    assert.equal(demoPerson(123, 3).residentId, small[123]![0]);
  });

  test('small and empty libraries, and refusals', () => {
    const empty = baseLibraries({ persons: 0, enterprises: 0 });
    for (const library of empty) {
      assert.equal(library.rowCount, 0);
      assert.equal([...library.rows()].length, 0);
    }
    const tiny = baseLibraries({ persons: 3, enterprises: 2, seed: 1 });
    for (const library of tiny) assert.equal([...library.rows()].length, library.rowCount);
    assert.throws(() => baseLibraries({ persons: 0, enterprises: 1 }), RangeError);
    assert.throws(() => baseLibraries({ persons: -1 }), RangeError);
    assert.throws(() => baseLibraries({ persons: 1.5 }), RangeError);
    assert.throws(() => demoPerson(-1), RangeError);
  });
});
