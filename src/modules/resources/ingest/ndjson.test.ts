import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IngestFormatError } from './errors.js';
import { readNdjson, type NdjsonOptions, type NdjsonRecord } from './ndjson.js';

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function read(input: Uint8Array | Uint8Array[], options: NdjsonOptions = {}): Promise<NdjsonRecord[]> {
  const out: NdjsonRecord[] = [];
  for await (const batch of readNdjson(chunks(...(Array.isArray(input) ? input : [input])), options)) out.push(...batch);
  return out;
}

const codeOf = (r: NdjsonRecord | undefined): string | undefined => (r !== undefined && 'error' in r ? r.error.code : undefined);

describe('readNdjson', () => {
  test('one object per line; blank lines skipped and not numbered; CRLF accepted', async () => {
    const records = await read(Buffer.from('\n{"name":"张三","age":30}\r\n\r\n  \n{"name":"李四","ok":true,"n":null}\n'));
    assert.deepEqual(records, [
      { row: 1, value: { name: '张三', age: 30 } },
      { row: 2, value: { name: '李四', ok: true, n: null } },
    ]);
  });

  test('the last line needs no line break; a BOM is skipped', async () => {
    assert.deepEqual(await read(Buffer.from('\uFEFF{"a":1}\n{"a":2}')), [
      { row: 1, value: { a: 1 } },
      { row: 2, value: { a: 2 } },
    ]);
  });

  test('a line that is not JSON, or not an object, is an error for that row only', async () => {
    const records = await read(Buffer.from('{"a":1}\n{"a":\n[1,2]\n"text"\nnull\n42\n{"a":3}\n'));
    assert.deepEqual(
      records.map((r) => [r.row, codeOf(r) ?? 'ok']),
      [
        [1, 'ok'],
        [2, 'JSON_INVALID'],
        [3, 'NOT_AN_OBJECT'],
        [4, 'NOT_AN_OBJECT'],
        [5, 'NOT_AN_OBJECT'],
        [6, 'NOT_AN_OBJECT'],
        [7, 'ok'],
      ],
    );
    const bad = records[1]!;
    assert.ok('error' in bad);
    assert.match(bad.error.message, /^Row 2 \(line 2\) is not valid JSON/);
    assert.match(bad.error.messageZh, /^第 2 行/);
    const array = records[2]!;
    assert.ok('error' in array && array.error.messageZh.includes('数组'));
  });

  test('a line that is not UTF-8 is an error for that row; the others are read', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"好"}\n{"a":"'), Buffer.from('d5c5c8fd', 'hex'), Buffer.from('"}\n{"a":"ok"}\n')]);
    const records = await read(bytes);
    assert.deepEqual(
      records.map((r) => [r.row, codeOf(r) ?? 'ok']),
      [
        [1, 'ok'],
        [2, 'JSON_INVALID'],
        [3, 'ok'],
      ],
    );
    const bad = records[1]!;
    assert.ok('error' in bad && /UTF-8/.test(bad.error.message));
  });

  test('a number a double cannot hold exactly is refused, not rounded', async () => {
    const records = await read(
      Buffer.from(
        [
          '{"id":110101199003071234}',
          '{"id":"110101199003071234"}',
          '{"x":0.1,"big":9007199254740991,"exact":10000000000000000000,"f":1234567.12345678}',
          '{"d":3.14159265358979323846}',
          '{"n":1e400}',
          '{"s":"escaped \\" 12345678901234567890"}',
          '{"list": [1,  -12345678901234567890]}',
        ].join('\n'),
      ),
    );
    assert.deepEqual(
      records.map((r) => codeOf(r) ?? 'ok'),
      ['JSON_INVALID', 'ok', 'ok', 'JSON_INVALID', 'JSON_INVALID', 'ok', 'JSON_INVALID'],
    );
    const id = records[0]!;
    assert.ok('error' in id);
    assert.match(id.error.message, /110101199003071234/);
    assert.match(id.error.messageZh, /字符串/);
  });

  test('chunks cut anywhere, one-byte chunks included', async () => {
    const bytes = Buffer.from('\uFEFF{"名":"张三"}\r\n\n{"𠀀":[1,2]}\n');
    const expected = [
      { row: 1, value: { 名: '张三' } },
      { row: 2, value: { '𠀀': [1, 2] } },
    ];
    for (let cut = 0; cut <= bytes.length; cut += 1) assert.deepEqual(await read([bytes.subarray(0, cut), bytes.subarray(cut)]), expected, `cut ${cut}`);
    assert.deepEqual(await read([...bytes].map((b) => Uint8Array.of(b))), expected);
  });

  test('batches have the size asked for', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => `{"i":${i}}`).join('\n');
    const sizes: number[] = [];
    for await (const batch of readNdjson(chunks(Buffer.from(lines)), { batchSize: 3 })) sizes.push(batch.length);
    assert.deepEqual(sizes, [3, 3, 1]);
  });

  test('a line longer than the limit stops the reading', async () => {
    const long = `{"a":"${'x'.repeat(100)}"}`;
    await assert.rejects(read(Buffer.from(`{"a":1}\n${long}\n`), { maxLineLength: 50 }), (err: unknown) => {
      assert.ok(err instanceof IngestFormatError);
      assert.equal(err.code, 'NDJSON_LINE_TOO_LONG');
      assert.equal(err.row, 2);
      return true;
    });
    // Also when the line arrives in many chunks without a line break.
    const parts = Array.from({ length: 10 }, () => Buffer.from('x'.repeat(20)));
    await assert.rejects(read(parts, { maxLineLength: 50 }), IngestFormatError);
    assert.equal((await read(Buffer.from(long), { maxLineLength: 200 })).length, 1);
  });

  test('UTF-16 is refused by name', async () => {
    await assert.rejects(read(Buffer.from('\uFEFF{"a":1}\n', 'utf16le')), (err: unknown) => err instanceof IngestFormatError && err.code === 'ENCODING_UNSUPPORTED');
  });
});
