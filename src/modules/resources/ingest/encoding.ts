import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { IngestFormatError } from './errors.js';

export { IngestFormatError } from './errors.js';

/** The encodings a text upload may be in. GBK and GB2312 are read as GB18030, their superset. */
export type SourceEncoding = 'utf-8' | 'gb18030';

// WHATWG Encoding labels of the two encodings, plus the Windows code-page names that Chinese
// Windows tools put in a charset parameter (cp936 is GBK).
const CHARSETS: Record<string, SourceEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  unicode11utf8: 'utf-8',
  unicode20utf8: 'utf-8',
  'x-unicode20utf8': 'utf-8',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  gb2312: 'gb18030',
  gb_2312: 'gb18030',
  'gb_2312-80': 'gb18030',
  csgb2312: 'gb18030',
  'euc-cn': 'gb18030',
  'iso-ir-58': 'gb18030',
  csiso58gb231280: 'gb18030',
  chinese: 'gb18030',
  cp936: 'gb18030',
  ms936: 'gb18030',
  'windows-936': 'gb18030',
  gb18030: 'gb18030',
};

/**
 * The encoding a request's `charset` parameter names: undefined (no parameter) means "detect it";
 * a charset that is not UTF-8 or a GB encoding gives undefined and the caller refuses the upload
 * (CHARSET_UNSUPPORTED) rather than guessing against the declaration.
 */
export function parseCharset(charset: string | undefined): SourceEncoding | 'auto' | undefined {
  if (charset === undefined) return 'auto';
  let label = charset.trim().toLowerCase();
  if (label.length >= 2 && label.startsWith('"') && label.endsWith('"')) label = label.slice(1, -1).trim();
  if (label === '') return 'auto';
  return Object.hasOwn(CHARSETS, label) ? CHARSETS[label] : undefined;
}

/** The byte-order marks a text file may start with. */
export const hasUtf8Bom = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
export const hasGb18030Bom = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x84 && b[1] === 0x31 && b[2] === 0x95 && b[3] === 0x33;
/** UTF-16 (Excel's "Unicode text") cannot be read as either encoding; it is refused by name. */
export const hasUtf16Bom = (b: Uint8Array): boolean => b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));

/**
 * The encoding of a sample from the start of a file: a BOM decides; otherwise a sample that is
 * strictly valid UTF-8 (a sequence cut by the sample's end allowed) is UTF-8, and anything else is
 * taken as GB18030, which is what Excel and WPS write for "CSV" on Chinese Windows. Text in GBK is
 * almost never valid UTF-8 once it holds a few Chinese characters, so the test is reliable on a
 * sample of some kilobytes.
 */
export function detectEncoding(sample: Uint8Array): { encoding: SourceEncoding; bomLength: number } {
  if (hasUtf8Bom(sample)) return { encoding: 'utf-8', bomLength: 3 };
  if (hasGb18030Bom(sample)) return { encoding: 'gb18030', bomLength: 4 };
  const end = utf8Boundary(sample, sample.length);
  return { encoding: isUtf8(sample.subarray(0, end)) ? 'utf-8' : 'gb18030', bomLength: 0 };
}

/**
 * Where the last complete UTF-8 character of b[0, n) ends: a lead byte whose sequence runs past n
 * is left for the next chunk. Invalid bytes are not judged here; the decoder refuses them.
 */
function utf8Boundary(b: Uint8Array, n: number): number {
  let k = n - 1;
  while (k >= 0 && k >= n - 4 && (b[k]! & 0xc0) === 0x80) k -= 1;
  if (k < 0 || k < n - 4) return n;
  const x = b[k]!;
  const length = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : x >= 0xc0 ? 2 : 1;
  return k + length > n ? k : n;
}

/**
 * The same for GB18030, given that b[0] starts a character. Lead and trail bytes overlap, so the
 * scan goes back to a byte that is never part of a multi-byte character (0x00–0x2F, 0x3A–0x3F,
 * 0x7F: commas, quotes, line breaks — frequent in CSV) and walks forward from there.
 */
function gb18030Boundary(b: Uint8Array, n: number): number {
  let k = n - 1;
  while (k >= 0) {
    const x = b[k]!;
    if (x < 0x30 || (x > 0x39 && x < 0x40) || x === 0x7f) break;
    k -= 1;
  }
  let p = k + 1;
  while (p < n) {
    const x = b[p]!;
    if (x < 0x81 || x === 0xff) {
      p += 1;
      continue;
    }
    if (p + 1 >= n) return p;
    const y = b[p + 1]!;
    if (y >= 0x30 && y <= 0x39) {
      if (p + 3 >= n) return p;
      p += 4;
    } else p += 2;
  }
  return n;
}

/**
 * Bytes that are not text in the encoding being read. `text` is the text decoded before them, so
 * that a reader can parse it and name the row where the bad bytes are.
 */
