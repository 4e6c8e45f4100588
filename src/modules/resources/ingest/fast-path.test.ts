import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeResidentId } from '../../../core/codes/index.js';
import { PII_KINDS } from '../../catalog/index.js';
import { checkLoad, type CheckedLoad } from '../resources.load.js';
import { readCsv, type SourceRecord } from './csv.js';
import { FAST_RECORD_BYTES, readCsvBytes, recordFields } from './csv-bytes.js';
import { ValueProblem, valueChecker, type ColumnSpec, type DataType } from './values.js';
import { verbatimTest } from './verbatim.js';

/**
 * The fast path for UTF-8 CSV (csv-bytes.ts, verbatim.ts and the loader's byte branch) must give
 * exactly what the text path gives. These tests generate values and files full of the awkward
 * cases — whitespace of every kind, escapes, quotes, line breaks, bad bytes, huge records, pieces
 * cut anywhere — and compare the two paths on each.
 */

/** A small deterministic generator (mulberry32), so that a failure can be replayed by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => String(Math.floor(rng() * 10))).join('');

const SPACES = [' ', '\t', '\u3000', '\u00a0', '\ufeff', '\u2003', '\u205f', '\u1680', '\u2028'];
const ODD = ['\\', '\t', '\r', '\n', '\r\n', '\0', '"', ',', '""', '😀', '\u3002', '\u0001', '\u007f', '\u200b'];
const WORDS = ['张三', '青海省西宁市城东区', 'abc', 'Zhang San', '汉族', '男', '一二三四五六七八九十', 'x', '😀😀', '1', ''];

function residentId(rng: Rng): string {
  const prefixes = ['630102', '110101', '440305', '990000'];
  const year = pick(rng, ['1971', '1800', '1799', '2099', '2000']);
  const month = pick(rng, ['01', '02', '12', '13', '00']);
  const day = pick(rng, ['01', '29', '31', '30', '00']);
  const id = completeResidentId(`${pick(rng, prefixes)}${year}${month}${day}${digits(rng, 3)}`);
  const r = rng();
  if (r < 0.1) return id.slice(0, 17) + 'x';
  if (r < 0.2) return id.slice(0, 17) + pick(rng, ['0', 'X', '9']);
  if (r < 0.25) return id.slice(0, 16);
  return id;
}

/** A value of one of the shapes the checkers care about, often bent a little. */
function value(rng: Rng): string {
  let v: string;
  switch (Math.floor(rng() * 9)) {
    case 0:
      v = residentId(rng);
      break;
    case 1:
      v = pick(rng, ['2024-01-05', '2024-1-5', '2024/01/05', '20240105', '2024年1月5日', '2023-02-29', '2024-02-29', '0999-01-01', '2024-13-01', '2024-01-5']);
      break;
    case 2:
      v = pick(rng, [
        '2026-03-16T08:52:36+08:00',
        '2026-03-16T08:52:36.123456789-05:30',
        '2026-03-16T08:52:36.1234567890+08:00',
        '2026-03-16 08:52:36+08:00',
        '2026-03-16T08:52:36Z',
        '2026-03-16T08:52:36',
        '2026-03-16T8:52:36+08:00',
        '2026-03-16T08:52+08:00',
        '2026-03-16T24:00:00+08:00',
        '2026-03-16T08:52:36+14:00',
        '2026-03-16T08:52:36+14:01',
        '2026-03-16T08:52:36+0800',
        '2026-02-30T08:52:36+08:00',
      ]);
      break;
    case 3:
      v = pick(rng, ['13812345678', '12812345678', '1381234567', '+8613812345678', '138 1234 5678', '0971-6123456', '1a812345678', '23812345678']);
      break;
    case 4:
      v = pick(rng, ['630102', '630100', '999999', '63010', '6301020', '000000', '110101']);
      break;
    case 5:
      v = pick(rng, WORDS) + pick(rng, WORDS);
      break;
    case 6:
      v = pick(rng, ['true', '是', '0', '12', '-3', '1.5', '1,000', 'abc', '9223372036854775808']);
      break;
    case 7:
      v = pick(rng, WORDS) + pick(rng, ODD) + pick(rng, WORDS);
      break;
    default:
      v = 'x'.repeat(Math.floor(rng() * 60)) + pick(rng, WORDS);
  }
  const r = rng();
  if (r < 0.08) v = pick(rng, SPACES) + v;
  else if (r < 0.16) v = v + pick(rng, SPACES);
  else if (r < 0.2) v = pick(rng, SPACES);
  return v;
}

const TYPES: DataType[] = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean', 'binary'];

function specs(): ColumnSpec[] {
  const out: ColumnSpec[] = [];
  for (const dataType of TYPES) {
    for (const length of [null, 2, 11, 18, 50]) {
      out.push({ name: '项', column: 'c', dataType, length, isKey: false, piiKind: null });
      out.push({ name: '项', column: 'c', dataType, length, isKey: true, piiKind: null });
    }
  }
  for (const piiKind of PII_KINDS) for (const length of [null, 5, 11, 18, 50]) out.push({ name: '项', column: 'c', dataType: 'string', length, isKey: false, piiKind });
  return out;
}

