import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readCsv, type CsvOptions, type SourceRecord } from './csv.js';
import { IngestFormatError } from './errors.js';

const ZHANG_SAN_GBK = Buffer.from('d5c5c8fd', 'hex'); // 张三
const NAME_GBK = Buffer.from('d0d5c3fb', 'hex'); // 姓名

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function read(input: Uint8Array | Uint8Array[], options: Partial<CsvOptions> = {}): Promise<SourceRecord[]> {
  const parts = Array.isArray(input) ? input : [input];
  const out: SourceRecord[] = [];
  for await (const batch of readCsv(chunks(...parts), { encoding: 'auto', ...options })) out.push(...batch);
  return out;
}

const fieldsOf = async (text: string, options: Partial<CsvOptions> = {}): Promise<string[][]> =>
  (await read(Buffer.from(text), options)).map((r) => r.fields);

/** The IngestFormatError a read ends with. */
async function failure(input: Uint8Array | Uint8Array[], options: Partial<CsvOptions> = {}): Promise<IngestFormatError> {
  try {
    await read(input, options);
  } catch (err) {
    assert.ok(err instanceof IngestFormatError, String(err));
    assert.ok(err.message.length > 0 && err.messageZh.length > 0);
    return err;
  }
  assert.fail('the read did not fail');
}

describe('readCsv: RFC 4180', () => {
  test('quoted fields, doubled quotes, delimiters and line breaks inside quotes', async () => {
    assert.deepEqual(await fieldsOf('a,b,c\n"x,1","say ""hi""","two\nlines"\n'), [
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'two\nlines'],
    ]);
  });

  test('LF, CRLF and a lone CR all end a record; a CRLF inside quotes is kept', async () => {
    assert.deepEqual(await fieldsOf('a,b\r\n1,2\r3,4\n5,"6\r\n7"\r\n'), [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6\r\n7'],
    ]);
  });

  test('empty fields, a trailing delimiter, and no line break at the end', async () => {
    assert.deepEqual(await fieldsOf(',,\n"",x,\na,b,'), [
      ['', '', ''],
      ['', 'x', ''],
      ['a', 'b', ''],
    ]);
    assert.deepEqual(await fieldsOf('a'), [['a']]);
    assert.deepEqual(await fieldsOf('"a"'), [['a']]);
    assert.deepEqual(await fieldsOf(''), []);
  });

  test('rows count records: blank lines are skipped and not numbered, quoted line breaks do not count', async () => {
    const records = await read(Buffer.from('\nh1,h2\n\n\r\na,"x\ny"\r\n\nb,c\n\n'));
    assert.deepEqual(
      records.map((r) => [r.row, r.fields]),
      [
        [0, ['h1', 'h2']],
        [1, ['a', 'x\ny']],
        [2, ['b', 'c']],
      ],
    );
  });

  test('a row with a wrong number of fields is yielded as it is', async () => {
    assert.deepEqual(await fieldsOf('a,b,c\n1\n1,2,3,4\n'), [['a', 'b', 'c'], ['1'], ['1', '2', '3', '4']]);
  });

  test('a quote inside an unquoted field is text; text after a closing quote is kept, as Excel reads it', async () => {
    assert.deepEqual(await fieldsOf('ab"c,"x"y,z\n'), [['ab"c', 'xy', 'z']]);
    assert.deepEqual(await fieldsOf(' "a" ,b\n'), [[' "a" ', 'b']]);
  });

  test('another delimiter: semicolon, tab', async () => {
    assert.deepEqual(await fieldsOf('a;"b;c"\n1;2\n', { delimiter: ';' }), [['a', 'b;c'], ['1', '2']]);
    assert.deepEqual(await fieldsOf('a\tb,c\n', { delimiter: '\t' }), [['a', 'b,c']]);
  });

  test('a delimiter that cannot be one is refused', async () => {
    for (const delimiter of ['', ';;', '"', '\n']) assert.equal((await failure(Buffer.from('a'), { delimiter })).code, 'CSV_DELIMITER_INVALID');
  });
});

