import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { SourceRecord } from './csv.js';
import { IngestFormatError } from './errors.js';

/**
 * Bounded-memory reading of one worksheet of an .xlsx file. The zip's central directory is read
 * from the end of the file; the worksheet is inflated as a stream and cut into <row> elements as
 * they arrive, so a sheet of a million rows needs the memory of one inflated chunk and one batch.
 * Shared strings are the exception (cells refer to them by index from anywhere in the sheet): they
 * are held in memory, packed into a few large strings, and bounded by a count.
 * (src/modules/catalog/xlsx-reader.ts reads a small template in memory; this is its streaming
 * counterpart for data.)
 */

export interface XlsxOptions {
  /** 0-based, in workbook order (hidden sheets count); default 0. */
  sheet?: number;
  /** Records per yielded batch; default 5000. */
  batchSize?: number;
  /** Most distinct strings the workbook may hold; default 4,000,000. */
  maxSharedStrings?: number;
}

/** Characters all shared strings may hold together (UTF-16: twice as many bytes at most). */
const MAX_SHARED_CHARS = 64 * 1024 * 1024;
/** Largest single element (a row, a shared string) held while it is incomplete. */
const MAX_ELEMENT_CHARS = 16 * 1024 * 1024;
/** Largest small part (workbook, relationships, styles) read whole. */
const MAX_PART_CHARS = 64 * 1024 * 1024;
/** Largest central directory. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

const invalid = (reason: string, reasonZh: string): IngestFormatError =>
  new IngestFormatError('XLSX_INVALID', `The file is not a readable .xlsx workbook: ${reason}`, `文件不是可读取的 .xlsx 工作簿：${reasonZh}`);

// ---------------------------------------------------------------------------------------------
// Zip

interface ZipEntry {
  method: number;
  flags: number;
  compressedSize: number;
  offset: number;
}

async function readAt(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw invalid('the file is truncated', '文件不完整');
    done += bytesRead;
  }
  return buf;
}

/** The entries of the central directory, by lower-cased name (OPC part names ignore case). */
async function readDirectory(fh: FileHandle, size: number): Promise<Map<string, ZipEntry>> {
  const head = await readAt(fh, Math.min(8, size), 0);
  if (head.length === 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
    throw invalid(
      'it is an Excel 97–2003 (.xls) file or a password-protected workbook; save it as .xlsx without a password',
      '该文件是 Excel 97–2003（.xls）文件或设置了密码的工作簿，请另存为不带密码的 .xlsx',
    );
  }
  // The end-of-central-directory record is the last 22 bytes, plus a comment of up to 64 KiB, and
  // a ZIP64 locator may precede it.
  const tailLength = Math.min(size, 22 + 0xffff + 20);
  const tail = await readAt(fh, tailLength, size - tailLength);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > tail.length) throw invalid('it is not a zip archive', '不是 zip 压缩包');
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) throw invalid('the ZIP64 directory is missing', '缺少 ZIP64 目录');
    const record = await readAt(fh, 56, Number(tail.readBigUInt64LE(locator + 8)));
    if (record.readUInt32LE(0) !== 0x06064b50) throw invalid('the ZIP64 directory is damaged', 'ZIP64 目录已损坏');
    count = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
  }
  if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > size) throw invalid('the zip directory is damaged', 'zip 目录已损坏');
  const dir = await readAt(fh, directorySize, directoryOffset);
  const entries = new Map<string, ZipEntry>();
  let off = 0;
  for (let i = 0; i < count; i += 1) {
    if (off + 46 > dir.length || dir.readUInt32LE(off) !== 0x02014b50) throw invalid('the zip directory is damaged', 'zip 目录已损坏');
    const nameLength = dir.readUInt16LE(off + 28);
    const extraLength = dir.readUInt16LE(off + 30);
    const name = dir.toString('utf8', off + 46, off + 46 + nameLength);
    let compressedSize = dir.readUInt32LE(off + 20);
    const size32 = dir.readUInt32LE(off + 24);
    let offset = dir.readUInt32LE(off + 42);
    if (compressedSize === 0xffffffff || size32 === 0xffffffff || offset === 0xffffffff) {
      // ZIP64 extra field: the 64-bit values, in this order, of those that are 0xFFFFFFFF.
      const extraEnd = off + 46 + nameLength + extraLength;
      for (let e = off + 46 + nameLength; e + 4 <= extraEnd; ) {
        const id = dir.readUInt16LE(e);
        const length = dir.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let v = e + 4;
          if (size32 === 0xffffffff) v += 8;
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(dir.readBigUInt64LE(v));
            v += 8;
          }
          if (offset === 0xffffffff) offset = Number(dir.readBigUInt64LE(v));
          break;
        }
        e += 4 + length;
      }
    }
    entries.set(name.replace(/^\//, '').toLowerCase(), {
      flags: dir.readUInt16LE(off + 8),
      method: dir.readUInt16LE(off + 10),
      compressedSize,
      offset,
    });
    off += 46 + nameLength + extraLength + dir.readUInt16LE(off + 32);
  }
  return entries;
}

