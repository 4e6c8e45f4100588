import crypto from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { readCsv, type SourceRecord } from './ingest/csv.js';
import { FIELD_PLAIN, FIELD_RAW, fieldText, readCsvBytes, recordFields, type ByteBatch } from './ingest/csv-bytes.js';
import { detectEncoding, hasGb18030Bom, hasUtf16Bom, hasUtf8Bom, parseCharset, type SourceEncoding } from './ingest/encoding.js';
import { readNdjson } from './ingest/ndjson.js';
import { COPY_NULL, ValueProblem, jsonValueChecker, valueChecker, type ColumnSpec } from './ingest/values.js';
import { readXlsxRows } from './ingest/xlsx-stream.js';
import { ContentDigest } from './ingest/digest.js';
import { DistinctKeys } from './ingest/distinct-keys.js';
import { verbatimTest } from './ingest/verbatim.js';
import { CHANGE_BATCH } from './resources.tables.js';
import * as E from './resources.errors.js';

/**
 * Reading and checking a load (staged pipeline, STYLE 3): the body is read as it arrives (CSV in
 * UTF-8 or GB18030/GBK, NDJSON, or an xlsx spooled to disk first — a zip is read from its end), each
 * row is checked against the resource's columns, and accepted rows go out at once, already in COPY
 * format, to a sink: the load's staging table, which the database fills while the next rows are
 * being checked (two cores at work, not one after the other). Nothing touches the resource's table
 * here: merging the staged rows is one transaction (resources.service.ts), so readers see the old
 * data or the new, a process killed while reading leaves the table as it was, and a validated load
 * can be merged again (resumed) without sending the file again. Memory stays bounded: one batch of
 * rows and one output buffer at a time.
 */

export type LoadFormat = 'csv' | 'xlsx' | 'ndjson';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const LOAD_MEDIA_TYPES: Record<string, LoadFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  [XLSX_MEDIA_TYPE]: 'xlsx',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
};

export interface RowProblem {
  /** 1 = the first data row. */
  row: number;
  /** The column name (字段名), or '' for a problem with the whole row. */
  column: string;
  code: string;
  message: string;
  messageZh: string;
}

export interface CheckedLoad {
  format: LoadFormat;
  encoding: SourceEncoding | undefined;
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** The first KEPT_ERRORS problems, in row order. */
  errors: RowProblem[];
  /** Columns the file has (the key columns always among them). */
  present: string[];
  /** No two accepted rows have the same key (false: they may; the merge looks). */
  keysDistinct: boolean;
  /**
   * The keys of the accepted rows in file order, as JSON arrays of up to CHANGE_BATCH keys: the change
   * log of a first load, written without reading the rows back. Absent when the key is not made of
   * text and dates only (whose JSON the loader knows exactly) or the load is too large to keep them.
   */
  keyBatches: string[] | undefined;
  contentSm3: string;
  /** The first rows as read (for the upload wizard's preview). */
  preview: { header: string[]; rows: string[][] };
}

export const KEPT_ERRORS = 1_000;
const PREVIEW_ROWS = 20;

export interface CheckOptions {
  mediaType: string;
  charset: string | undefined;
  /** More refused rows than this abort the load (LOAD_TOO_MANY_ERRORS). */
  maxErrors: number;
  /** Where an xlsx waits while it is read (a zip is read from its end). */
  spoolDir: string;
  sink: RowSink;
  /**
   * False: keys are not tracked, and keysDistinct is false. For a first load, whose merge builds the
   * key in one sort and finds any duplicates then (the tracking costs a hash-table insert a row).
   */
  distinctKeys?: boolean;
  /** False: UTF-8 CSV is read as text like the other formats (tests compare the two paths). */
  fastCsv?: boolean;
  /** Bodies past this many bytes are hashed in a worker thread (ContentDigest; tests set it low). */
  digestThreshold?: number;
}

export function formatOf(mediaType: string): LoadFormat {
  const format = LOAD_MEDIA_TYPES[mediaType.toLowerCase()];
  if (!format) throw E.mediaTypeUnsupported(mediaType);
  return format;
}