describe('readCsv: encodings', () => {
  test('GBK, as Excel and WPS export it on Chinese Windows, detected or declared', async () => {
    const bytes = Buffer.concat([NAME_GBK, Buffer.from(',id\r\n'), ZHANG_SAN_GBK, Buffer.from(',1\r\n')]);
    const expected = [
      ['姓名', 'id'],
      ['张三', '1'],
    ];
    assert.deepEqual((await read(bytes)).map((r) => r.fields), expected);
    assert.deepEqual((await read(bytes, { encoding: 'gb18030' })).map((r) => r.fields), expected);
  });

  test('a UTF-8 BOM is skipped, also when GBK was declared', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('姓名,id\n张三,1\n')]);
    for (const encoding of ['auto', 'utf-8', 'gb18030'] as const) {
      assert.deepEqual((await read(bytes, { encoding })).map((r) => r.fields), [
        ['姓名', 'id'],
        ['张三', '1'],
      ]);
    }
  });

  test('bytes that are not UTF-8 are refused with the row they are in', async () => {
    const head = Buffer.from('姓名,说明\n张三,"第一行\n第二行"\n李四,ok\n');
    const bytes = Buffer.concat([head, Buffer.from('王五,'), ZHANG_SAN_GBK, Buffer.from('\n赵六,x\n')]);
    for (const cut of [3, head.length - 2, head.length + 8, bytes.length - 3]) {
      const err = await failure([bytes.subarray(0, cut), bytes.subarray(cut)], { encoding: 'utf-8' });
      assert.equal(err.code, 'ENCODING_INVALID');
      assert.equal(err.row, 3, `cut ${cut}`);
      assert.equal(err.line, 5, `cut ${cut}`);
      assert.match(err.message, /charset=gbk/);
      assert.match(err.messageZh, /第 3 行/);
    }
  });

  test('bytes that are not GB18030 are refused with their row', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.from([0x31, 0xff, 0x0a])]);
    const err = await failure(bytes, { encoding: 'gb18030' });
    assert.equal(err.code, 'ENCODING_INVALID');
    assert.equal(err.row, 2);
  });

  test('a character cut by the end of the file is refused', async () => {
    const bytes = Buffer.from('a,b\n张三');
    assert.equal((await failure(bytes.subarray(0, bytes.length - 1), { encoding: 'utf-8' })).code, 'ENCODING_INVALID');
  });

  test('UTF-16 is refused by name', async () => {
    assert.equal((await failure(Buffer.from('\uFEFFa,b\n', 'utf16le'))).code, 'ENCODING_UNSUPPORTED');
  });
});

describe('readCsv: chunk boundaries', () => {
  const sample = '\uFEFF姓名,"说明, ""引号"""\r\n张三,"多\r\n行"\r\n\r\n𠀀李,x\ry,"z"\n';
  const expected = [
    { row: 0, fields: ['姓名', '说明, "引号"'] },
    { row: 1, fields: ['张三', '多\r\n行'] },
    { row: 2, fields: ['𠀀李', 'x'] },
    { row: 3, fields: ['y', 'z'] },
  ];

  test('UTF-8 split into two chunks at every byte and into one-byte chunks', async () => {
    const bytes = Buffer.from(sample);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      assert.deepEqual(await read([bytes.subarray(0, cut), bytes.subarray(cut)]), expected, `cut at ${cut}`);
    }
    assert.deepEqual(await read([...bytes].map((b) => Uint8Array.of(b))), expected);
  });

  test('UTF-8 split into three chunks at every pair of offsets, in batches of one', async () => {
    const bytes = Buffer.from(sample);
    for (let a = 0; a <= bytes.length; a += 1) {
      for (let b = a; b <= bytes.length; b += 3) {
        const got = await read([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)], { batchSize: 1 });
        assert.deepEqual(got, expected, `cuts at ${a}, ${b}`);
      }
    }
  });

  test('GBK split at every byte, detected and declared', async () => {
    const bytes = Buffer.concat([NAME_GBK, Buffer.from(',"a\r\nb"\r\n'), ZHANG_SAN_GBK, Buffer.from(',"""'), ZHANG_SAN_GBK, Buffer.from('"""\r\n')]);
    const want = [
      { row: 0, fields: ['姓名', 'a\r\nb'] },
      { row: 1, fields: ['张三', '"张三"'] },
    ];
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      for (const encoding of ['auto', 'gb18030'] as const) {
        assert.deepEqual(await read([bytes.subarray(0, cut), bytes.subarray(cut)], { encoding }), want, `${encoding} cut at ${cut}`);
      }
    }
  });

  test('GBK whose first 64 KiB are ASCII is still detected', async () => {
    const head = Buffer.from(`id,name\n${'1,abc\n'.repeat(20_000)}`);
    const records = await read([head, Buffer.concat([Buffer.from('2,'), ZHANG_SAN_GBK, Buffer.from('\n')])]);
    assert.deepEqual(records.at(-1), { row: 20_001, fields: ['2', '张三'] });
  });
});