test('a value passed as verbatim is one its checker returns unchanged, for every type and PII kind', () => {
  const rng = random(1);
  let passed = 0;
  for (const spec of specs()) {
    const verbatim = verbatimTest(spec);
    if (!verbatim) continue;
    const check = valueChecker(spec);
    for (let n = 0; n < 3000; n++) {
      const v = value(rng);
      const bytes = Buffer.from(v);
      // Inside a larger buffer, as the fast path calls it.
      const padded = Buffer.concat([Buffer.from('前,'), bytes, Buffer.from(',后')]);
      const start = Buffer.byteLength('前,');
      if (!verbatim(padded, start, start + bytes.length)) continue;
      passed += 1;
      const out = check(v);
      assert.equal(out instanceof ValueProblem ? `refused ${out.code}` : out, v, `${spec.dataType}/${spec.piiKind}/${spec.length}: ${JSON.stringify(v)}`);
    }
  }
  // Not vacuous: the common shapes go the fast way.
  assert.ok(passed > 10_000, `only ${passed} values passed`);
  const ok = (spec: Partial<ColumnSpec>, v: string) => {
    const full: ColumnSpec = { name: '项', column: 'c', dataType: 'string', length: null, isKey: false, piiKind: null, ...spec };
    const b = Buffer.from(v);
    assert.equal(verbatimTest(full)?.(b, 0, b.length), true, `${JSON.stringify(spec)} ${v}`);
  };
  ok({ piiKind: 'resident_id', length: 18 }, completeResidentId('63010219710214903'));
  ok({ piiKind: 'division_code', length: 6 }, '630102');
  ok({ piiKind: 'phone', length: 20 }, '18597900809');
  ok({ piiKind: 'name', length: 50 }, '孟卫国');
  ok({ length: 4 }, '😀😀ab');
  ok({ dataType: 'date' }, '1971-02-14');
  ok({ dataType: 'datetime' }, '2026-03-16T08:52:36+08:00');
});

const LINE_ENDS = ['\n', '\r\n', '\r'];

/** A CSV text of `rows` records of `width` generated values, with the odd blank line, quote and ragged row. */
function csvText(rng: Rng, header: string[], rows: number): string {
  const field = (v: string): string => {
    const r = rng();
    if (/[",\r\n]/.test(v) || r < 0.1) {
      const quoted = `"${v.replaceAll('"', '""')}"`;
      // Text after the closing quote is kept (as Excel reads it).
      return rng() < 0.1 ? `${quoted}${pick(rng, ['x', '张', ' '])}` : quoted;
    }
    return v;
  };
  const end = pick(rng, LINE_ENDS);
  let text = rng() < 0.2 ? '\ufeff' : '';
  text += header.join(',') + end;
  for (let r = 0; r < rows; r++) {
    if (rng() < 0.03) text += pick(rng, LINE_ENDS);
    let width = header.length;
    const shape = rng();
    if (shape < 0.03) width -= 1;
    else if (shape < 0.06) width += 1;
    const cells = Array.from({ length: width }, (_, i) => (i >= header.length && rng() < 0.5 ? '' : field(value(rng))));
    text += cells.join(',') + (rng() < 0.03 ? ',' : '') + (r === rows - 1 && rng() < 0.5 ? '' : rng() < 0.9 ? end : pick(rng, LINE_ENDS));
  }
  return text;
}

/** Bytes in pieces of random sizes, cut anywhere (inside characters too). */
async function* pieces(rng: Rng, bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(rng() ** 3 * 4096);
    yield new Uint8Array(bytes.subarray(at, at + size));
    at += size;
  }
}

async function outcomeOf<T>(run: () => Promise<T>): Promise<T | { thrown: unknown }> {
  try {
    return await run();
  } catch (err) {
    const e = err as { code?: string; message?: string; messageZh?: string; details?: unknown };
    return { thrown: { code: e.code, message: e.message, messageZh: e.messageZh, details: e.details } };
  }
}

async function records(source: AsyncIterable<Uint8Array>, fast: boolean): Promise<SourceRecord[] | { thrown: unknown }> {
  return outcomeOf(async () => {
    const out: SourceRecord[] = [];
    if (!fast) {
      for await (const batch of readCsv(source, { encoding: 'utf-8', batchSize: 7 })) out.push(...batch);
      return out;
    }
    for await (const batch of readCsvBytes(source, { batchSize: 7 })) {
      if (Array.isArray(batch)) out.push(...batch);
      else for (let r = 0; r < batch.count; r++) out.push({ row: batch.firstRow + r, fields: recordFields(batch, r) });
    }
    return out;
  });
}