/** An entry's bytes, inflated as they are read. */
async function* entryBytes(fh: FileHandle, entry: ZipEntry): AsyncGenerator<Buffer> {
  if (entry.flags & 1) throw invalid('it is encrypted', '文件已加密');
  if (entry.method !== 0 && entry.method !== 8) throw invalid(`compression method ${entry.method} is not supported`, `不支持压缩方式 ${entry.method}`);
  const local = await readAt(fh, 30, entry.offset);
  if (local.readUInt32LE(0) !== 0x04034b50) throw invalid('a zip entry is damaged', 'zip 条目已损坏');
  const start = entry.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const end = start + entry.compressedSize;
  // Read with fh.read rather than fh.createReadStream: destroying such a stream (when the reader
  // stops early) closes the file handle, which the other parts still need.
  const compressed = async function* (): AsyncGenerator<Buffer> {
    for (let pos = start; pos < end; pos += CHUNK_BYTES) yield await readAt(fh, Math.min(CHUNK_BYTES, end - pos), pos);
  };
  if (entry.method === 0) {
    yield* compressed();
    return;
  }
  const inflate = pipeline(Readable.from(compressed()), zlib.createInflateRaw({ chunkSize: CHUNK_BYTES }), () => {});
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof IngestFormatError) throw err;
    throw invalid('its compressed data is damaged', '压缩数据已损坏');
  } finally {
    inflate.destroy();
  }
}

/** An entry as UTF-8 text, in pieces. */
async function* entryText(fh: FileHandle, entry: ZipEntry): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const bytes of entryBytes(fh, entry)) {
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch {
      throw invalid('a part is not UTF-8 text', '某个部件不是 UTF-8 文本');
    }
    if (text !== '') yield text;
  }
}

async function partText(fh: FileHandle, entry: ZipEntry): Promise<string> {
  const pieces: string[] = [];
  let length = 0;
  for await (const text of entryText(fh, entry)) {
    length += text.length;
    if (length > MAX_PART_CHARS) throw invalid('a part is too large', '某个部件过大');
    pieces.push(text);
  }
  return pieces.join('');
}

// ---------------------------------------------------------------------------------------------
// XML

const LT = 60;
const GT = 62;
const SLASH = 47;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Text content: XML line-end normalisation, entities, then OOXML's escapes of characters XML
 * cannot hold (`_x000D_`; `_x005F_` escapes an underscore, and a single pass keeps it literal).
 */
function xmlText(raw: string): string {
  let text = raw;
  if (text.indexOf('\r') >= 0) text = text.replace(/\r\n?/g, '\n');
  if (text.indexOf('&') >= 0) {
    text = text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
      if (e.charCodeAt(0) !== 35) return ENTITIES[e] ?? m;
      const code = e.charCodeAt(1) === 120 ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    });
  }
  if (text.indexOf('_x') >= 0) text = text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return text;
}

/** The index of the `>` that ends the tag whose name ends at `from`, skipping quoted values; -1 if not in s. */
function tagEnd(s: string, from: number): number {
  let k = from;
  const n = s.length;
  while (k < n) {
    const c = s.charCodeAt(k);
    if (c === GT) return k;
    if (c === DQUOTE || c === SQUOTE) {
      const q = s.indexOf(c === DQUOTE ? '"' : "'", k + 1);
      if (q < 0) return -1;
      k = q + 1;
    } else k += 1;
  }
  return -1;
}

/** Where the tag name starting at `from` ends. */
function nameEnd(s: string, from: number, to: number): number {
  let k = from;
  while (k < to) {
    const c = s.charCodeAt(k);
    if (c === GT || c === SLASH || c <= 32) break;
    k += 1;
  }
  return k;
}