describe('readCsv: random documents', () => {
  test('whatever is written with RFC 4180 quoting reads back the same, cut into random chunks', async () => {
    // A small deterministic generator (mulberry32), so that a failure can be replayed.
    let seed = 20_240_131;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const pieces = ['a', 'Z', '0', ' ', '张', '三', '𠀀', ',', '"', '\n', '\r', '\r\n', ';', '\t'];
    for (let doc = 0; doc < 300; doc += 1) {
      const columns = 1 + Math.floor(random() * 4);
      const records: string[][] = [];
      for (let r = 0, rows = Math.floor(random() * 6); r < rows; r += 1) {
        records.push(Array.from({ length: columns }, () => Array.from({ length: Math.floor(random() * 5) }, () => pick(pieces)).join('')));
      }
      // A one-column record with an empty field would be a blank line: quote it, as writers do.
      const quote = (f: string): string => (f === '' || /[",\r\n]/.test(f) || random() < 0.2 ? `"${f.replaceAll('"', '""')}"` : f);
      const text = records.map((fields) => fields.map(quote).join(',') + pick(['\n', '\r\n', '\r'])).join('');
      const bytes = Buffer.from(text);
      const parts: Uint8Array[] = [];
      for (let p = 0; p < bytes.length; ) {
        const size = 1 + Math.floor(random() * 12);
        parts.push(bytes.subarray(p, p + size));
        p += size;
      }
      const got = await read(parts, { encoding: 'utf-8', batchSize: 1 + Math.floor(random() * 3) });
      assert.deepEqual(
        got.map((r) => r.fields),
        records,
        JSON.stringify(text),
      );
      assert.deepEqual(
        got.map((r) => r.row),
        records.map((_, i) => i),
      );
    }
  });
});

describe('readCsv: batches and limits', () => {
  test('batches have the size asked for; the header is the first record of the first batch', async () => {
    const sizes: number[] = [];
    let first: SourceRecord | undefined;
    for await (const batch of readCsv(chunks(Buffer.from('h\n1\n2\n3\n4\n')), { encoding: 'utf-8', batchSize: 2 })) {
      first ??= batch[0];
      sizes.push(batch.length);
    }
    assert.deepEqual(sizes, [2, 2, 1]);
    assert.deepEqual(first, { row: 0, fields: ['h'] });
  });

  test('an unterminated quote is refused with the row and line where it opens', async () => {
    const err = await failure(Buffer.from('a,b\n1,2\n\n3,"open\nand never closed\n'));
    assert.equal(err.code, 'CSV_UNTERMINATED_QUOTE');
    assert.equal(err.row, 2);
    assert.equal(err.line, 4);
    assert.match(err.messageZh, /第 2 行/);
  });

  test('a field longer than the limit is refused, also when it spans chunks', async () => {
    assert.equal((await failure(Buffer.from('a,b\n1,123456\n'), { maxFieldLength: 5 })).code, 'CSV_FIELD_TOO_LONG');
    assert.deepEqual(await fieldsOf('a,12345\n', { maxFieldLength: 5 }), [['a', '12345']]);
    const x = Buffer.from('x'.repeat(100_000));
    for (const head of ['a\n"', 'a\n']) {
      const err = await failure([Buffer.from(head), x, x], { maxFieldLength: 90_000 });
      assert.equal(err.code, 'CSV_FIELD_TOO_LONG', head);
      assert.equal(err.row, 1);
    }
  });

  test('too many fields, or a record past the record limit, are refused', async () => {
    assert.equal((await failure(Buffer.from('a,b,c,d\n'), { maxColumns: 3 })).code, 'CSV_TOO_MANY_COLUMNS');
    assert.deepEqual(await fieldsOf('a,b,c\n', { maxColumns: 3 }), [['a', 'b', 'c']]);
    assert.equal((await failure(Buffer.from('h\n1234,5678,9\n'), { maxRecordLength: 10 })).code, 'CSV_RECORD_TOO_LONG');
  });

  test('a million rows stream through in bounded memory', async () => {
    const rowsWanted = 1_000_000;
    // About 60 MB of CSV, generated chunk by chunk and never held whole.
    async function* generate(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('id,name,sex,birth,phone,city,amount,flag\r\n');
      const lines: string[] = [];
      for (let i = 1; i <= rowsWanted; i += 1) {
        lines.push(`${i},张三,1,1990-01-01,13800000000,西宁,${i % 1000}.5,是`);
        if (lines.length === 1000) {
          yield Buffer.from(`${lines.join('\r\n')}\r\n`);
          lines.length = 0;
        }
      }
    }
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let count = 0;
    let last: SourceRecord | undefined;
    for await (const batch of readCsv(generate(), { encoding: 'auto' })) {
      count += batch.length;
      last = batch.at(-1);
      if (count % 100_000 < batch.length) peak = Math.max(peak, process.memoryUsage().rss);
    }
    assert.equal(count, rowsWanted + 1);
    assert.deepEqual(last, { row: rowsWanted, fields: [String(rowsWanted), '张三', '1', '1990-01-01', '13800000000', '西宁', '0.5', '是'] });
    // Holding the records would take several hundred MB.
    assert.ok(peak - before < 150 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1048576)} MB`);
  });
});
