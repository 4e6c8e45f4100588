import crypto from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { readCsv, type SourceRecord } from './ingest/csv.js';
import { detectEncoding, parseCharset, type SourceEncoding } from './ingest/encoding.js';
import { readNdjson } from './ingest/ndjson.js';
import { COPY_NULL, ValueProblem, jsonValueChecker, valueChecker, type ColumnSpec } from './ingest/values.js';
import { readXlsxRows } from './ingest/xlsx-stream.js';
import { DistinctKeys } from './ingest/distinct-keys.js';
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

/** Hashes (SM3) what passes through, so the load records exactly which bytes it came from. */
async function* digesting(source: AsyncIterable<Uint8Array>, hash: crypto.Hash): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk);
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
 * encoded into a buffer that goes to the sink when full: one native write per row, and no string
 * the size of a batch for the garbage collector to build and tear down.
 */
class RowOutput {
  static readonly SIZE = 1 << 20;
  #buffer = Buffer.allocUnsafe(RowOutput.SIZE);
  #used = 0;
  constructor(private readonly sink: RowSink) {}

  /** Adds a line (ending in a newline); the caller awaits `flushIfFull` between batches. */
  add(line: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.#used + line.length * 3 > this.#buffer.length) this.#spill(line.length * 3);
    this.#used += this.#buffer.write(line, this.#used);
  }

  #pending: Buffer[] = [];
  #spill(need: number): void {
    if (this.#used > 0) this.#pending.push(this.#buffer.subarray(0, this.#used));
    this.#buffer = Buffer.allocUnsafe(Math.max(RowOutput.SIZE, need));
    this.#used = 0;
  }

  /** Hands full buffers to the sink (with its back-pressure). */
  async drain(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    for (const chunk of pending) await this.sink.write(chunk);
  }

  async end(): Promise<void> {
    if (this.#used > 0) this.#pending.push(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
    await this.drain();
  }
}

/** Keys of accepted rows, as JSON arrays of CHANGE_BATCH (see CheckedLoad.keyBatches). */
class KeyBatches {
  static readonly MAX_KEYS = 2_000_000;
  #batches: string[] = [];
  // The open batch's keys as JSON; joined into one flat string when it closes, so that what is kept
  // is a thousand strings, not a million small ones (each surviving into the old generation).
  #open: string[] = [];
  #total = 0;
  constructor(private readonly width: number) {}

  /** A key's values in COPY form. */
  add(key: string | string[]): void {
    if (++this.#total > KeyBatches.MAX_KEYS) {
      this.#batches = [];
      this.#open = [];
      return;
    }
    this.#open.push(this.width === 1 ? jsonOfCopyText(key as string) : `[${(key as string[]).map(jsonOfCopyText).join(',')}]`);
    if (this.#open.length === CHANGE_BATCH) this.#close();
  }

  /** The batches, or undefined when too many keys came to keep them (the merge reads the staging table). */
  finish(): string[] | undefined {
    if (this.#total > KeyBatches.MAX_KEYS) return undefined;
    if (this.#open.length > 0) this.#close();
    return this.#batches;
  }

  #close(): void {
    this.#batches.push(`[${this.#open.join(',')}]`);
    this.#open = [];
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
  const hash = crypto.createHash('sm3');
  const output = new RowOutput(options.sink);
  const report = new Report(options.maxErrors);
  const keys = new DistinctKeys();
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
      keys.add(key);
      batches?.add(key);
    } else {
      keys.add(keyIndexes.map((i) => values[i]).join('\t'));
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
      for await (const batch of readNdjson(digesting(body, hash))) {
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
      let records: AsyncIterable<SourceRecord[]>;
      if (format === 'csv') {
        const { head, rest } = await peek(digesting(body, hash), SNIFF_BYTES);
        encoding = declared === 'auto' ? detectEncoding(head).encoding : declared;
        records = readCsv(rest, { encoding, batchSize: 1000 });
      } else {
        // A zip's directory is at its end: the workbook is spooled to disk, then read from it.
        fs.mkdirSync(options.spoolDir, { recursive: true });
        xlsxFile = path.join(options.spoolDir, `upload-${crypto.randomUUID()}.xlsx`);
        const out = fs.createWriteStream(xlsxFile);
        for await (const chunk of digesting(body, hash)) if (!out.write(chunk)) await once(out, 'drain');
        out.end();
        await once(out, 'finish');
        records = readXlsxRows(xlsxFile);
      }
      let mapped: Array<ColumnSpec | undefined> | undefined;
      // For each column (in the columns' order): its field in the file, or -1, and its checker.
      let fieldOf: number[] = [];
      let checkers: Array<(raw: string | null | undefined) => string | ValueProblem> = [];
      for await (const batch of records) {
        for (const record of batch) {
          if (record.row === 0) {
            mapped = mapHeader(record.fields, columns);
            fieldOf = columns.map((c) => mapped!.indexOf(c));
            checkers = columns.map((c) => valueChecker(c));
            present = columns.filter((_, i) => fieldOf[i] !== -1).map((c) => c.column);
            preview.header = record.fields;
            continue;
          }
          if (!mapped) throw E.headerMissing();
          rowsRead += 1;
          if (preview.rows.length < PREVIEW_ROWS) preview.rows.push(record.fields);
          const fields = record.fields;
          if (fields.length > mapped.length && fields.slice(mapped.length).some((f) => f.trim() !== '')) {
            report.add(record.row, '', { code: 'ROW_TOO_MANY_FIELDS', message: `The row has ${fields.length} fields; the header has ${mapped.length}`, messageZh: `该行有 ${fields.length} 个字段，表头只有 ${mapped.length} 列` });
            report.reject();
            continue;
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
        }
        await output.drain();
      }
      if (!mapped) throw E.headerMissing();
    }
    await output.end();
  } finally {
    if (xlsxFile) fs.rmSync(xlsxFile, { force: true });
  }
  return {
    format,
    encoding,
    rowsRead,
    accepted,
    rejected: report.rejected,
    errors: report.errors.sort((a, b) => a.row - b.row),
    present,
    keysDistinct: !keys.maybeDuplicates,
    keyBatches: batches?.finish(),
    contentSm3: hash.digest('hex'),
    preview,
  };
}

export const defaultSpoolDir = (dataDir: string | undefined): string => path.join(dataDir ?? os.tmpdir(), 'spool');