/** Enough of a text to tell UTF-8 from GB18030 (a BOM, or the first non-ASCII characters). */
const SNIFF_BYTES = 64 * 1024;

/** The first `bytes` of a source, and the whole source again (those bytes first). */
async function peek(source: AsyncIterable<Uint8Array>, bytes: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    size += next.value.length;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: Buffer.concat(taken), rest: rest() };
}

/** The source without its first n bytes (a BOM). */
async function* skipBytes(source: AsyncIterable<Uint8Array>, n: number): AsyncGenerator<Uint8Array> {
  let left = n;
  for await (const chunk of source) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/** Hashes (SM3) what passes through, so the load records exactly which bytes it came from. */
async function* digesting(source: AsyncIterable<Uint8Array>, digest: ContentDigest): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    await digest.update(chunk);
    yield chunk;
  }
}

class Report {
  readonly errors: RowProblem[] = [];
  rejected = 0;
  constructor(private readonly maxErrors: number) {}
  add(row: number, column: string, p: { code: string; message: string; messageZh: string }): void {
    if (this.errors.length < KEPT_ERRORS) this.errors.push({ row, column, code: p.code, message: p.message, messageZh: p.messageZh });
  }
  reject(): void {
    this.rejected += 1;
    if (this.rejected > this.maxErrors) throw E.tooManyErrors(this.maxErrors, this.errors);
  }
}

/** Where accepted rows go: COPY text in byte chunks, each ending at a line break. */
export interface RowSink {
  write(chunk: Buffer): Promise<void>;
}

/**
 * Accepted rows as COPY text lines (the row number, then the values of the columns in order),
 * written into a buffer that goes to the sink when full: no string the size of a batch for the
 * garbage collector to build and tear down. A row is written in place and can be taken back
 * (`abortRow`) until the next begins; it never spans two buffers.
 */
class RowOutput {
  static readonly SIZE = 1 << 20;
  buffer = Buffer.allocUnsafe(RowOutput.SIZE);
  used = 0;
  /** Where the row being written starts in `buffer`. */
  rowStart = 0;
  #pending: Buffer[] = [];
  constructor(private readonly sink: RowSink) {}

  /** Adds a whole line (ending in a newline); the caller awaits `drain` between batches. */
  add(line: string): void {
    this.beginRow();
    this.writeText(line);
  }

  beginRow(): void {
    this.rowStart = this.used;
  }

  abortRow(): void {
    this.used = this.rowStart;
  }

  /** Room for n more bytes: a full buffer is set aside for the sink and the row so far moves on. */
  reserve(n: number): void {
    if (this.used + n <= this.buffer.length) return;
    const partial = this.used - this.rowStart;
    const next = Buffer.allocUnsafe(Math.max(RowOutput.SIZE, 2 * (partial + n)));
    this.buffer.copy(next, 0, this.rowStart, this.used);
    if (this.rowStart > 0) this.#pending.push(this.buffer.subarray(0, this.rowStart));
    this.buffer = next;
    this.used = partial;
    this.rowStart = 0;
  }

  writeText(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    this.reserve(text.length * 3);
    this.used += this.buffer.write(text, this.used);
  }

  /** Copies bytes (in a loop: most values are a few bytes, too few for a native copy to pay). */
  writeBytes(bytes: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    const out = this.buffer;
    let at = this.used;
    for (let i = start; i < end; i++) out[at++] = bytes[i]!;
    this.used = at;
  }

  /** A byte; the caller has reserved room for it. */
  writeByte(byte: number): void {
    this.buffer[this.used++] = byte;
  }

  /** A non-negative integer in decimal. */
  writeInt(value: number): void {
    this.reserve(16);
    const out = this.buffer;
    const from = this.used;
    let to = from;
    do {
      out[to++] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    } while (value > 0);
    out.subarray(from, to).reverse();
    this.used = to;
  }

  /** Hands full buffers to the sink (with its back-pressure). */
  async drain(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    for (const chunk of pending) await this.sink.write(chunk);
  }

