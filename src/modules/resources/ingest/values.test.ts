import { test } from 'node:test';
import assert from 'node:assert/strict';

import { completeOrgCode, completeResidentId, completeUscc, isValidResidentId, isValidUscc, USCC_ALPHABET } from '../../../core/codes/index.js';
import { COPY_NULL, copyText, jsonValueChecker, postgresType, valueChecker, ValueProblem, type ColumnSpec, type DataType } from './values.js';

const column = (dataType: DataType, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name: '信息项',
  column: 'item',
  dataType,
  length: null,
  isKey: false,
  piiKind: null,
  ...extra,
});
const pii = (piiKind: string, length = 100): ColumnSpec => column('string', { piiKind, length });

/** The code of a refusal, or the accepted COPY text. */
function outcome(spec: ColumnSpec, raw: string | null | undefined): string {
  const out = valueChecker(spec)(raw);
  return out instanceof ValueProblem ? out.code : out;
}

function accepts(spec: ColumnSpec, cases: Record<string, string>): void {
  const check = valueChecker(spec);
  for (const [raw, expected] of Object.entries(cases)) {
    const out = check(raw);
    assert.equal(out instanceof ValueProblem ? `refused ${out.code}: ${out.message}` : out, expected, `input ${JSON.stringify(raw)}`);
  }
}

function refuses(spec: ColumnSpec, code: string, values: string[]): void {
  const check = valueChecker(spec);
  for (const raw of values) {
    const out = check(raw);
    assert.ok(out instanceof ValueProblem, `input ${JSON.stringify(raw)} was accepted as ${JSON.stringify(out)}`);
    assert.equal(out.code, code, `input ${JSON.stringify(raw)}: ${out.message}`);
  }
}

// A small seeded generator, so that the generated cases are the same on every run.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const ALL_TYPES: DataType[] = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean', 'binary'];

// --- COPY text ----------------------------------------------------------------------------------