/** The local name (without a namespace prefix) of the qualified name s[from, to). */
function localName(s: string, from: number, to: number): string {
  let k = to - 1;
  while (k >= from && s.charCodeAt(k) !== COLON) k -= 1;
  return s.slice(k + 1, to);
}

/** The value of an unprefixed attribute in the tag s[from, to) (from: after its name), raw. */
function attribute(s: string, from: number, to: number, name: string): string | undefined {
  let k = from;
  while (k < to) {
    while (k < to && s.charCodeAt(k) <= 32) k += 1;
    const start = k;
    while (k < to) {
      const c = s.charCodeAt(k);
      if (c === 61 || c <= 32 || c === GT || c === SLASH) break;
      k += 1;
    }
    if (k === start) {
      k += 1;
      continue;
    }
    const matches = k - start === name.length && s.startsWith(name, start);
    while (k < to && s.charCodeAt(k) <= 32) k += 1;
    if (s.charCodeAt(k) !== 61) continue;
    k += 1;
    while (k < to && s.charCodeAt(k) <= 32) k += 1;
    const quote = s.charCodeAt(k);
    if (quote !== DQUOTE && quote !== SQUOTE) return undefined;
    const end = s.indexOf(quote === DQUOTE ? '"' : "'", k + 1);
    if (end < 0 || end >= to) return undefined;
    if (matches) return s.slice(k + 1, end);
    k = end + 1;
  }
  return undefined;
}

/**
 * The text of a string item (<si>, <is>) in s[from, to): its <t> runs, rich-text runs included,
 * phonetic guides (<rPh>) left out.
 */
function stringItem(s: string, from: number, to: number): string {
  let out = '';
  let k = from;
  while (k < to) {
    const lt = s.indexOf('<', k);
    if (lt < 0 || lt >= to) break;
    if (s.charCodeAt(lt + 1) === SLASH || s.charCodeAt(lt + 1) === 63 || s.charCodeAt(lt + 1) === 33) {
      k = lt + 2;
      continue;
    }
    const ne = nameEnd(s, lt + 1, to);
    const gt = tagEnd(s, ne);
    if (gt < 0 || gt >= to) break;
    const local = localName(s, lt + 1, ne);
    const selfClosing = s.charCodeAt(gt - 1) === SLASH;
    if (local === 't' && !selfClosing) {
      const end = s.indexOf('<', gt + 1);
      if (end < 0 || end > to) break;
      if (s.startsWith('<![CDATA[', end)) {
        const cdataEnd = s.indexOf(']]>', end);
        if (cdataEnd < 0 || cdataEnd > to) break;
        out += s.slice(end + 9, cdataEnd);
        k = cdataEnd + 3;
      } else {
        out += xmlText(s.slice(gt + 1, end));
        k = end;
      }
    } else if (local === 'rPh' && !selfClosing) {
      const close = s.indexOf(`</${s.slice(lt + 1, ne)}>`, gt);
      k = close < 0 ? to : close;
    } else k = gt + 1;
  }
  return out;
}

/**
 * Cuts XML text arriving in pieces into complete elements with one local name (`row`, `si`),
 * whatever namespace prefix the producer used (`<x:row>` from the OpenXML SDK). Stops at the end
 * tag of `stopAt`. Only the element in progress is held between pieces.
 */
class ElementReader {
  private buf = '';
  private elementStart = -1;
  private close = '';
  private searchFrom = 0;
  done = false;

  constructor(
    private readonly name: string,
    private readonly stopAt: string | undefined,
  ) {}

