import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeText, detectEncoding, parseCharset, TextDecodeFailure } from './encoding.js';
import { IngestFormatError } from './errors.js';

/** 张三 in GBK, and a few more GBK characters from the code table. */
const ZHANG_SAN_GBK = Buffer.from('d5c5c8fd', 'hex');
const QINGHAI_GBK = Buffer.from('c7e0baa3', 'hex'); // 青海

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function decodeAll(source: AsyncIterable<Uint8Array>, encoding: 'utf-8' | 'gb18030' | 'auto'): Promise<string> {
  let text = '';
  for await (const piece of decodeText(source, encoding)) text += piece;
  return text;
}

describe('parseCharset', () => {
  test('names UTF-8 and the GB family; no charset means detect', () => {
    assert.equal(parseCharset(undefined), 'auto');
    assert.equal(parseCharset('utf-8'), 'utf-8');
    assert.equal(parseCharset(' UTF8 '), 'utf-8');
    assert.equal(parseCharset('"utf-8"'), 'utf-8');
    for (const gb of ['gbk', 'GBK', 'gb2312', 'GB18030', 'cp936', 'x-gbk']) assert.equal(parseCharset(gb), 'gb18030', gb);
  });

  test('refuses an encoding it cannot read rather than guessing', () => {
    for (const other of ['latin1', 'iso-8859-1', 'big5', 'utf-16', 'shift_jis']) assert.equal(parseCharset(other), undefined, other);
  });
});

describe('detectEncoding', () => {
  test('a UTF-8 BOM decides, and is reported for skipping', () => {
    assert.deepEqual(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61])), { encoding: 'utf-8', bomLength: 3 });
  });

  test('valid UTF-8 is UTF-8, even cut in the middle of a character at the end of the sample', () => {
    const utf8 = Buffer.from('姓名,张三');
    assert.deepEqual(detectEncoding(utf8), { encoding: 'utf-8', bomLength: 0 });
    assert.equal(detectEncoding(utf8.subarray(0, utf8.length - 1)).encoding, 'utf-8');
    assert.equal(detectEncoding(utf8.subarray(0, utf8.length - 2)).encoding, 'utf-8');
    assert.equal(detectEncoding(Buffer.from('plain ascii')).encoding, 'utf-8');
  });

  test('GBK bytes are GB18030', () => {
    assert.deepEqual(detectEncoding(Buffer.concat([Buffer.from('name,'), ZHANG_SAN_GBK])), { encoding: 'gb18030', bomLength: 0 });
    assert.equal(detectEncoding(QINGHAI_GBK).encoding, 'gb18030');
  });

  test('overlong and surrogate sequences are not UTF-8', () => {
    assert.equal(detectEncoding(Buffer.from([0xc1, 0xaa, 0x41])).encoding, 'gb18030');
    assert.equal(detectEncoding(Buffer.from([0xed, 0xa0, 0x80, 0x41])).encoding, 'gb18030');
  });
});

describe('decodeText', () => {
  test('decodes GBK declared or detected, whatever the chunking', async () => {
    const bytes = Buffer.concat([Buffer.from('a,'), ZHANG_SAN_GBK, Buffer.from('\r\n'), QINGHAI_GBK]);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      for (const encoding of ['gb18030', 'auto'] as const) {
        assert.equal(await decodeAll(chunks(bytes.subarray(0, cut), bytes.subarray(cut)), encoding), 'a,张三\r\n青海', `cut ${cut}`);
      }
    }
  });

  test('a 4-byte GB18030 character cut anywhere', async () => {
    // U+20000 (𠀀) is 95 32 82 36 in GB18030.
    const bytes = Buffer.from('4195328236425a', 'hex');
    for (let a = 0; a <= bytes.length; a += 1) {
      for (let b = a; b <= bytes.length; b += 1) {
        const text = await decodeAll(chunks(bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)), 'gb18030');
        assert.equal(text, 'A\u{20000}BZ');
      }
    }
  });

  test('a BOM is skipped and wins over the declared encoding', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('姓名')]);
    assert.equal(await decodeAll(chunks(bytes), 'gb18030'), '姓名');
    assert.equal(await decodeAll(chunks(bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)), 'auto'), '姓名');
  });

  test('a U+FEFF inside the text is kept', async () => {
    assert.equal(await decodeAll(chunks(Buffer.from('a\uFEFFb')), 'utf-8'), 'a\uFEFFb');
  });

  test('in auto mode, GBK after more than a sample of ASCII is still GBK', async () => {
    const ascii = Buffer.from('x'.repeat(200_000));
    const text = await decodeAll(chunks(ascii.subarray(0, 70_000), ascii.subarray(70_000), ZHANG_SAN_GBK), 'auto');
    assert.equal(text.length, 200_002);
    assert.ok(text.endsWith('x张三'));
  });

  test('bytes that are not UTF-8 fail with their offset and the text before them', async () => {
    const bytes = Buffer.concat([Buffer.from('ok 好'), ZHANG_SAN_GBK, Buffer.from('more')]);
    await assert.rejects(decodeAll(chunks(bytes.subarray(0, 5), bytes.subarray(5)), 'utf-8'), (err: unknown) => {
      assert.ok(err instanceof TextDecodeFailure);
      assert.equal(err.offset, 6);
      assert.equal(err.text, 'ok 好'.slice(3));
      return true;
    });
  });

  test('an incomplete character at the end is an error', async () => {
    await assert.rejects(decodeAll(chunks(Buffer.from('ab'), Buffer.from([0xe5, 0xa5])), 'utf-8'), TextDecodeFailure);
    await assert.rejects(decodeAll(chunks(Buffer.from('ab'), Buffer.from([0xd5])), 'gb18030'), TextDecodeFailure);
  });

  test('UTF-16 is refused by name', async () => {
    await assert.rejects(decodeAll(chunks(Buffer.from([0xff, 0xfe, 0x61, 0x00])), 'auto'), (err: unknown) => {
      assert.ok(err instanceof IngestFormatError);
      assert.equal(err.code, 'ENCODING_UNSUPPORTED');
      assert.match(err.messageZh, /UTF-16/);
      return true;
    });
  });

  test('an empty input is empty text', async () => {
    assert.equal(await decodeAll(chunks(), 'auto'), '');
    assert.equal(await decodeAll(chunks(Buffer.alloc(0), Buffer.from([0xef, 0xbb, 0xbf])), 'auto'), '');
  });
});