export class TextDecodeFailure extends Error {
  constructor(
    readonly encoding: SourceEncoding,
    readonly offset: number,
    readonly text: string,
  ) {
    super(`invalid ${encoding} at byte ${offset}`);
  }
}

/**
 * Decodes chunks that may cut a character anywhere. Each chunk is decoded up to its last complete
 * character and the few bytes after it are carried over, so every decode call sees whole
 * characters — which is what lets a failure be placed exactly (see `failure`).
 */
class ChunkDecoder {
  private readonly decoder: TextDecoder;
  private carry: Uint8Array | undefined;

  constructor(
    readonly encoding: SourceEncoding,
    /** File offset of the next byte given to `decode`. */
    private offset: number,
  ) {
    // ignoreBOM: the file's BOM is skipped by the caller; a U+FEFF inside the text is kept.
    this.decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  }

  decode(bytes: Uint8Array): string {
    let input = bytes;
    let base = this.offset;
    if (this.carry !== undefined) {
      input = Buffer.concat([this.carry, bytes]);
      base -= this.carry.length;
    }
    this.offset += bytes.length;
    const cut = this.encoding === 'utf-8' ? utf8Boundary(input, input.length) : gb18030Boundary(input, input.length);
    // A copy: the source may reuse its buffer for the next chunk.
    this.carry = cut < input.length ? new Uint8Array(input.subarray(cut)) : undefined;
    if (cut === 0) return '';
    const part = cut === input.length ? input : input.subarray(0, cut);
    try {
      return this.decoder.decode(part);
    } catch {
      throw this.failure(part, base);
    }
  }

  /** File offset of the next byte to be given to `decode`. */
  get position(): number {
    return this.offset;
  }

  /** The end of the input: bytes of an unfinished character are an error. */
  end(): void {
    if (this.carry !== undefined) throw new TextDecodeFailure(this.encoding, this.offset - this.carry.length, '');
  }

  /**
   * Finds the first bad byte of `part` by bisection over prefixes decoded in streaming mode (a
   * prefix that decodes has no bad byte; cut characters at its end are not errors). Runs once, on
   * the way to refusing the file.
   */
  private failure(part: Uint8Array, base: number): TextDecodeFailure {
    const decodes = (length: number): boolean => {
      try {
        new TextDecoder(this.encoding, { fatal: true, ignoreBOM: true }).decode(part.subarray(0, length), { stream: true });
        return true;
      } catch {
        return false;
      }
    };
    let good = 0;
    let bad = part.length;
    if (decodes(bad)) good = bad;
    while (bad - good > 1) {
      const mid = (good + bad) >>> 1;
      if (decodes(mid)) good = mid;
      else bad = mid;
    }
    // The bad sequence starts after the last complete character of the good prefix.
    const valid = this.encoding === 'utf-8' ? utf8Boundary(part, good) : gb18030Boundary(part, good);
    const text = new TextDecoder(this.encoding, { ignoreBOM: true }).decode(part.subarray(0, valid));
    return new TextDecodeFailure(this.encoding, base + valid, text);
  }
}

/** Source bytes decoded per call: V8 allocates strings past ~128 KB far more slowly. */
const PIECE_BYTES = 32 * 1024;
/** Bytes after the first non-ASCII byte looked at to detect the encoding. */
const SAMPLE_BYTES = 64 * 1024;

/**
 * A byte stream as text, in pieces of at most 32 KiB of source bytes, whatever the source's chunk
 * size. A BOM is skipped and wins over the declared encoding (as in the WHATWG decode algorithm:
 * a UTF-8 BOM is certain evidence, a declaration is often wrong). In 'auto' mode the decision waits
 * for the first non-ASCII byte — a file whose first screens are ASCII may still be GBK — and is then
 * made on 64 KiB from there; everything before it is ASCII, the same in both encodings.
 * Throws TextDecodeFailure for bytes that are not text, IngestFormatError for UTF-16. `continueAt`: the
 * source continues a file from that byte offset (csv-bytes.ts hands over): no BOM, the encoding as declared.
 */