  feed(piece: string, element: (s: string, start: number, end: number) => void): void {
    const s = this.buf === '' ? piece : this.buf + piece;
    const n = s.length;
    let p = 0;
    while (!this.done) {
      if (this.elementStart >= 0) {
        const e = s.indexOf(this.close, this.searchFrom);
        if (e < 0) {
          this.searchFrom = Math.max(this.elementStart, n - this.close.length);
          break;
        }
        p = e + this.close.length;
        element(s, this.elementStart, p);
        this.elementStart = -1;
        continue;
      }
      const lt = s.indexOf('<', p);
      if (lt < 0) {
        p = n;
        break;
      }
      p = lt;
      if (lt + 1 >= n) break;
      const c = s.charCodeAt(lt + 1);
      if (c === 63 || c === 33) {
        // <?…?>, <!--…-->, <![CDATA[…]]>, <!DOCTYPE …>
        const terminator = c === 63 ? '?>' : s.startsWith('<!--', lt) ? '-->' : s.startsWith('<![CDATA[', lt) ? ']]>' : '>';
        if (c === 33 && lt + 9 > n) break;
        const e = s.indexOf(terminator, lt + 2);
        if (e < 0) break;
        p = e + terminator.length;
        continue;
      }
      const closing = c === SLASH;
      const ns = closing ? lt + 2 : lt + 1;
      const ne = nameEnd(s, ns, n);
      if (ne >= n) break;
      const gt = tagEnd(s, ne);
      if (gt < 0) break;
      const local = localName(s, ns, ne);
      p = gt + 1;
      if (local === this.stopAt && (closing || s.charCodeAt(gt - 1) === SLASH)) {
        this.done = true;
        break;
      }
      if (closing || local !== this.name) continue;
      if (s.charCodeAt(gt - 1) === SLASH) {
        element(s, lt, p);
        continue;
      }
      this.elementStart = lt;
      this.close = `</${s.slice(ns, ne)}>`;
      this.searchFrom = p;
    }
    const keep = this.elementStart >= 0 ? this.elementStart : p;
    this.buf = keep >= n ? '' : s.slice(keep);
    if (this.elementStart >= 0) {
      this.elementStart -= keep;
      this.searchFrom -= keep;
    }
    if (this.buf.length > MAX_ELEMENT_CHARS) throw invalid(`a <${this.name}> element is larger than ${MAX_ELEMENT_CHARS} characters`, `某个 <${this.name}> 元素超过 ${MAX_ELEMENT_CHARS} 个字符`);
  }
}

/** Small parts (workbook, relationships, styles) are read with regular expressions. */
const attr = (attrs: string, name: string): string | undefined =>
  new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs)?.slice(1).find((v) => v !== undefined);

function* tags(xml: string, local: string): Generator<string> {
  for (const m of xml.matchAll(new RegExp(`<(?:[\\w.-]+:)?${local}\\b([^>]*)>`, 'g'))) yield m[1]!;
}

// ---------------------------------------------------------------------------------------------
// Shared strings

const BLOCK_BITS = 12;
const BLOCK = 1 << BLOCK_BITS;

/**
 * The workbook's shared strings, packed by 4096 into one string plus their end offsets: a few
 * bytes per string instead of a string object each, which matters for exports where most cells
 * are distinct strings.
 */
class SharedStrings {
  private readonly blocks: string[] = [];
  private readonly ends: Uint32Array[] = [];
  private pending: string[] = [];
  count = 0;
  chars = 0;

  add(text: string): void {
    this.pending.push(text);
    this.count += 1;
    this.chars += text.length;
    if (this.pending.length === BLOCK) this.seal();
  }

  seal(): void {
    if (this.pending.length === 0) return;
    const ends = new Uint32Array(this.pending.length);
    let end = 0;
    for (let i = 0; i < this.pending.length; i += 1) {
      end += this.pending[i]!.length;
      ends[i] = end;
    }
    this.blocks.push(this.pending.join(''));
    this.ends.push(ends);
    this.pending = [];
  }

  get(index: number): string {
    if (!Number.isInteger(index) || index < 0) return '';
    const block = this.blocks[index >>> BLOCK_BITS];
    const ends = this.ends[index >>> BLOCK_BITS];
    if (block === undefined || ends === undefined) return '';
    const k = index & (BLOCK - 1);
    if (k >= ends.length) return '';
    return block.slice(k === 0 ? 0 : ends[k - 1], ends[k]);
  }
}

async function loadSharedStrings(fh: FileHandle, entry: ZipEntry, max: number): Promise<SharedStrings> {
  const strings = new SharedStrings();
  const reader = new ElementReader('si', 'sst');
  const tooMany = (): IngestFormatError =>
    new IngestFormatError(
      'XLSX_TOO_MANY_STRINGS',
      `The workbook holds more than ${strings.count >= max ? `${max} distinct strings` : `${MAX_SHARED_CHARS} characters of distinct strings`}; save the sheet as CSV and upload that`,
      `工作簿中不同文本${strings.count >= max ? `超过 ${max} 个` : `总长超过 ${MAX_SHARED_CHARS} 个字符`}，请将工作表另存为 CSV 后上传`,
    );
  const element = (s: string, start: number, end: number): void => {
    if (strings.count >= max) throw tooMany();
    strings.add(stringItem(s, start, end));
    if (strings.chars > MAX_SHARED_CHARS) throw tooMany();
  };
  for await (const text of entryText(fh, entry)) {
    reader.feed(text, element);
    if (reader.done) break;
  }
  strings.seal();
  return strings;
}