test('copyText escapes backslash, tab, newline and carriage return and leaves other text alone', () => {
  assert.equal(copyText('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
  assert.equal(copyText('\\'), '\\\\');
  assert.equal(copyText('\r\n'), '\\r\\n');
  assert.equal(copyText('\\N'), '\\\\N');
  assert.equal(copyText('张三 x\u0001y'), '张三 x\u0001y');
  assert.equal(copyText(''), '');
});

test('copyText writes null as \\N and refuses a NUL character', () => {
  assert.equal(copyText(null), '\\N');
  assert.equal(COPY_NULL, '\\N');
  assert.throws(() => copyText('a\u0000b'), RangeError);
  assert.throws(() => copyText('a\tb\u0000'), RangeError);
});

test('string values come out escaped for COPY', () => {
  accepts(column('string', { length: 50 }), {
    'C:\\temp': 'C:\\\\temp',
    'a\tb': 'a\\tb',
    'line 1\nline 2': 'line 1\\nline 2',
    'line 1\r\nline 2': 'line 1\\r\\nline 2',
    '\\N': '\\\\N',
    plain: 'plain',
  });
});

// --- null, trimming, NUL ------------------------------------------------------------------------

test('empty and whitespace-only values are null in an item that is not a key, of every type', () => {
  for (const dataType of ALL_TYPES) {
    const check = valueChecker(column(dataType, { length: dataType === 'decimal' || dataType === 'string' ? 10 : null }));
    for (const raw of [null, undefined, '', '   ', '\u3000', '\t\r\n']) assert.equal(check(raw), '\\N', `${dataType} ${JSON.stringify(raw)}`);
  }
});

test('a null value in a key item is refused with VALUE_REQUIRED, of every type', () => {
  for (const dataType of ALL_TYPES) {
    const check = valueChecker(column(dataType, { isKey: true, length: dataType === 'decimal' || dataType === 'string' ? 10 : null }));
    for (const raw of [null, undefined, '', ' \u3000 ']) {
      const out = check(raw);
      assert.ok(out instanceof ValueProblem, `${dataType} ${JSON.stringify(raw)}`);
      assert.equal(out.code, 'VALUE_REQUIRED');
    }
  }
  assert.equal(outcome(column('string', { isKey: true, length: 5 }), 'a'), 'a');
});

test('surrounding whitespace, full-width space included, is trimmed before the check', () => {
  accepts(column('string', { length: 10 }), { '  张三  ': '张三', '\u3000张三\u3000': '张三', '\ufeffx\u00a0': 'x', ' a b ': 'a b' });
  accepts(column('integer'), { ' 42\t': '42', '\u300042\u3000': '42' });
  accepts(column('date'), { ' 2024-01-05 ': '2024-01-05' });
  accepts(pii('resident_id', 18), { ' 11010519491231002X\u3000': '11010519491231002X' });
});

test('a NUL character is refused with VALUE_CONTROL_CHAR, whatever the type', () => {
  refuses(column('string', { length: 20 }), 'VALUE_CONTROL_CHAR', ['a\u0000b', 'a\tb\u0000', '\u0000x']);
  refuses(column('string', { length: 2 }), 'VALUE_CONTROL_CHAR', ['abc\u0000def']);
  refuses(column('integer'), 'VALUE_CONTROL_CHAR', ['12\u00003']);
  refuses(column('decimal', { length: 10 }), 'VALUE_CONTROL_CHAR', ['1.5\u0000']);
  refuses(column('date'), 'VALUE_CONTROL_CHAR', ['2024-01-05\u0000']);
  refuses(column('datetime'), 'VALUE_CONTROL_CHAR', ['2024-01-05 08:00\u0000']);
  refuses(column('boolean'), 'VALUE_CONTROL_CHAR', ['t\u0000']);
  refuses(column('binary'), 'VALUE_CONTROL_CHAR', ['AAAA\u0000']);
  refuses(pii('resident_id', 18), 'VALUE_CONTROL_CHAR', ['11010519491231002\u0000']);
  // Other control characters are data: stored as they are.
  accepts(column('string', { length: 5 }), { 'a\u0001b': 'a\u0001b' });
});

// --- string -------------------------------------------------------------------------------------

test('string length is counted in characters (code points), not UTF-16 units', () => {
  const spec = column('string', { length: 3 });
  accepts(spec, { abc: 'abc', 张三丰: '张三丰', '𠀀𠀁𠀂': '𠀀𠀁𠀂', '😀a😀': '😀a😀' });
  refuses(spec, 'VALUE_TOO_LONG', ['abcd', '张三丰四', '𠀀𠀁𠀂𠀃']);
  // Without a length (text) there is no limit.
  assert.equal(outcome(column('string'), 'x'.repeat(10_000)), 'x'.repeat(10_000));
});

test('other PII kinds are checked for length only', () => {
  accepts(column('string', { piiKind: 'name', length: 4 }), { 扎西才让: '扎西才让' });
  refuses(column('string', { piiKind: 'name', length: 4 }), 'VALUE_TOO_LONG', ['扎西才让多']);
  accepts(column('string', { piiKind: 'address', length: 50 }), { '青海省西宁市城东区八一路1号\t2单元': '青海省西宁市城东区八一路1号\\t2单元' });
});

// --- integer ------------------------------------------------------------------------------------

test('integers: an optional sign and digits', () => {
  accepts(column('integer'), { '0': '0', '-12': '-12', '+7': '+7', '007': '007', '9223372036854775807': '9223372036854775807', '-9223372036854775808': '-9223372036854775808', '-0009223372036854775808': '-0009223372036854775808' });
  refuses(column('integer'), 'INTEGER_INVALID', ['1.5', '1e3', '1,000', '-', '+', '12a', '１２', '0x10', '1 000', '--1']);
});

test('integers beyond bigint are refused with INTEGER_OUT_OF_RANGE', () => {
  refuses(column('integer'), 'INTEGER_OUT_OF_RANGE', ['9223372036854775808', '-9223372036854775809', '99999999999999999999', '10000000000000000000']);
});

test('an integer item with a length refuses more digits than that (leading zeros do not count)', () => {
  const spec = column('integer', { length: 3 });
  accepts(spec, { '999': '999', '-999': '-999', '000999': '000999' });
  refuses(spec, 'INTEGER_OUT_OF_RANGE', ['1000', '-1000']);
  const out = valueChecker(spec)('1000');
  assert.ok(out instanceof ValueProblem);
  assert.match(out.message, /more than 3 digits/);
});

// --- decimal ------------------------------------------------------------------------------------

test('decimals: digits with an optional sign and point; separators removed', () => {
  accepts(column('decimal', { length: 20 }), {
    '0': '0',
    '1234.5': '1234.5',
    '-0.5': '-0.5',
    '+3': '+3',
    '1,234.5': '1234.5',
    '1,234,567.89': '1234567.89',
    '-12,345': '-12345',
    '999': '999',
  });
});

test('decimals with misplaced separators, an exponent or a bare point are refused with DECIMAL_INVALID', () => {
  refuses(column('decimal', { length: 20 }), 'DECIMAL_INVALID', [
    '1,23', '12,34.5', ',123', '1,2345', '1234,567', '1,234,56', '1,', '1.234,5', '.5', '5.', '1e5', '1E-3', '1.2.3', 'NaN', 'Infinity', '-', '1 234', '１.５', '¥12',
  ]);
});

test('a decimal item refuses more digits than its length (leading zeros do not count)', () => {
  const spec = column('decimal', { length: 4 });
  accepts(spec, { '12.34': '12.34', '0012.34': '0012.34', '0.001': '0.001', '9,999': '9999' });
  refuses(spec, 'DECIMAL_INVALID', ['123.45', '12345', '0.00001']);
});

// --- date ---------------------------------------------------------------------------------------

test('dates in every accepted form come out as YYYY-MM-DD', () => {
  accepts(column('date'), {
    '2024-01-05': '2024-01-05',
    '2024-1-5': '2024-01-05',
    '2024/01/05': '2024-01-05',
    '2024/1/5': '2024-01-05',
    '2024.01.05': '2024-01-05',
    '2024.1.15': '2024-01-15',
    '20240105': '2024-01-05',
    '2024年1月5日': '2024-01-05',
    '2024年12月31日': '2024-12-31',
    '2024-02-29': '2024-02-29',
    '2000-02-29': '2000-02-29',
    '1000-01-01': '1000-01-01',
    '9999-12-31': '9999-12-31',
  });
});

test('dates that are not real or not in an accepted form are refused with DATE_INVALID', () => {
  refuses(column('date'), 'DATE_INVALID', [
    '2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '0999-12-31', '20241301', '20240230',
    '2024-01/05', '2024/01-05', '2024-001-05', '24-01-05', '2024年1月5', '2024年1-5日', '2024-01-05T00:00', '2024-01-05 08:00',
    '202401051', '2024.1.5.', 'today', '05/01/2024',
  ]);
});

// --- datetime -----------------------------------------------------------------------------------

test('datetimes come out in ISO 8601 with an offset, +08:00 when none is given', () => {
  accepts(column('datetime'), {
    '2024-01-05T08:30:00+08:00': '2024-01-05T08:30:00+08:00',
    '2024-01-05T08:30:00.123456+08:00': '2024-01-05T08:30:00.123456+08:00',
    '2024-01-05 08:30:00': '2024-01-05T08:30:00+08:00',
    '2024-01-05 08:30': '2024-01-05T08:30:00+08:00',
    '2024-01-05T08:30:15.5': '2024-01-05T08:30:15.5+08:00',
    '2024/1/5 8:30': '2024-01-05T08:30:00+08:00',
    '2024.01.05 23:59:59': '2024-01-05T23:59:59+08:00',
    '20240105 08:30': '2024-01-05T08:30:00+08:00',
    '2024年1月5日 08:30:00': '2024-01-05T08:30:00+08:00',
    '2024-01-05T00:30:00Z': '2024-01-05T00:30:00+00:00',
    '2024-01-05T00:30:00z': '2024-01-05T00:30:00+00:00',
    '2024-01-05T08:30:00-0530': '2024-01-05T08:30:00-05:30',
    '2024-01-05T08:30-05:30': '2024-01-05T08:30:00-05:30',
    '2024-01-05T08:30:00+14:00': '2024-01-05T08:30:00+14:00',
  });
});

test('datetimes that are not real or not in an accepted form are refused with DATETIME_INVALID', () => {
  refuses(column('datetime'), 'DATETIME_INVALID', [
    '2024-01-05', '2024-01-05T', '2024-01-05 24:00', '2024-01-05 08:60', '2024-01-05 08:30:60', '2024-01-05 8', '2024-01-05 08:3',
    '2024-02-30 08:00', '2024-01-05T08:30:00+15:00', '2024-01-05T08:30:00+14:30', '2024-01-05T08:30:00+08', '2024-01-05T08:30:00+08:00x',
    '2024-01-05T08:30:00.', '2024-01-05T08:30:00.1234567890', '2024-01-05T08:30:00 +08:00', '2024-01-05_08:30', '20240105T083000',
  ]);
});

// --- boolean ------------------------------------------------------------------------------------

test('booleans: 是/否, 真/假, true/false, t/f, yes/no, y/n, 1/0 in any letter case', () => {
  const truthy = ['是', '真', 'true', 'TRUE', 'True', 't', 'T', 'yes', 'YES', 'Yes', 'y', 'Y', '1'];
  const falsy = ['否', '假', 'false', 'FALSE', 'False', 'f', 'F', 'no', 'NO', 'No', 'n', 'N', '0'];
  accepts(column('boolean'), Object.fromEntries([...truthy.map((v) => [v, 't']), ...falsy.map((v) => [v, 'f'])]));
  refuses(column('boolean'), 'BOOLEAN_INVALID', ['x', '2', '-1', '01', 'yes!', 'tru', 'falsy', '真的', '是的', 'on', 'off', 'ｔ', 'nö']);
});

// --- binary -------------------------------------------------------------------------------------

test('binary values are base64, standard or URL-safe, padded or not, and come out as COPY bytea hex', () => {
  accepts(column('binary'), {
    'AAEC/w==': '\\\\x000102ff',
    'AAEC_w': '\\\\x000102ff',
    'AAEC_w==': '\\\\x000102ff',
    '5byg5LiJ': '\\\\xe5bca0e4b889',
    'QQ': '\\\\x41',
    'QUI=': '\\\\x4142',
  });
  refuses(column('binary'), 'BINARY_INVALID', ['A', 'QQ=', 'Q=Q=', '====', '!!!!', 'AA AA', 'QUJD\nQUJD', '5byg5LiJ=']);
});

test('a binary item refuses more bytes than its length with VALUE_TOO_LONG', () => {
  const spec = column('binary', { length: 2 });
  accepts(spec, { 'QUI=': '\\\\x4142' });
  refuses(spec, 'VALUE_TOO_LONG', ['QUJD', 'QUJDRA']);
});

// --- resident_id --------------------------------------------------------------------------------

const RESIDENT_ID: ColumnSpec = { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' };

function chinaDate(offsetDays: number): string {
  const date = new Date(Date.now() + offsetDays * 86_400_000);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  return parts.replaceAll('-', '');
}

test('resident IDs: valid numbers are accepted and a lower-case x is upper-cased', () => {
  accepts(RESIDENT_ID, {
    '11010519491231002X': '11010519491231002X',
    '11010519491231002x': '11010519491231002X',
    '440524188001010014': '440524188001010014',
    [completeResidentId(`630102${chinaDate(0)}001`)]: completeResidentId(`630102${chinaDate(0)}001`),
  });
});

test('resident IDs with a wrong check character, shape, province or birth date are refused with RESIDENT_ID_INVALID', () => {
  refuses(RESIDENT_ID, 'RESIDENT_ID_INVALID', [
    '110105194912310021', // check character
    '11010519491231002', // 17 characters
    '11010519491231002XX',
    '1101051949123100X2', // X not last
    '11010519491231002Y',
    '１１0105194912310021',
    completeResidentId('99010519491231002'), // no province 99
    completeResidentId('00010519491231002'),
    completeResidentId('11010519490231002'), // 31 February
    completeResidentId('11010519491301002'), // month 13
    completeResidentId('11010517991231002'), // before 1800
    completeResidentId(`630102${chinaDate(2)}001`), // the day after tomorrow in China
  ]);
});

test('resident ID messages say what is wrong and name the item in both languages, without the value', () => {
  const check = valueChecker(RESIDENT_ID);
  const wrongCheck = check('110105194912310021');
  assert.ok(wrongCheck instanceof ValueProblem);
  assert.equal(wrongCheck.messageZh, '“公民身份号码”校验位错误');
  assert.equal(wrongCheck.message, '公民身份号码 (resident_id): the check character is wrong');
  const badDate = check(completeResidentId('11010519490231002'));
  assert.ok(badDate instanceof ValueProblem);
  assert.match(badDate.message, /^公民身份号码 \(resident_id\): the birth date/);
  assert.match(badDate.messageZh, /^“公民身份号码”出生日期/);
  const tooShort = check('1101051949');
  assert.ok(tooShort instanceof ValueProblem);
  assert.doesNotMatch(tooShort.message + tooShort.messageZh, /1101051949/);
});

test('the resident ID check agrees with isValidResidentId on thousands of generated numbers', () => {
  const next = random(11643);
  const pick = (n: number) => Math.floor(next() * n);
  const check = valueChecker(RESIDENT_ID);
  let accepted = 0;
  for (let k = 0; k < 4000; k++) {
    const province = String(pick(100)).padStart(2, '0');
    const year = 1795 + pick(240); // past today, into the future
    const month = pick(14);
    const day = pick(33);
    const body = `${province}0102${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(pick(1000)).padStart(3, '0')}`;
    const roll = next();
    let id = roll < 0.7 ? completeResidentId(body) : body + '0123456789Xx'[pick(12)];
    if (roll < 0.1) id = id.replace('X', 'x');
    const ours = check(id);
    const core = isValidResidentId(id);
    assert.equal(typeof ours === 'string', core, `${id}: ours ${ours instanceof ValueProblem ? ours.message : ours}, core ${core}`);
    if (core) {
      assert.equal(ours, id.toUpperCase());
      accepted++;
    }
  }
  assert.ok(accepted > 300, `only ${accepted} valid numbers generated`);
});

test('the resident ID check agrees with isValidResidentId around today and around 1800', () => {
  const check = valueChecker(RESIDENT_ID);
  for (const date of [chinaDate(-1), chinaDate(0), chinaDate(1), chinaDate(2), '18000101', '17991231', '18000229', '19000229', '20000229']) {
    const id = completeResidentId(`630102${date}123`);
    assert.equal(typeof check(id) === 'string', isValidResidentId(id), id);
  }
});

// --- uscc ---------------------------------------------------------------------------------------

const USCC: ColumnSpec = { name: '统一社会信用代码', column: 'uscc', dataType: 'string', length: 18, isKey: true, piiKind: 'uscc' };

test('credit codes: valid codes are accepted and upper-cased', () => {
  const code = completeUscc('91630100MA7Y8X9Q1');
  assert.equal(isValidUscc(code), true);
  accepts(USCC, { [code]: code, [code.toLowerCase()]: code, '91350100M000100Y43': '91350100M000100Y43' });
});

test('credit codes with a wrong check character or characters outside GB 32100 are refused with USCC_INVALID', () => {
  const body = '91630100MA7Y8X9Q1';
  const code = completeUscc(body);
  const wrong = body + USCC_ALPHABET[(USCC_ALPHABET.indexOf(code[17] ?? '0') + 1) % 31];
  refuses(USCC, 'USCC_INVALID', [
    wrong,
    code.slice(0, 17),
    `${code}0`,
    completeUscc('916301000A7Y8X9Q1').replace('0A7', 'OA7'), // O is not in the alphabet
    '9163010A' + code.slice(8), // a letter among the division digits
    `91630100MA7Y8X9Q1${'I'}`,
    '９１630100MA7Y8X9Q1X',
  ]);
  const out = valueChecker(USCC)(wrong);
  assert.ok(out instanceof ValueProblem);
  assert.equal(out.messageZh, '“统一社会信用代码”校验位错误');
});

test('the credit code check agrees with isValidUscc on thousands of generated codes', () => {
  const next = random(32100);
  const pick = (n: number) => Math.floor(next() * n);
  const check = valueChecker(USCC);
  // Mostly the alphabet, sometimes a character outside it (I, O, S, V, Z) or a letter among the division digits.
  const char = () => (next() < 0.01 ? 'IOSVZ'[pick(5)] : USCC_ALPHABET[pick(31)]);
  let accepted = 0;
  for (let k = 0; k < 4000; k++) {
    let body = '';
    for (let i = 0; i < 17; i++) body += i >= 2 && i < 8 && next() < 0.98 ? String(pick(10)) : char();
    let code: string;
    try {
      code = completeUscc(body);
    } catch {
      code = `${body}0`; // a body the core will not complete (I, O, S, V, Z)
    }
    if (next() < 0.3) {
      const at = pick(18);
      code = code.slice(0, at) + char() + code.slice(at + 1);
    }
    if (next() < 0.1) code = code.toLowerCase();
    const ours = check(code);
    const core = isValidUscc(code.toUpperCase());
    assert.equal(typeof ours === 'string', core, `${code}: ours ${ours instanceof ValueProblem ? ours.message : ours}`);
    if (core) {
      assert.equal(ours, code.toUpperCase());
      accepted++;
    }
  }
  assert.ok(accepted > 1000, `only ${accepted} valid codes generated`);
});

// --- org_code, division_code -----------------------------------------------------------------

test('organisation codes with or without the hyphen are accepted and stored in the printed form', () => {
  const printed = completeOrgCode('MA7Y8X9Q');
  const compact = printed.replace('-', '');
  accepts(pii('org_code', 10), { [printed]: printed, [compact]: printed, [printed.toLowerCase()]: printed, 'D2143569-X': 'D2143569-X' });
});

test('organisation codes with a wrong check character or shape are refused with ORG_CODE_INVALID', () => {
  const printed = completeOrgCode('MA7Y8X9Q');
  const wrong = printed.slice(0, 9) + (printed[9] === '1' ? '2' : '1');
  refuses(pii('org_code', 10), 'ORG_CODE_INVALID', [wrong, 'MA7Y8X9Q', 'MA7Y8X9Q--1', 'MA7Y8X9-Q1', 'MA7Y 8X9Q-1', 'ＭA7Y8X9Q-1']);
});

test('division codes must be current six-digit GB/T 2260 codes', () => {
  accepts(pii('division_code', 6), { '630102': '630102', '630100': '630100', '630000': '630000', '632823': '632823' });
  refuses(pii('division_code', 6), 'DIVISION_CODE_INVALID', ['999999', '630199', '63010', '6301020', '63010a', '000000', '６30102']);
});

// --- phone, email, bank_card --------------------------------------------------------------------

test('phone numbers: mobiles (with +86, spaces and hyphens ignored) and landlines', () => {
  accepts(pii('phone', 20), {
    '13800138000': '13800138000',
    '19912345678': '19912345678',
    '+86 138 0013 8000': '13800138000',
    '+8613800138000': '13800138000',
    '86-138-0013-8000': '13800138000',
    '138-0013-8000': '13800138000',
    '0971-8123456': '0971-8123456',
    '010-12345678': '010-12345678',
    '010-12345678-123': '010-12345678-123',
    '09718123456': '09718123456',
    '0971 8123456': '09718123456',
  });
  refuses(pii('phone', 20), 'PHONE_INVALID', [
    '12800138000', '1380013800', '138001380000', '+87 138 0013 8000', '0971-123456', '0971-123456789', '971-8123456', '12345', '138OO138000', 'tel:13800138000',
  ]);
});

test('the length of a phone item applies to the normalised number', () => {
  accepts(pii('phone', 11), { '+86 138 0013 8000': '13800138000' });
  refuses(pii('phone', 11), 'VALUE_TOO_LONG', ['010-12345678']);
});

test('email addresses: local@domain.tld, pragmatically', () => {
  accepts(pii('email'), {
    'a.b+c@example.com.cn': 'a.b+c@example.com.cn',
    'zhang_san@gov.qinghai.cn': 'zhang_san@gov.qinghai.cn',
    'x@a-b.cn': 'x@a-b.cn',
    '张三@例子.中国': '张三@例子.中国',
  });
  refuses(pii('email'), 'EMAIL_INVALID', [
    'a@b', 'a b@c.cn', 'a..b@c.cn', '.a@c.cn', 'a.@c.cn', 'a@-c.cn', 'a@c-.cn', 'a@c.c', 'a@c.123', '@c.cn', 'a@', 'a@@c.cn', 'a@c..cn', 'a@c.cn.',
    'a"b@c.cn', 'a\\b@c.cn', 'a@c_d.cn', `${'x'.repeat(65)}@c.cn`, 'plain',
  ]);
});

test('bank cards: 12–19 digits, spaces ignored, with a Luhn check', () => {
  accepts(pii('bank_card'), { '4111111111111111': '4111111111111111', '4111 1111 1111 1111': '4111111111111111', '6222 0000 0000 0000 004': '6222000000000000004' });
  refuses(pii('bank_card'), 'BANK_CARD_INVALID', ['4111111111111112', '6222000000000000006', '79927398713' /* Luhn-valid, 11 digits */, '41111111111111111111', '4111-1111-1111-1111', '4111a11111111111']);
});

// --- shared problems, column types ---------------------------------------------------------------

test('problems are frozen and shared per column and code, so refusals allocate nothing', () => {
  const check = valueChecker(column('integer'));
  const a = check('x');
  const b = check('y');
  assert.ok(a instanceof ValueProblem);
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.equal(a.message, '信息项 (item): is not an integer (digits with an optional sign)');
  assert.equal(a.messageZh, '“信息项”不是整数（数字，可带正负号）');
});

test('postgresType maps every data type', () => {
  assert.equal(postgresType(column('string', { length: 18 })), 'varchar(18)');
  assert.equal(postgresType(column('string')), 'text');
  assert.equal(postgresType(column('integer')), 'bigint');
  assert.equal(postgresType(column('decimal', { length: 12 })), 'numeric');
  assert.equal(postgresType(column('date')), 'date');
  assert.equal(postgresType(column('datetime')), 'timestamptz');
  assert.equal(postgresType(column('boolean')), 'boolean');
  assert.equal(postgresType(column('binary', { length: 1024 })), 'bytea');
});

// --- JSON -----------------------------------------------------------------------------------------

test('JSON strings and nulls are checked like text', () => {
  assert.equal(jsonValueChecker(column('date'))(' 2024/1/5 '), '2024-01-05');
  assert.equal(jsonValueChecker(column('string', { length: 5 }))('a\tb'), 'a\\tb');
  assert.equal(jsonValueChecker(column('string', { length: 5 }))(null), '\\N');
  assert.equal(jsonValueChecker(column('string', { length: 5 }))(undefined), '\\N');
  const key = jsonValueChecker(column('integer', { isKey: true }))(null);
  assert.ok(key instanceof ValueProblem);
  assert.equal(key.code, 'VALUE_REQUIRED');
});

test('JSON numbers are written in plain decimal notation', () => {
  const integer = jsonValueChecker(column('integer'));
  assert.equal(integer(42), '42');
  assert.equal(integer(-0), '0');
  assert.equal(integer(Number.MAX_SAFE_INTEGER), '9007199254740991');
  const decimal = jsonValueChecker(column('decimal', { length: 30 }));
  assert.equal(decimal(1.5), '1.5');
  assert.equal(decimal(1e21), '1000000000000000000000');
  assert.equal(decimal(-2.5e-7), '-0.00000025');
  assert.equal(decimal(1.25e-7), '0.000000125');
  assert.equal(jsonValueChecker(pii('phone', 11))(13800138000), '13800138000');
  assert.equal(jsonValueChecker(column('boolean'))(1), 't');
});

test('JSON numbers an item cannot take exactly are refused', () => {
  const code = (spec: ColumnSpec, value: unknown) => {
    const out = jsonValueChecker(spec)(value);
    return out instanceof ValueProblem ? out.code : out;
  };
  assert.equal(code(column('integer'), 1.5), 'INTEGER_INVALID');
  assert.equal(code(column('integer'), 2 ** 53), 'INTEGER_OUT_OF_RANGE');
  assert.equal(code(column('integer'), 1e20), 'INTEGER_OUT_OF_RANGE');
  assert.equal(code(column('integer', { length: 2 }), 123), 'INTEGER_OUT_OF_RANGE');
  assert.equal(code(column('decimal', { length: 3 }), 12.34), 'DECIMAL_INVALID');
  assert.equal(code(column('date'), 20240105), 'DATE_INVALID');
  assert.equal(code(column('datetime'), 1704412800000), 'DATETIME_INVALID');
  assert.equal(code(column('binary'), 12), 'BINARY_INVALID');
  assert.equal(code(column('boolean'), 2), 'BOOLEAN_INVALID');
});

test('JSON booleans are t/f in a boolean item and text elsewhere', () => {
  assert.equal(jsonValueChecker(column('boolean'))(true), 't');
  assert.equal(jsonValueChecker(column('boolean'))(false), 'f');
  assert.equal(jsonValueChecker(column('string', { length: 5 }))(true), 'true');
  const out = jsonValueChecker(column('integer'))(true);
  assert.ok(out instanceof ValueProblem);
  assert.equal(out.code, 'INTEGER_INVALID');
});

test('JSON objects and arrays are refused with VALUE_NOT_SCALAR', () => {
  for (const dataType of ALL_TYPES) {
    const check = jsonValueChecker(column(dataType, { length: 10 }));
    for (const value of [{}, [], [1], { a: 1 }]) {
      const out = check(value);
      assert.ok(out instanceof ValueProblem);
      assert.equal(out.code, 'VALUE_NOT_SCALAR');
    }
  }
});