  async end(): Promise<void> {
    if (this.used > 0) this.#pending.push(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafe(0);
    this.used = 0;
    this.rowStart = 0;
    await this.drain();
  }
}

/**
 * Keys of accepted rows, as JSON arrays of CHANGE_BATCH (see CheckedLoad.keyBatches), written into
 * a buffer per batch: what is kept is a thousand strings, not a million small ones (each surviving
 * into the old generation).
 */
class KeyBatches {
  static readonly MAX_KEYS = 2_000_000;
  #batches: string[] = [];
  #open = Buffer.allocUnsafe(64 * 1024);
  #used = 0;
  #count = 0;
  #total = 0;
  constructor(private readonly width: number) {}

  /** A key's values in COPY form. */
  add(key: string | string[]): void {
    if (!this.#next()) return;
    const json = this.width === 1 ? jsonOfCopyText(key as string) : `[${(key as string[]).map(jsonOfCopyText).join(',')}]`;
    this.#reserve(json.length * 3 + 1);
    if (this.#count > 0) this.#open[this.#used++] = 0x2c;
    this.#used += this.#open.write(json, this.#used);
    this.#added();
  }

  /** A one-column key's COPY text in UTF-8. */
  addBytes(bytes: Buffer, start: number, end: number): void {
    // Bytes JSON writes as they are (it escapes only quotes, backslashes and control characters);
    // anything else goes the way of a string.
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c < 0x20 || c === 0x22 || c === 0x5c) {
        this.add(bytes.toString('utf8', start, end));
        return;
      }
    }
    if (!this.#next()) return;
    this.#reserve(end - start + 3);
    const out = this.#open;
    let at = this.#used;
    if (this.#count > 0) out[at++] = 0x2c;
    out[at++] = 0x22;
    for (let i = start; i < end; i++) out[at++] = bytes[i]!;
    out[at++] = 0x22;
    this.#used = at;
    this.#added();
  }

  /** The batches, or undefined when too many keys came to keep them (the merge reads the staging table). */
  finish(): string[] | undefined {
    if (this.#total > KeyBatches.MAX_KEYS) return undefined;
    if (this.#count > 0) this.#close();
    return this.#batches;
  }

  /** False once there are too many keys to keep. */
  #next(): boolean {
    if (++this.#total <= KeyBatches.MAX_KEYS) return true;
    if (this.#batches.length > 0 || this.#count > 0) {
      this.#batches = [];
      this.#count = 0;
      this.#used = 0;
    }
    return false;
  }

  #reserve(n: number): void {
    if (this.#used + n <= this.#open.length) return;
    const bigger = Buffer.allocUnsafe(2 * (this.#used + n));
    this.#open.copy(bigger, 0, 0, this.#used);
    this.#open = bigger;
  }

  #added(): void {
    if (++this.#count === CHANGE_BATCH) this.#close();
  }

  #close(): void {
    this.#batches.push(`[${this.#open.toString('utf8', 0, this.#used)}]`);
    this.#used = 0;
    this.#count = 0;
  }
}

/** The JSON string of a checked text or date value given in COPY form. */
function jsonOfCopyText(text: string): string {
  return JSON.stringify(text.indexOf('\\') === -1 ? text : text.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c)));
}

/** Header cells matched to columns by column name (resident_id) or item name (公民身份号码). */
function mapHeader(header: readonly string[], columns: readonly ColumnSpec[]): Array<ColumnSpec | undefined> {
  const byName = new Map<string, ColumnSpec>();
  for (const c of columns) {
    byName.set(c.column.toLowerCase(), c);
    byName.set(c.name, c);
  }
  const seen = new Set<string>();
  const unknown: string[] = [];
  const mapped = header.map((cell) => {
    const text = cell.trim();
    if (text === '') return undefined;
    const column = byName.get(text) ?? byName.get(text.toLowerCase());
    if (!column) {
      unknown.push(text);
      return undefined;
    }
    if (seen.has(column.column)) throw E.headerDuplicate(text);
    seen.add(column.column);
    return column;
  });
  if (unknown.length > 0) throw E.headerUnknown(unknown, columns);
  const missing = columns.filter((c) => c.isKey && !seen.has(c.column));
  if (missing.length > 0) throw E.keyColumnMissing(missing);
  return mapped;
}

/**
 * Reads and checks `body`, sending the accepted rows to `options.sink` as they are checked. Throws a
 * 4xx for a file that cannot be read (encoding, format, header) or that has more refused rows than
 * allowed; the caller then discards what the sink received.
 */
export async function checkLoad(columns: readonly ColumnSpec[], body: AsyncIterable<Uint8Array>, options: CheckOptions): Promise<CheckedLoad> {
  const format = formatOf(options.mediaType);
  const declared = parseCharset(options.charset);
  if (declared === undefined) throw E.charsetUnsupported(options.charset ?? '');
  const digest = new ContentDigest(options.digestThreshold);
  const output = new RowOutput(options.sink);
  const report = new Report(options.maxErrors);
  const keys = new DistinctKeys();
  const distinct = options.distinctKeys !== false;
  const keyIndexes = columns.flatMap((c, i) => (c.isKey ? [i] : []));
  const batches = keyIndexes.every((i) => columns[i]!.dataType === 'string' || columns[i]!.dataType === 'date') ? new KeyBatches(keyIndexes.length) : undefined;
  const preview: CheckedLoad['preview'] = { header: [], rows: [] };
  let rowsRead = 0;
  let accepted = 0;
  let present: string[] = [];
  let encoding: SourceEncoding | undefined;
  let xlsxFile: string | undefined;
  // The values of one row in the columns' order, as COPY text (\N for a column the file lacks), reused.
  const values: string[] = new Array<string>(columns.length).fill(COPY_NULL);
  /** The COPY line of a checked row, and its key into the distinct-key set. */
  const emit = (row: number): void => {
    // join builds one flat string: cheaper to encode than a chain of concatenations.
    output.add(`${row}\t${values.join('\t')}\n`);
    if (keyIndexes.length === 1) {
      const key = values[keyIndexes[0]!]!;
      if (distinct) keys.add(key);
      batches?.add(key);
    } else {
      if (distinct) keys.add(keyIndexes.map((i) => values[i]).join('\t'));
      batches?.add(keyIndexes.map((i) => values[i]!));
    }
    accepted += 1;
  };
  try {
    if (format === 'ndjson') {
      const checkers = new Map(columns.map((c) => [c.column, jsonValueChecker(c)]));
      present = columns.map((c) => c.column);
      preview.header = present;
      encoding = 'utf-8';
      for await (const batch of readNdjson(digesting(body, digest))) {
        for (const record of batch) {
          rowsRead += 1;
          if ('error' in record) {
            report.add(record.row, '', record.error);
            report.reject();
            continue;
          }
          if (preview.rows.length < PREVIEW_ROWS) preview.rows.push(columns.map((c) => (Object.hasOwn(record.value, c.column) ? String(record.value[c.column]) : '')));
          let bad = false;
          for (const key of Object.keys(record.value)) {
            if (!checkers.has(key)) {
              report.add(record.row, key, { code: 'FIELD_UNKNOWN', message: `${key} is not a column of this resource`, messageZh: `“${key}”不是本资源的字段` });
              bad = true;
            }
          }
          for (let i = 0; i < columns.length; i++) {
            const c = columns[i]!;
            const out = checkers.get(c.column)!(Object.hasOwn(record.value, c.column) ? record.value[c.column] : null);
            if (out instanceof ValueProblem) {
              report.add(record.row, c.column, out);
              bad = true;
            } else values[i] = out;
          }
          if (bad) report.reject();
          else emit(record.row);
        }
        await output.drain();
      }
    } else {
      let records: AsyncIterable<SourceRecord[] | ByteBatch>;
      if (format === 'csv') {
        const { head, rest } = await peek(digesting(body, digest), SNIFF_BYTES);
        encoding = declared === 'auto' ? detectEncoding(head).encoding : declared;
        if (encoding === 'utf-8' && options.fastCsv !== false && !hasUtf16Bom(head) && !hasGb18030Bom(head)) {
          const bom = hasUtf8Bom(head) ? 3 : 0;
          records = readCsvBytes(skipBytes(rest, bom), { batchSize: 1000, offset: bom });
        } else records = readCsv(rest, { encoding, batchSize: 1000 });
      } else {
        // A zip's directory is at its end: the workbook is spooled to disk, then read from it.
        fs.mkdirSync(options.spoolDir, { recursive: true });
        xlsxFile = path.join(options.spoolDir, `upload-${crypto.randomUUID()}.xlsx`);
        const out = fs.createWriteStream(xlsxFile);
        for await (const chunk of digesting(body, digest)) if (!out.write(chunk)) await once(out, 'drain');
        out.end();
        await once(out, 'finish');
        records = readXlsxRows(xlsxFile);
      }
      let mapped: Array<ColumnSpec | undefined> | undefined;
      // For each column (in the columns' order): its field in the file, or -1, its checker, and the
      // test that lets the fast path copy a value's bytes as they are.
      let fieldOf: number[] = [];
      let checkers: Array<(raw: string | null | undefined) => string | ValueProblem> = [];
      const verbatim = columns.map((c) => verbatimTest(c));
      const tooManyFields = (fields: number, width: number): { code: string; message: string; messageZh: string } => ({
        code: 'ROW_TOO_MANY_FIELDS',
        message: `The row has ${fields} fields; the header has ${width}`,
        messageZh: `该行有 ${fields} 个字段，表头只有 ${width} 列`,
      });
      const takeRecord = (record: SourceRecord): void => {
        if (record.row === 0) {
          mapped = mapHeader(record.fields, columns);
          fieldOf = columns.map((c) => mapped!.indexOf(c));
          checkers = columns.map((c) => valueChecker(c));
          present = columns.filter((_, i) => fieldOf[i] !== -1).map((c) => c.column);
          sameOrder = mapped.length === columns.length && fieldOf.every((f, i) => f === i);
          preview.header = record.fields;
          return;
        }
        if (!mapped) throw E.headerMissing();
        rowsRead += 1;
        if (preview.rows.length < PREVIEW_ROWS) preview.rows.push(record.fields);
        const fields = record.fields;
        if (fields.length > mapped.length && fields.slice(mapped.length).some((f) => f.trim() !== '')) {
          report.add(record.row, '', tooManyFields(fields.length, mapped.length));
          report.reject();
          return;
        }
        let bad = false;
        for (let i = 0; i < fieldOf.length; i++) {
          const f = fieldOf[i]!;
          if (f === -1) continue; // stays \N
          const value = checkers[i]!(fields[f]);
          if (value instanceof ValueProblem) {
            report.add(record.row, columns[i]!.column, value);
            bad = true;
          } else values[i] = value;
        }
        if (bad) report.reject();
        else emit(record.row);
      };
      // The same for a record of the fast path, written to the output as it is checked: a value the
      // verbatim test passes is copied byte for byte, any other goes through its checker as text.
      const keyStart = new Int32Array(columns.length);
      const keyEnd = new Int32Array(columns.length);
      // The file has the resource's columns in their order: a record whose every value passes its
      // verbatim test goes out as one span, its commas turned into tabs (a field without quotes has
      // no comma of its own).
      let sameOrder = false;
      const takeWhole = (batch: ByteBatch, first: number, count: number): boolean => {
        const { buf, start, end, kind } = batch;
        for (let i = 0; i < count; i++) {
          const k = first + i;
          const test = verbatim[i];
          if (test === undefined || kind[k] !== FIELD_PLAIN || !test(buf, start[k]!, end[k]!)) return false;
        }
        const from = start[first]!;
        const to = end[first + count - 1]!;
        output.reserve(to - from + 2);
        const out = output.buffer;
        let at = output.used;
        out[at++] = 0x09;
        // Where the span lands: a value's offset in the row is its offset in the span plus `shift`.
        const shift = at - output.rowStart - from;
        for (let i = from; i < to; i++) {
          const c = buf[i]!;
          out[at++] = c === 0x2c ? 0x09 : c;
        }
        out[at++] = 0x0a;
        output.used = at;
        addKey(
          (k) => start[first + k]! + shift,
          (k) => end[first + k]! + shift,
        );
        return true;
      };
      /** Adds the key of the row just written; its columns' offsets in the row as given. */
      const addKey = (keyFrom: (column: number) => number, keyTo: (column: number) => number): void => {
        const rowStart = output.rowStart;
        const out = output.buffer;
        if (keyIndexes.length === 1) {
          const k = keyIndexes[0]!;
          if (distinct) keys.addBytes(out, rowStart + keyFrom(k), rowStart + keyTo(k));
          batches?.addBytes(out, rowStart + keyFrom(k), rowStart + keyTo(k));
        } else {
          const parts = keyIndexes.map((k) => out.toString('utf8', rowStart + keyFrom(k), rowStart + keyTo(k)));
          if (distinct) keys.add(parts.join('\t'));
          batches?.add(parts);
        }
      };
      const takeBytes = (batch: ByteBatch, r: number): void => {
        const row = batch.firstRow + r;
        if (row === 0 || !mapped || preview.rows.length < PREVIEW_ROWS) {
          takeRecord({ row, fields: recordFields(batch, r) });
          return;
        }
        rowsRead += 1;
        const { buf, start, end, kind } = batch;
        const first = batch.fieldsAt[r]!;
        const count = batch.fieldsAt[r + 1]! - first;
        if (count > mapped.length) {
          const fields = recordFields(batch, r);
          if (fields.slice(mapped.length).some((f) => f.trim() !== '')) {
            report.add(row, '', tooManyFields(fields.length, mapped.length));
            report.reject();
            return;
          }
        }
        output.beginRow();
        output.writeInt(row);
        if (sameOrder && count === columns.length && takeWhole(batch, first, count)) {
          accepted += 1;
          return;
        }
        let bad = false;
        for (let i = 0; i < fieldOf.length; i++) {
          output.reserve(3);
          output.writeByte(0x09);
          const f = fieldOf[i]!;
          const at = output.used - output.rowStart;
          keyStart[i] = at;
          let value: string | ValueProblem;
          if (f === -1) value = COPY_NULL;
          else if (f >= count) value = checkers[i]!(undefined);
          else {
            const k = first + f;
            const test = verbatim[i];
            if (test !== undefined && kind[k] !== FIELD_RAW && test(buf, start[k]!, end[k]!)) {
              output.writeBytes(buf, start[k]!, end[k]!);
              keyEnd[i] = output.used - output.rowStart;
              continue;
            }
            value = checkers[i]!(start[k] === end[k] && kind[k] === FIELD_PLAIN ? '' : fieldText(batch, k));
          }
          if (value instanceof ValueProblem) {
            report.add(row, columns[i]!.column, value);
            bad = true;
          } else if (!bad) output.writeText(value);
          keyEnd[i] = output.used - output.rowStart;
        }
        if (bad) {
          output.abortRow();
          report.reject();
          return;
        }
        output.reserve(1);
        output.writeByte(0x0a);
        addKey(
          (k) => keyStart[k]!,
          (k) => keyEnd[k]!,
        );
        accepted += 1;
      };
      for await (const batch of records) {
        if (Array.isArray(batch)) for (const record of batch) takeRecord(record);
        else for (let r = 0; r < batch.count; r++) takeBytes(batch, r);
        await output.drain();
      }
      if (!mapped) throw E.headerMissing();
    }
    await output.end();
  } catch (err) {
    digest.close();
    throw err;
  } finally {
    if (xlsxFile) fs.rmSync(xlsxFile, { force: true });
  }
  const contentSm3 = await digest.digest();
  return {
    format,
    encoding,
    rowsRead,
    accepted,
    rejected: report.rejected,
    errors: report.errors.sort((a, b) => a.row - b.row),
    present,
    keysDistinct: distinct && !keys.maybeDuplicates,
    keyBatches: batches?.finish(),
    contentSm3,
    preview,
  };
}

export const defaultSpoolDir = (dataDir: string | undefined): string => path.join(dataDir ?? os.tmpdir(), 'spool');