// ---------------------------------------------------------------------------------------------
// Styles and numbers

const NUMBER = 0;
const DATE = 1;
const DATETIME = 2;

// Built-in formats: 14–17 dates, 18–21 and 45–47 times, 22 date and time; 27–36 and 50–58 are
// the dates and times of the Chinese (and other East Asian) locales, which files from Chinese
// Excel and WPS use without writing them out (e.g. 31 = yyyy"年"m"月"d"日").
const BUILT_IN: Record<number, number> = {};
for (const id of [14, 15, 16, 17, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58]) BUILT_IN[id] = DATE;
for (const id of [18, 19, 20, 21, 22, 32, 33, 34, 35, 45, 46, 47, 55, 56]) BUILT_IN[id] = DATETIME;

/** Whether a custom number format shows a date, a date and time, or a number. */
export function formatKind(code: string): number {
  // Literal text ("年", \-), fills and paddings (*x, _x) and [...] (colours, locales, conditions,
  // and elapsed [h]) say nothing about dates; strip them first. Only the first section counts.
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[[^\]]*\]/g, '')
    .split(';')[0]!
    .toLowerCase();
  const date = /[yd]/.test(bare);
  const time = /[hs]/.test(bare) || /am\/pm|a\/p/.test(bare);
  const month = bare.includes('m');
  if (time) return DATETIME;
  if (date || month) return DATE;
  return NUMBER;
}