/** Variants of a file that send the fast path back to the text path part way through. */
function bend(rng: Rng, text: string): Buffer {
  const bytes = Buffer.from(text);
  const r = rng();
  const at = Math.floor(rng() * bytes.length);
  if (r < 0.15) return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]);
  if (r < 0.25) return Buffer.concat([bytes, Buffer.from('"unterminated,')]);
  if (r < 0.35) {
    // A record longer than the fast path takes, somewhere in the middle.
    const cut = text.indexOf('\n', Math.floor(text.length / 2));
    if (cut > 0) return Buffer.from(`${text.slice(0, cut + 1)}${'长'.repeat(FAST_RECORD_BYTES / 2)},x\n${text.slice(cut + 1)}`);
  }
  if (r < 0.4) return Buffer.from(`${text}\n${'a,'.repeat(2100)}a\n`);
  return bytes;
}

test('the byte reader yields the records and refusals the text reader does', async () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rng = random(seed);
    const header = ['a', 'b', 'c', 'd'];
    const text = csvText(rng, header, 1 + Math.floor(rng() * 40));
    // The byte reader starts after a BOM (the loader skips it); the text reader skips it itself.
    const bytes = bend(rng, text.startsWith('\ufeff') ? text.slice(1) : text);
    const slow = await records(pieces(random(seed), bytes), false);
    const fast = await records(pieces(random(seed + 1000), bytes), true);
    assert.deepEqual(fast, slow, `seed ${seed}`);
  }
});

const COLUMNS: ColumnSpec[] = [
  { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 8, isKey: false, piiKind: 'name' },
  { name: '出生日期', column: 'birth_date', dataType: 'date', length: null, isKey: false, piiKind: null },
  { name: '联系电话', column: 'phone', dataType: 'string', length: 20, isKey: false, piiKind: 'phone' },
  { name: '行政区划', column: 'division', dataType: 'string', length: 6, isKey: false, piiKind: 'division_code' },
  { name: '更新时间', column: 'updated_at', dataType: 'datetime', length: null, isKey: false, piiKind: null },
  { name: '备注', column: 'note', dataType: 'string', length: null, isKey: false, piiKind: null },
  { name: '人数', column: 'count', dataType: 'integer', length: null, isKey: false, piiKind: null },
];

async function load(bytes: Buffer, seed: number, fast: boolean, columns: ColumnSpec[], maxErrors: number): Promise<{ result: Omit<CheckedLoad, 'format'> | { thrown: unknown }; output: string }> {
  const chunks: Buffer[] = [];
  const sink = { write: async (chunk: Buffer) => void chunks.push(Buffer.from(chunk)) };
  const result = await outcomeOf(() =>
    // Every third fast load hashes in a worker thread (ContentDigest), which must agree too.
    checkLoad(columns, pieces(random(seed), bytes), { mediaType: 'text/csv', charset: 'utf-8', maxErrors, spoolDir: '/nonexistent', sink, fastCsv: fast, digestThreshold: fast && seed % 3 === 0 ? 100 : undefined }),
  );
  return { result, output: Buffer.concat(chunks).toString('utf8') };
}

test('a load read by the fast path checks, reports and writes exactly what the text path does', async () => {
  let accepted = 0;
  for (let seed = 1; seed <= 120; seed++) {
    const rng = random(seed);
    // Columns in the file's order or shuffled, some left out (never the key).
    const order = rng() < 0.5 ? COLUMNS : [...COLUMNS].sort(() => rng() - 0.5);
    const header = order.filter((c) => c.isKey || rng() < 0.85).map((c) => (rng() < 0.3 ? c.name : c.column));
    let text = csvText(rng, header, 1 + Math.floor(rng() * 60));
    // Some files are mostly good rows, so that whole records take the fastest branch.
    if (rng() < 0.5) {
      const good = Array.from({ length: 30 }, () =>
        COLUMNS.map((c) => ({ resident_id: completeResidentId(`63010219710214${digits(rng, 3)}`), full_name: '孟卫国', birth_date: '1971-02-14', phone: '18597900809', division: '630102', updated_at: '2026-03-16T08:52:36+08:00', note: '无', count: '3' })[c.column]!).join(','),
      );
      text = `${COLUMNS.map((c) => c.column).join(',')}\n${good.join('\n')}\n`;
    }
    // With a limit on refused rows, the file has no format error: which of the two stops a load
    // first depends on how far each path has read (the text path reads ahead by a batch of 1,000).
    const maxErrors = rng() < 0.2 ? Math.floor(rng() * 5) : 1_000_000;
    const bytes = maxErrors < 1_000_000 ? Buffer.from(text) : bend(rng, text);
    const slow = await load(bytes, seed, false, COLUMNS, maxErrors);
    const fast = await load(bytes, seed + 7, true, COLUMNS, maxErrors);
    assert.deepEqual(fast.result, slow.result, `seed ${seed}`);
    assert.equal(fast.output, slow.output, `seed ${seed}`);
    if (!('thrown' in fast.result)) accepted += fast.result.accepted;
  }
  assert.ok(accepted > 500, `only ${accepted} rows accepted in all`);
});
