import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import type { SourceRecord } from './csv.js';
import { IngestFormatError } from './errors.js';
import { excelDate, formatKind, numberText, readXlsxRows, type XlsxOptions } from './xlsx-stream.js';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-stream-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(bytes: Uint8Array): string {
  const p = path.join(dir, `${(fileCount += 1)}.xlsx`);
  fs.writeFileSync(p, bytes);
  return p;
}

async function read(p: string, options?: XlsxOptions): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const batch of readXlsxRows(p, options)) out.push(...batch);
  return out;
}

async function failure(p: string, options?: XlsxOptions): Promise<IngestFormatError> {
  try {
    await read(p, options);
  } catch (err) {
    assert.ok(err instanceof IngestFormatError, String(err));
    return err;
  }
  assert.fail('the read did not fail');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer): number => {
  let c = 0xffffffff;
  for (const byte of b) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/**
 * A zip archive, as a spreadsheet program writes one (deflated entries, central directory); with
 * `zip64`, sizes and offsets are in ZIP64 records, as for archives past 4 GB.
 */
function zip(files: Record<string, string>, zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const raw = Buffer.from(content);
    const data = zlib.deflateRawSync(raw);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(45, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc32(raw), 16);
    entry.writeUInt32LE(zip64 ? 0xffffffff : data.length, 20);
    entry.writeUInt32LE(zip64 ? 0xffffffff : raw.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(raw.length), 4);
      extra.writeBigUInt64LE(BigInt(data.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
      entry.writeUInt16LE(28, 30);
    }
    locals.push(local, nameBytes, data);
    central.push(entry, nameBytes, extra);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(central);
  const count = Object.keys(files).length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : count, 8);
  end.writeUInt16LE(zip64 ? 0xffff : count, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  if (!zip64) return Buffer.concat([...locals, directory, end]);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(directory.length), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...locals, directory, record, locator, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A workbook written the way the OpenXML SDK writes one: every element with an `x:` prefix. */
function sdkWorkbook(sheetData: string, options: { date1904?: boolean; numFmts?: string; cellXfs?: string; sharedStrings?: string; zip64?: boolean } = {}): Buffer {
  return zip({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    '_rels/.rels': `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R1" Type="${REL}/officeDocument" Target="/xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0"?><x:workbook xmlns:x="${MAIN}" xmlns:r="${REL}"><x:workbookPr${options.date1904 ? ' date1904="1"' : ''}/><x:sheets><x:sheet name="数据" sheetId="1" r:id="R5"/></x:sheets></x:workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R5" Type="${REL}/worksheet" Target="worksheets/data.xml"/><Relationship Id="R6" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="R7" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    'xl/styles.xml': `<?xml version="1.0"?><x:styleSheet xmlns:x="${MAIN}">${options.numFmts ?? ''}<x:cellStyleXfs count="1"><x:xf numFmtId="14"/></x:cellStyleXfs><x:cellXfs>${options.cellXfs ?? '<x:xf numFmtId="0"/>'}</x:cellXfs></x:styleSheet>`,
    'xl/sharedStrings.xml': `<?xml version="1.0"?><x:sst xmlns:x="${MAIN}">${options.sharedStrings ?? ''}</x:sst>`,
    'xl/worksheets/data.xml': `<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="${MAIN}"><x:dimension ref="A1:C3"/><x:sheetData>${sheetData}</x:sheetData><x:mergeCells><x:mergeCell ref="A9:B9"/></x:mergeCells></x:worksheet>`,
  }, options.zip64);
}

describe('readXlsxRows: a workbook written by exceljs', () => {
  let p: string;
  before(async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人口');
    ws.addRow([]); // Excel row 1 left empty: the header is the first row with a value
    ws.getRow(2).values = ['姓名', '出生日期', '登记时间', '金额', '有效', '备注', '结婚日期'];
    ws.getRow(3).values = ['张三', new Date(Date.UTC(1990, 0, 31)), new Date(Date.UTC(2024, 1, 29, 13, 45, 7)), 0.1, true, { richText: [{ text: '富' }, { text: '文本', font: { bold: true } }] }, new Date(Date.UTC(2015, 5, 1))];
    ws.getRow(4).values = ['李四', null, null, 1234567.25, false, { formula: 'D4*2', result: 2469134.5 }];
    // Excel row 5 has formatting only; row 6 has values again.
    ws.getRow(5).getCell(1).numFmt = '@';
    ws.getRow(6).values = ['王五', null, null, { error: '#N/A' }, null, -0.0001];
    for (const r of [3, 4, 6]) {
      ws.getCell(`B${r}`).numFmt = 'yyyy-mm-dd';
      ws.getCell(`C${r}`).numFmt = 'yyyy-mm-dd hh:mm:ss';
      ws.getCell(`G${r}`).numFmt = 'yyyy"年"m"月"d"日"';
    }
    wb.addWorksheet('第二页').addRow(['only', 42]);
    p = file(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  test('shared and rich strings, dates, date-times, numbers, booleans, formulas, errors and missing cells', async () => {
    assert.deepEqual(await read(p), [
      { row: 0, fields: ['姓名', '出生日期', '登记时间', '金额', '有效', '备注', '结婚日期'] },
      { row: 1, fields: ['张三', '1990-01-31', '2024-02-29T13:45:07', '0.1', 'true', '富文本', '2015-06-01'] },
      { row: 2, fields: ['李四', '', '', '1234567.25', 'false', '2469134.5', ''] },
      { row: 4, fields: ['王五', '', '', '', '', '-0.0001', ''] },
    ]);
  });

  test('another sheet by its index; a sheet that is not there is refused', async () => {
    assert.deepEqual(await read(p, { sheet: 1 }), [{ row: 0, fields: ['only', '42'] }]);
    const err = await failure(p, { sheet: 2 });
    assert.equal(err.code, 'XLSX_INVALID');
    assert.match(err.messageZh, /第 3 个工作表/);
  });

  test('too many shared strings are refused', async () => {
    const err = await failure(p, { maxSharedStrings: 5 });
    assert.equal(err.code, 'XLSX_TOO_MANY_STRINGS');
    assert.match(err.message, /CSV/);
  });
});

describe('readXlsxRows: what other producers write', () => {
  test('inline strings (exceljs streaming writer) and many rows, in batches', async () => {
    const target = path.join(dir, 'stream.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: target, useSharedStrings: false, useStyles: true });
    const ws = wb.addWorksheet('数据');
    ws.addRow(['编号', '名称', '说明']).commit();
    for (let i = 1; i <= 20_000; i += 1) ws.addRow([i, `名称${i}`, { richText: [{ text: '第' }, { text: `${i}` }, { text: '行' }] }]).commit();
    ws.commit();
    await wb.commit();
    const sizes: number[] = [];
    let last: SourceRecord | undefined;
    for await (const batch of readXlsxRows(target, { batchSize: 7000 })) {
      sizes.push(batch.length);
      last = batch.at(-1);
    }
    assert.deepEqual(sizes, [7000, 7000, 6001]);
    assert.deepEqual(last, { row: 20_000, fields: ['20000', '名称20000', '第20000行'] });
  });

  test('namespace prefixes, built-in Chinese date formats, escapes, phonetic guides, cells without references', async () => {
    const p = file(
      sdkWorkbook(
        [
          '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve">日期 </x:t></x:is></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c><x:c r="D1" t="str"><x:v>时间</x:v></x:c></x:row>',
          '<x:row r="2"><x:c r="A2" t="str"><x:f>CONCAT("a","b")</x:f><x:v>A&amp;B&lt;C&gt; _x000D_行_x005F_x000D_</x:v></x:c><x:c r="B2" s="1"><x:v>45322</x:v></x:c><x:c r="C2" s="2"><x:v>45322.5</x:v></x:c><x:c r="D2" s="3"><x:v>0.75</x:v></x:c></x:row>',
          '<x:row><x:c t="e"><x:v>#DIV/0!</x:v></x:c><x:c s="4"><x:v>2.5E-3</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c><x:c><x:v>0.30000000000000004</x:v></x:c></x:row>',
          '<x:row r="5" spans="1:4"/>',
          '<x:row r="6"><x:c r="C6" t="s"><x:v>2</x:v></x:c><x:c r="A6"><x:v>1.10101199003071E+17</x:v></x:c></x:row>',
        ].join(''),
        {
          // 31 = yyyy"年"m"月"d"日" and 22 = m/d/yyyy h:mm in the Chinese locale; 32 is a time.
          cellXfs: '<x:xf numFmtId="0"/><x:xf numFmtId="31"/><x:xf numFmtId="22"/><x:xf numFmtId="32"/><x:xf numFmtId="11"/>',
          sharedStrings:
            '<x:si><x:t>名称</x:t></x:si><x:si><x:r><x:t>登记</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>时间</x:t></x:r><x:rPh sb="0" eb="2"><x:t>とうき</x:t></x:rPh></x:si><x:si/>',
        },
      ),
    );
    assert.deepEqual(await read(p), [
      { row: 0, fields: ['名称', '日期 ', '登记时间', '时间'] },
      { row: 1, fields: ['A&B<C> \r行_x000D_', '2024-01-31', '2024-01-31T12:00:00', '1899-12-31T18:00:00'] },
      { row: 2, fields: ['', '0.0025', 'false', '0.3'] },
      { row: 5, fields: ['110101199003071000', '', '', ''] },
    ]);
  });

  test('a ZIP64 archive', async () => {
    const p = file(sdkWorkbook('<x:row r="1"><x:c t="str"><x:v>大文件</x:v></x:c></x:row><x:row r="2"><x:c><x:v>7</x:v></x:c></x:row>', { zip64: true }));
    assert.deepEqual(await read(p), [
      { row: 0, fields: ['大文件'] },
      { row: 1, fields: ['7'] },
    ]);
  });

  test('the 1904 date system', async () => {
    const p = file(sdkWorkbook('<x:row r="1"><x:c t="str"><x:v>d</x:v></x:c></x:row><x:row r="2"><x:c s="1"><x:v>0</x:v></x:c></x:row>', { date1904: true, cellXfs: '<x:xf/><x:xf numFmtId="14"/>' }));
    assert.deepEqual(await read(p), [
      { row: 0, fields: ['d'] },
      { row: 1, fields: ['1904-01-01'] },
    ]);
  });

  test('custom date formats are recognised by their codes', async () => {
    const p = file(
      sdkWorkbook('<x:row r="1"><x:c s="1"><x:v>45322</x:v></x:c><x:c s="2"><x:v>45322</x:v></x:c><x:c s="3"><x:v>45322.25</x:v></x:c></x:row>', {
        numFmts: '<x:numFmts><x:numFmt numFmtId="164" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;"/><x:numFmt numFmtId="165" formatCode="#,##0.00&quot;元&quot;"/><x:numFmt numFmtId="166" formatCode="yyyy/m/d\\ h:mm"/></x:numFmts>',
        cellXfs: '<x:xf/><x:xf numFmtId="164"/><x:xf numFmtId="165"/><x:xf numFmtId="166"/>',
      }),
    );
    assert.deepEqual(await read(p), [{ row: 0, fields: ['2024-01-31', '45322', '2024-01-31T06:00:00'] }]);
  });

  test('stopping early closes the file', async () => {
    const p = file(sdkWorkbook(Array.from({ length: 3000 }, (_, i) => `<x:row r="${i + 1}"><x:c><x:v>${i}</x:v></x:c></x:row>`).join('')));
    const fds = (): number => (fs.existsSync('/proc/self/fd') ? fs.readdirSync('/proc/self/fd').length : 0);
    const open = fds();
    for await (const batch of readXlsxRows(p, { batchSize: 10 })) {
      assert.equal(batch.length, 10);
      break;
    }
    assert.equal(fds(), open);
  });
});

describe('readXlsxRows: files that are not workbooks', () => {
  test('not a zip', async () => {
    const err = await failure(file(Buffer.from('name,id\n张三,1\n')));
    assert.equal(err.code, 'XLSX_INVALID');
  });

  test('an .xls or password-protected workbook is named as such', async () => {
    const err = await failure(file(Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)])));
    assert.equal(err.code, 'XLSX_INVALID');
    assert.match(err.messageZh, /\.xls/);
  });

  test('a zip without a workbook, and damaged compressed data', async () => {
    assert.equal((await failure(file(zip({ 'a.txt': 'hello' })))).code, 'XLSX_INVALID');
    const good = sdkWorkbook('<x:row r="1"><x:c><x:v>1</x:v></x:c></x:row>');
    const start = good.indexOf('xl/worksheets/data.xml') + 'xl/worksheets/data.xml'.length;
    const damaged = Buffer.from(good);
    damaged.fill(0xff, start, start + 20);
    assert.equal((await failure(file(damaged))).code, 'XLSX_INVALID');
  });
});

describe('cell values', () => {
  test('numbers are kept as written, made plain and without float noise', () => {
    const cases: Array<[string, string]> = [
      ['0.1', '0.1'],
      ['42', '42'],
      ['-3.5', '-3.5'],
      ['110101199003071234', '110101199003071234'],
      ['1e-7', '0.0000001'],
      ['2.5E-3', '0.0025'],
      ['1.5E+3', '1500'],
      ['0.30000000000000004', '0.3'],
      ['12.300000000000001', '12.3'],
      ['0.99999999999999989', '1'],
      ['-1.10101199003071E+17', '-110101199003071000'],
      ['1E+21', '1000000000000000000000'],
      ['not a number', 'not a number'],
    ];
    for (const [raw, text] of cases) assert.equal(numberText(raw), text, raw);
  });

  test('date serials in both date systems, with Excel\'s 1900 leap-year bug', () => {
    assert.equal(excelDate('1', false, false), '1900-01-01');
    assert.equal(excelDate('59', false, false), '1900-02-28');
    assert.equal(excelDate('61', false, false), '1900-03-01');
    assert.equal(excelDate('45322', false, false), '2024-01-31');
    assert.equal(excelDate('45322.999999', true, false), '2024-02-01T00:00:00');
    assert.equal(excelDate('45322.57299768519', true, false), '2024-01-31T13:45:07');
    assert.equal(excelDate('0', false, true), '1904-01-01');
    assert.equal(excelDate('-1', false, false), '-1');
  });

  test('format codes', () => {
    const DATE = 1;
    const DATETIME = 2;
    assert.equal(formatKind('yyyy-mm-dd'), DATE);
    assert.equal(formatKind('yyyy"年"m"月"d"日"'), DATE);
    assert.equal(formatKind('[$-F800]dddd, mmmm dd, yyyy'), DATE);
    assert.equal(formatKind('mmm-yy'), DATE);
    assert.equal(formatKind('h:mm:ss AM/PM'), DATETIME);
    assert.equal(formatKind('[h]:mm:ss'), DATETIME);
    assert.equal(formatKind('yyyy/m/d h:mm'), DATETIME);
    assert.equal(formatKind('General'), 0);
    assert.equal(formatKind('#,##0.00_);[Red](#,##0.00)'), 0);
    assert.equal(formatKind('0.00E+00'), 0);
    assert.equal(formatKind('"共"0"天"'), 0);
    assert.equal(formatKind('@'), 0);
  });
});