/** Per cell style (xf) index, whether its number format is a date, date-time or number. */
function parseStyles(xml: string): Uint8Array {
  const custom = new Map<number, number>();
  for (const attrs of tags(xml, 'numFmt')) {
    const id = Number(attr(attrs, 'numFmtId'));
    const code = attr(attrs, 'formatCode');
    if (Number.isInteger(id) && code !== undefined) custom.set(id, formatKind(xmlText(code)));
  }
  const cellXfs = /<(?:[\w.-]+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?cellXfs>/.exec(xml)?.[1] ?? '';
  const kinds: number[] = [];
  for (const attrs of tags(cellXfs, 'xf')) {
    const id = Number(attr(attrs, 'numFmtId') ?? 0);
    kinds.push(custom.get(id) ?? BUILT_IN[id] ?? NUMBER);
  }
  return Uint8Array.from(kinds);
}

/**
 * A number cell's text as written, made plain: exponents written out (1E-4 → 0.0001) and the
 * binary noise of a calculated value beyond Excel's 15 significant digits dropped
 * (0.30000000000000004 → 0.3). Integers are kept exactly as written, however long.
 */
export function numberText(raw: string): string {
  // Most numbers are short plain decimals: kept as they are without a regular expression.
  if (raw.length <= 15) {
    let plain = raw.length > 0;
    for (let k = 0; k < raw.length && plain; k += 1) {
      const c = raw.charCodeAt(k);
      plain = (c >= 48 && c <= 57) || c === 46 || (c === 45 && k === 0);
    }
    if (plain) return raw;
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw.trim());
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return raw.trim();
  const sign = m[1] === '-' ? '-' : '';
  const int = m[2]!;
  const frac = m[3] ?? '';
  const exp = m[4];
  let digits = int + frac;
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead += 1;
  if (exp === undefined && (frac === '' || digits.length - lead <= 15)) return raw.trim();
  // The value is 0.digits × 10^point.
  let point = int.length + (exp === undefined ? 0 : Number(exp)) - lead;
  digits = digits.slice(lead);
  if (digits.length > 15) {
    const round = digits.charCodeAt(15) >= 53;
    let kept = digits.slice(0, 15).split('').map(Number);
    if (round) {
      let k = 14;
      while (k >= 0 && kept[k] === 9) {
        kept[k] = 0;
        k -= 1;
      }
      if (k < 0) {
        kept = [1, ...kept];
        point += 1;
      } else kept[k]! += 1;
    }
    digits = kept.join('');
  }
  digits = digits.replace(/0+$/, '');
  if (digits === '') return '0';
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + text;
}

/** Unix day of Excel's epochs: 1899-12-30 (so that serial 61 is 1900-03-01) and 1904-01-01. */
const EPOCH_1900 = -25569;
const EPOCH_1904 = -24107;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The civil date of a day count from 1970-01-01 (H. Hinnant's algorithm: no Date object per cell). */
function civil(unixDays: number): string {
  const z = unixDays + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** A date serial as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS; out of Excel's range, the number. */
export function excelDate(raw: string, withTime: boolean, date1904: boolean): string {
  const serial = Number(raw);
  if (!Number.isFinite(serial) || serial < 0 || serial >= 2958466) return numberText(raw);
  const seconds = Math.round(serial * 86400);
  const days = Math.floor(seconds / 86400);
  // Serials before 60 count from 1899-12-31: Excel's 1900 has a 29 February that never was.
  const date = civil(date1904 ? days + EPOCH_1904 : days < 60 ? days + EPOCH_1900 + 1 : days + EPOCH_1900);
  if (!withTime) return date;
  const time = seconds - days * 86400;
  return `${date}T${pad2(Math.floor(time / 3600))}:${pad2(Math.floor(time / 60) % 60)}:${pad2(time % 60)}`;
}

// ---------------------------------------------------------------------------------------------
// Rows

class RowReader {
  readonly records: SourceRecord[] = [];
  private headerRow = -1;
  private width = 0;
  private lastRow = 0;
  /** The name and end tag of cells, as this producer writes them (`</c>`, `</x:c>`). */
  private cellName = 'c';
  private cellClose = '</c>';
  // The attributes of the cell being read (see `attributes`).
  private column = 0;
  private type: string | undefined;
  private style = -1;

  constructor(
    private readonly strings: SharedStrings,
    private readonly kinds: Uint8Array,
    private readonly date1904: boolean,
  ) {}

  /** One <row> element s[start, end). */
  row = (s: string, start: number, end: number): void => {
    const ne = nameEnd(s, start + 1, end);
    const gt = tagEnd(s, ne);
    const r = attribute(s, ne, gt, 'r');
    const rowNumber = r === undefined ? this.lastRow + 1 : Number(r);
    this.lastRow = rowNumber;
    if (s.charCodeAt(gt - 1) === SLASH) return;
    const fields: string[] = [];
    let column = 0;
    let k = gt + 1;
    while (k < end) {
      const lt = s.indexOf('<', k);
      if (lt < 0 || lt >= end || s.charCodeAt(lt + 1) === SLASH) break;
      const cne = nameEnd(s, lt + 1, end);
      const cgt = tagEnd(s, cne);
      if (cgt < 0 || cgt >= end) break;
      const selfClosing = s.charCodeAt(cgt - 1) === SLASH;
      const isCell = cne - lt === 2 ? s.charCodeAt(lt + 1) === 99 : s.charCodeAt(cne - 2) === COLON && s.charCodeAt(cne - 1) === 99;
      if (!isCell) {
        // Not a cell (<extLst>): skip the element.
        if (selfClosing) k = cgt + 1;
        else {
          const close = s.indexOf(`</${s.slice(lt + 1, cne)}>`, cgt);
          k = close < 0 ? end : close + cne - lt + 2;
        }
        continue;
      }
      this.attributes(s, cne, cgt);
      const col = this.column > 0 ? this.column : column + 1;
      column = col;
      if (selfClosing) {
        k = cgt + 1;
        continue;
      }
      if (cne - lt - 1 !== this.cellName.length || !s.startsWith(this.cellName, lt + 1)) {
        this.cellName = s.slice(lt + 1, cne);
        this.cellClose = `</${this.cellName}>`;
      }
      const cellEnd = s.indexOf(this.cellClose, cgt);
      if (cellEnd < 0 || cellEnd > end) break;
      k = cellEnd + this.cellClose.length;
      const value = this.cell(s, cgt, cellEnd);
      if (value === '') continue;
      while (fields.length < col - 1) fields.push('');
      if (fields.length === col - 1) fields.push(value);
      else fields[col - 1] = value;
    }
    if (fields.length === 0) return; // a row without values (formatting only) is skipped
    if (this.headerRow < 0) {
      this.headerRow = rowNumber;
      this.width = fields.length;
    } else while (fields.length < this.width) fields.push('');
    this.records.push({ row: rowNumber - this.headerRow, fields });
  };

  /**
   * Reads a cell's r, t and s attributes from s[from, to) in one pass, into `column` (0: none),
   * `type` and `style` (-1: none).
   */
  private attributes(s: string, from: number, to: number): void {
    this.column = 0;
    this.type = undefined;
    this.style = -1;
    let k = from;
    while (k < to) {
      while (k < to && s.charCodeAt(k) <= 32) k += 1;
      const start = k;
      while (k < to) {
        const c = s.charCodeAt(k);
        if (c === 61 || c <= 32 || c === GT || c === SLASH) break;
        k += 1;
      }
      if (k === start) {
        k += 1;
        continue;
      }
      const name = k - start === 1 ? s.charCodeAt(start) : 0;
      while (k < to && (s.charCodeAt(k) <= 32 || s.charCodeAt(k) === 61)) k += 1;
      const quote = s.charCodeAt(k);
      if (quote !== DQUOTE && quote !== SQUOTE) return;
      const end = s.indexOf(quote === DQUOTE ? '"' : "'", k + 1);
      if (end < 0 || end >= to) return;
      if (name === 114) {
        // r="AB12": the column from the letters.
        let n = 0;
        for (let j = k + 1; j < end; j += 1) {
          const c = s.charCodeAt(j) | 0x20;
          if (c < 97 || c > 122) break;
          n = n * 26 + (c - 96);
        }
        this.column = n;
      } else if (name === 116) this.type = s.slice(k + 1, end);
      else if (name === 115) this.style = Number(s.slice(k + 1, end));
      k = end + 1;
    }
  }

  /** The text of the cell whose start tag ends at `tagEndIndex` and whose content ends at `end`. */
  private cell(s: string, tagEndIndex: number, end: number): string {
    const type = this.type;
    if (type === 'inlineStr') return stringItem(s, tagEndIndex + 1, end);
    const v = this.childText(s, tagEndIndex + 1, end);
    if (v === undefined) return '';
    switch (type) {
      case 's':
        return this.strings.get(Number(v));
      case 'str':
        return xmlText(v);
      case 'b':
        return v === '1' || v === 'true' ? 'true' : 'false';
      case 'e':
        return '';
      case 'd':
        return isoDate(xmlText(v));
      default: {
        const kind = this.kinds[this.style < 0 ? 0 : this.style];
        if (kind === DATE || kind === DATETIME) return excelDate(v, kind === DATETIME, this.date1904);
        return numberText(v);
      }
    }
  }

  /** The raw text of the cell's <v> child in s[from, to). */
  private childText(s: string, from: number, to: number): string | undefined {
    let k = from;
    while (k < to) {
      const lt = s.indexOf('<', k);
      if (lt < 0 || lt >= to) return undefined;
      const ne = nameEnd(s, lt + 1, to);
      const gt = tagEnd(s, ne);
      if (gt < 0 || gt >= to) return undefined;
      const isV = ne - lt === 2 ? s.charCodeAt(lt + 1) === 118 : s.charCodeAt(ne - 2) === COLON && s.charCodeAt(ne - 1) === 118;
      if (isV && s.charCodeAt(lt + 1) !== SLASH) {
        if (s.charCodeAt(gt - 1) === SLASH) return '';
        const close = s.indexOf('<', gt + 1);
        return close < 0 || close > to ? undefined : s.slice(gt + 1, close);
      }
      if (s.charCodeAt(lt + 1) !== SLASH && s.charCodeAt(gt - 1) !== SLASH && !isV) {
        // <f>…</f> and others: skip their content.
        const close = s.indexOf(`</${s.slice(lt + 1, ne)}>`, gt);
        k = close < 0 ? to : close + ne - lt + 2;
        continue;
      }
      k = gt + 1;
    }
    return undefined;
  }
}

/** A t="d" cell (ISO 8601 text): the date, or the date and time to the second. */
function isoDate(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?/.exec(text.trim());
  if (m === null) return text.trim();
  return m[2] === undefined || m[2] === '00:00:00' ? m[1]! : `${m[1]}T${m[2]}`;
}

// ---------------------------------------------------------------------------------------------
// Workbook

/** Resolves a relationship target against the directory of the part that holds it. */
function resolveTarget(base: string, target: string): string {
  const parts = target.startsWith('/') ? [] : base.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.' && segment !== '') parts.push(segment);
  }
  return parts.join('/').toLowerCase();
}

function relationships(xml: string, base: string): Array<{ id: string; type: string; target: string }> {
  const out: Array<{ id: string; type: string; target: string }> = [];
  for (const attrs of tags(xml, 'Relationship')) {
    const target = attr(attrs, 'Target');
    if (target === undefined || attr(attrs, 'TargetMode') === 'External') continue;
    out.push({ id: attr(attrs, 'Id') ?? '', type: attr(attrs, 'Type') ?? '', target: resolveTarget(base, xmlText(target)) });
  }
  return out;
}

interface Workbook {
  sheet: ZipEntry;
  sharedStrings: ZipEntry | undefined;
  styles: ZipEntry | undefined;
  date1904: boolean;
}

async function openWorkbook(fh: FileHandle, entries: Map<string, ZipEntry>, index: number): Promise<Workbook> {
  const text = async (name: string): Promise<string | undefined> => {
    const entry = entries.get(name);
    return entry === undefined ? undefined : partText(fh, entry);
  };
  const root = relationships((await text('_rels/.rels')) ?? '', '');
  const bookName = root.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const book = await text(bookName);
  if (book === undefined) throw invalid('it has no workbook part', '缺少工作簿部件');
  const slash = bookName.lastIndexOf('/');
  const rels = relationships((await text(`${bookName.slice(0, slash + 1)}_rels/${bookName.slice(slash + 1)}.rels`)) ?? '', bookName);
  const sheets = [...tags(book, 'sheet')];
  const sheetAttrs = sheets[index];
  if (sheetAttrs === undefined) {
    throw invalid(`it has no sheet ${index + 1} (it has ${sheets.length})`, `没有第 ${index + 1} 个工作表（共 ${sheets.length} 个）`);
  }
  const id = /(?:^|\s)(?:[\w.-]+:)?id\s*=\s*"([^"]*)"/.exec(sheetAttrs)?.[1];
  const sheet = entries.get(rels.find((r) => r.id === id)?.target ?? '');
  if (sheet === undefined) throw invalid(`sheet ${index + 1} has no data part`, `第 ${index + 1} 个工作表缺少数据部件`);
  const part = (type: string, fallback: string): ZipEntry | undefined =>
    entries.get(rels.find((r) => r.type.endsWith(type))?.target ?? fallback) ?? entries.get(fallback);
  const workbookPr = [...tags(book, 'workbookPr')][0];
  const date1904 = workbookPr === undefined ? '' : (attr(workbookPr, 'date1904') ?? '');
  return {
    sheet,
    sharedStrings: part('/sharedStrings', 'xl/sharedstrings.xml'),
    styles: part('/styles', 'xl/styles.xml'),
    date1904: date1904 === '1' || date1904 === 'true',
  };
}

