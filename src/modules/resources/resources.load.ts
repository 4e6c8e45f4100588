import crypto from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { readCsv, type SourceRecord } from './ingest/csv.js';
import { detectEncoding, parseCharset, type SourceEncoding } from './ingest/encoding.js';
import { readNdjson } from './ingest/ndjson.js';
import { ValueProblem, jsonValueChecker, valueChecker, type ColumnSpec } from './ingest/values.js';
import { readXlsxRows } from './ingest/xlsx-stream.js';
import * as E from './resources.errors.js';

/**
 * Reading and checking a load (staged pipeline, STYLE 3): the body is read as it arrives (CSV in
 * UTF-8 or GB18030/GBK, NDJSON, or an xlsx spooled to disk first — a zip is read from its end), each
 * row is checked against the resource's columns, and accepted rows are written, already in COPY
 * format, to a spool file. Nothing touches the resource's table here: merging the spool is one
 * transaction (resources.service.ts), so readers see the old data or the new, a process killed while
 * reading leaves the table as it was, and a validated load can be merged again (resumed) from its
 * spool without sending the file again. Memory stays bounded: one batch of rows at a time.
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
  contentSm3: string;
  spool: string;
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
  spoolDir: string;
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

/** Spool lines are COPY text: the row number, then the values of the present columns. */
class Spool {
  readonly file: string;
  readonly #out: fs.WriteStream;
  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `load-${crypto.randomUUID()}.copy`);
    this.#out = fs.createWriteStream(this.file, { encoding: 'utf8' });
  }
  async write(text: string): Promise<void> {
    if (!this.#out.write(text)) await once(this.#out, 'drain');
  }
  async close(): Promise<void> {
    this.#out.end();
    await once(this.#out, 'finish');
  }
  discard(): void {
    this.#out.destroy();
    fs.rmSync(this.file, { force: true });
  }
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
 * Reads and checks `body`, spooling the accepted rows. Throws a 4xx for a file that cannot be read
 * (encoding, format, header) or that has more refused rows than allowed; the spool is then removed.
 */
export async function checkLoad(columns: readonly ColumnSpec[], body: AsyncIterable<Uint8Array>, options: CheckOptions): Promise<CheckedLoad> {
  const format = formatOf(options.mediaType);
  const declared = parseCharset(options.charset);
  if (declared === undefined) throw E.charsetUnsupported(options.charset ?? '');
  const hash = crypto.createHash('sm3');
  const spool = new Spool(options.spoolDir);
  const report = new Report(options.maxErrors);
  const preview: CheckedLoad['preview'] = { header: [], rows: [] };
  let rowsRead = 0;
  let accepted = 0;
  let present: string[] = [];
  let encoding: SourceEncoding | undefined;
  let xlsxFile: string | undefined;
  try {
    if (format === 'ndjson') {
      const checkers = new Map(columns.map((c) => [c.column, jsonValueChecker(c)]));
      present = columns.map((c) => c.column);
      preview.header = present;
      encoding = 'utf-8';
      for await (const batch of readNdjson(digesting(body, hash))) {
        let text = '';
        for (const record of batch) {
          rowsRead += 1;
          if ('error' in record) {
            report.add(record.row, '', record.error);
            report.reject();
            continue;
          }
          if (preview.rows.length < PREVIEW_ROWS) preview.rows.push(columns.map((c) => (Object.hasOwn(record.value, c.column) ? String(record.value[c.column]) : '')));
          let line = String(record.row);
          let bad = false;
          for (const key of Object.keys(record.value)) {
            if (!checkers.has(key)) {
              report.add(record.row, key, { code: 'FIELD_UNKNOWN', message: `${key} is not a column of this resource`, messageZh: `“${key}”不是本资源的字段` });
              bad = true;
            }
          }
          for (const c of columns) {
            const value = Object.hasOwn(record.value, c.column) ? record.value[c.column] : null;
            const out = checkers.get(c.column)!(value);
            if (out instanceof ValueProblem) {
              report.add(record.row, c.column, out);
              bad = true;
            } else line += `\t${out}`;
          }
          if (bad) report.reject();
          else {
            text += `${line}\n`;
            accepted += 1;
          }
        }
        await spool.write(text);
      }
    } else {
      let records: AsyncIterable<SourceRecord[]>;
      if (format === 'csv') {
        const { head, rest } = await peek(digesting(body, hash), SNIFF_BYTES);
        encoding = declared === 'auto' ? detectEncoding(head).encoding : declared;
        records = readCsv(rest, { encoding });
      } else {
        // A zip's directory is at its end: the workbook is spooled to disk, then read from it.
        xlsxFile = path.join(options.spoolDir, `upload-${crypto.randomUUID()}.xlsx`);
        const out = fs.createWriteStream(xlsxFile);
        for await (const chunk of digesting(body, hash)) if (!out.write(chunk)) await once(out, 'drain');
        out.end();
        await once(out, 'finish');
        records = readXlsxRows(xlsxFile);
      }
      let mapped: Array<ColumnSpec | undefined> | undefined;
      let checkers: Array<((raw: string | null | undefined) => string | ValueProblem) | undefined> = [];
      for await (const batch of records) {
        let text = '';
        for (const record of batch) {
          if (record.row === 0) {
            mapped = mapHeader(record.fields, columns);
            checkers = mapped.map((c) => (c ? valueChecker(c) : undefined));
            present = columns.filter((c) => mapped!.includes(c)).map((c) => c.column);
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
          // Values go to the spool in the columns' order, not the file's.
          const out: string[] = new Array<string>(columns.length);
          let bad = false;
          for (let i = 0; i < mapped.length; i++) {
            const column = mapped[i];
            if (!column) continue;
            const value = checkers[i]!(fields[i]);
            if (value instanceof ValueProblem) {
              report.add(record.row, column.column, value);
              bad = true;
            } else out[columns.indexOf(column)] = value;
          }
          if (bad) {
            report.reject();
            continue;
          }
          let line = String(record.row);
          for (let i = 0; i < columns.length; i++) if (out[i] !== undefined) line += `\t${out[i]}`;
          text += `${line}\n`;
          accepted += 1;
        }
        await spool.write(text);
      }
      if (!mapped) throw E.headerMissing();
    }
    await spool.close();
  } catch (err) {
    spool.discard();
    throw err;
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
    contentSm3: hash.digest('hex'),
    spool: spool.file,
    preview,
  };
}

/** Lines of a spool, for COPY. */
export async function* spoolLines(file: string): AsyncGenerator<string> {
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) yield chunk as string;
}

export const defaultSpoolDir = (dataDir: string | undefined): string => path.join(dataDir ?? os.tmpdir(), 'spool');