export async function* decodeText(source: AsyncIterable<Uint8Array>, declared: SourceEncoding | 'auto', continueAt?: number): AsyncGenerator<string> {
  if (continueAt !== undefined) {
    // The rest of a file whose start was read elsewhere: no BOM, and the encoding is known.
    if (declared === 'auto') throw new TypeError('a continued text needs its encoding');
    const decoder = new ChunkDecoder(declared, continueAt);
    for await (const chunk of source) {
      for (let p = 0; p < chunk.length; p += PIECE_BYTES) {
        const text = decoder.decode(chunk.subarray(p, p + PIECE_BYTES));
        if (text !== '') yield text;
      }
    }
    decoder.end();
    return;
  }
  // 'bom': fewer than 4 bytes seen; 'ascii': auto mode, only ASCII so far (decoded as UTF-8, which
  // it is in both encodings); 'sample': auto mode, collecting the sample; 'decided'.
  // (Asserted, not annotated: the helpers below change it, which flow analysis cannot see.)
  let state = 'bom' as 'bom' | 'ascii' | 'sample' | 'decided';
  let decoder = new ChunkDecoder('utf-8', 0);
  // Bytes held until the encoding is decided: copies, as the source may reuse its buffers.
  let held: Uint8Array[] = [];
  let heldLength = 0;
  let sampleStart = 0;

  const pieces = function* (bytes: Uint8Array): Generator<string> {
    for (let p = 0; p < bytes.length; p += PIECE_BYTES) {
      const text = decoder.decode(bytes.subarray(p, p + PIECE_BYTES));
      if (text !== '') yield text;
    }
  };
  /** The held bytes followed by `bytes`, which need no copy as they are used at once. */
  const withHeld = (bytes: Uint8Array): Uint8Array => {
    if (held.length === 0) return bytes;
    const all = Buffer.concat([...held, bytes]);
    held = [];
    heldLength = 0;
    return all;
  };
  const hold = (bytes: Uint8Array): void => {
    if (bytes.length === 0) return;
    held.push(new Uint8Array(bytes));
    heldLength += bytes.length;
  };
  // Bytes in auto mode before the decision: ASCII goes through, the rest starts the sample.
  const undecided = function* (bytes: Uint8Array, atEnd: boolean): Generator<string> {
    if (state === 'ascii') {
      if (isAscii(bytes)) {
        yield* pieces(bytes);
        return;
      }
      state = 'sample';
      sampleStart = bytes.findIndex((b) => b >= 0x80);
    }
    if (heldLength + bytes.length - sampleStart < SAMPLE_BYTES && !atEnd) {
      hold(bytes);
      return;
    }
    const all = withHeld(bytes);
    // The ASCII decoder carries nothing, so it can be replaced at its position.
    decoder = new ChunkDecoder(detectEncoding(all.subarray(sampleStart)).encoding, decoder.position);
    state = 'decided';
    yield* pieces(all);
  };
  const start = function* (head: Uint8Array, atEnd: boolean): Generator<string> {
    if (hasUtf16Bom(head)) {
      throw new IngestFormatError(
        'ENCODING_UNSUPPORTED',
        'The file is UTF-16 ("Unicode text"); save it as "CSV UTF-8" or as CSV in GBK and upload that',
        '文件为 UTF-16 编码（“Unicode 文本”），请另存为“CSV UTF-8”或 GBK 编码的 CSV 后上传',
        { row: 0, line: 1 },
      );
    }
    let bom = 0;
    let encoding = declared;
    if (hasUtf8Bom(head)) [encoding, bom] = ['utf-8', 3];
    else if (hasGb18030Bom(head)) [encoding, bom] = ['gb18030', 4];
    decoder = new ChunkDecoder(encoding === 'auto' ? 'utf-8' : encoding, bom);
    if (encoding === 'auto') {
      state = 'ascii';
      yield* undecided(head.subarray(bom), atEnd);
      return;
    }
    state = 'decided';
    yield* pieces(head.subarray(bom));
  };

  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    if (state === 'decided') yield* pieces(chunk);
    else if (state === 'bom') {
      if (heldLength + chunk.length < 4) hold(chunk);
      else yield* start(withHeld(chunk), false);
    } else yield* undecided(chunk, false);
  }
  if (state === 'bom') yield* start(withHeld(new Uint8Array(0)), true);
  else if (state === 'sample') yield* undecided(new Uint8Array(0), true);
  decoder.end();
}

/** The refusal for bytes that are not text, naming the record they are in. */
export function encodingError(failure: TextDecodeFailure, row: number, line: number): IngestFormatError {
  const where = row === 0 ? 'the header' : `row ${row}`;
  const whereZh = row === 0 ? '表头' : `第 ${row} 行`;
  if (failure.encoding === 'utf-8') {
    return new IngestFormatError(
      'ENCODING_INVALID',
      `${where} (line ${line}) contains bytes that are not UTF-8 (byte ${failure.offset} of the file). If the file was saved as GBK (Excel\'s "CSV" on Chinese Windows), upload it with charset=gbk`,
      `${whereZh}（文件第 ${line} 行）含有不符合 UTF-8 编码的字节（文件第 ${failure.offset} 字节）。如文件为 GBK 编码（中文 Windows 下 Excel 保存的“CSV”），请指定 charset=gbk 上传`,
      { row, line },
    );
  }
  return new IngestFormatError(
    'ENCODING_INVALID',
    `${where} (line ${line}) contains bytes that are not GBK/GB18030 (byte ${failure.offset} of the file); check the file's encoding`,
    `${whereZh}（文件第 ${line} 行）含有不符合 GBK/GB18030 编码的字节（文件第 ${failure.offset} 字节），请检查文件编码`,
    { row, line },
  );
}