/**
 * Reads one worksheet of the .xlsx file at `path` in batches of records. Row 0 is the sheet's first
 * row with a value (the header) and a record's row is its Excel row minus the header's, so rows
 * without values are skipped but leave their gap in the numbering. Data rows are padded with "" to
 * the header's width; missing cells are "". Cells: shared and inline strings; numbers as written,
 * made plain (no exponent, no float noise); booleans "true"/"false"; date-formatted numbers as
 * "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (1900 or 1904 date system); error cells "".
 * Throws IngestFormatError XLSX_INVALID (not a zip, no such sheet, damaged) and
 * XLSX_TOO_MANY_STRINGS.
 */
export async function* readXlsxRows(path: string, options: XlsxOptions = {}): AsyncGenerator<SourceRecord[]> {
  const batchSize = Math.max(1, options.batchSize ?? 5000);
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const entries = await readDirectory(fh, size);
    const book = await openWorkbook(fh, entries, options.sheet ?? 0);
    const kinds = book.styles === undefined ? new Uint8Array(0) : parseStyles(await partText(fh, book.styles));
    const strings =
      book.sharedStrings === undefined ? new SharedStrings() : await loadSharedStrings(fh, book.sharedStrings, options.maxSharedStrings ?? 4_000_000);
    const rows = new RowReader(strings, kinds, book.date1904);
    const reader = new ElementReader('row', 'sheetData');
    const out = rows.records;
    for await (const text of entryText(fh, book.sheet)) {
      reader.feed(text, rows.row);
      while (out.length >= batchSize) {
        yield out.splice(0, batchSize);
      }
      if (reader.done) break;
    }
    if (out.length > 0) yield out.splice(0, out.length);
  } finally {
    await fh.close();
  }
}
