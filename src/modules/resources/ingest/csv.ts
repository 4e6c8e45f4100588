import { decodeText, encodingError, TextDecodeFailure, type SourceEncoding } from './encoding.js';
import { IngestFormatError } from './errors.js';

export interface CsvOptions {
  encoding: SourceEncoding | 'auto';
  /** One character; default ','. */
  delimiter?: string;
  /** Longest field in characters; default 1 MiB. */
  maxFieldLength?: number;
  /** Most fields in a record; default 2000 (PostgreSQL allows 1600 columns). */
  maxColumns?: number;
  /** Longest record in characters; default 16 MiB. Keeps memory bounded whatever the other limits. */
  maxRecordLength?: number;
  /** Records per yielded batch; default 5000. */
  batchSize?: number;
  /**
   * The source continues a file from a record boundary (csv-bytes.ts hands over): no BOM is looked
   * for, and rows, lines and byte offsets count on from these.
   */
  continueAt?: { row: number; line: number; offset: number };
}

/** One record of a text or sheet source: row 0 is the header, 1 the first data row. */
export interface SourceRecord {
  row: number;
  fields: string[];
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Line breaks (LF, CRLF or a lone CR) in s[from, to). */
function countBreaks(s: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k += 1) {
    const c = s.charCodeAt(k);
    if (c === LF || (c === CR && s.charCodeAt(k + 1) !== LF)) count += 1;
  }
  return count;
}

const whereEn = (row: number, line: number): string => `${row === 0 ? 'the header' : `row ${row}`} (line ${line})`;
const whereZh = (row: number, line: number): string => `${row === 0 ? '表头' : `第 ${row} 行`}（文件第 ${line} 行）`;

/**
 * An RFC 4180 parser that takes text in pieces. State between pieces is the fields of the record in
 * progress plus the text of the one field that a piece cut (re-read from its start with the next
 * piece, so only that field is scanned twice). It stops after each full batch so that a piece never
 * makes a batch larger than asked.
 */
class CsvParser {
  private readonly delimiter: number;
  private readonly maxField: number;
  private readonly maxColumns: number;
  private readonly maxRecord: number;
  private readonly batchSize: number;

  batch: SourceRecord[] = [];
  /** Number of the record being read. */
  row = 0;
  /** Line (1-based) where the field being read starts. */
  line = 1;
  private fields: string[] = [];
  /** Characters of the record in progress that earlier pieces held (not counting `carry`). */
  private recordChars = 0;
  /** The start of a field that the last piece cut. */
  private carry = '';
  /** The last piece ended with CR: a LF at the start of the next belongs to it. */
  private skipLF = false;
  private text = '';
  private pos = 0;

  constructor(options: CsvOptions) {
    const delimiter = options.delimiter ?? ',';
    const d = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || d === QUOTE || d === LF || d === CR) {
      throw new IngestFormatError(
        'CSV_DELIMITER_INVALID',
        'The delimiter must be one character other than a quote or a line break',
        '分隔符须为一个字符，且不能是引号或换行符',
      );
    }
    this.delimiter = d;
    this.maxField = options.maxFieldLength ?? 1024 * 1024;
    this.maxColumns = options.maxColumns ?? 2000;
    this.maxRecord = options.maxRecordLength ?? 16 * 1024 * 1024;
    this.batchSize = Math.max(1, options.batchSize ?? 5000);
  }

  feed(text: string): void {
    this.text = this.carry === '' ? text : this.carry + text;
    this.carry = '';
    this.pos = 0;
  }

  /** The end of the input: what was carried is read as the last text. */
  finish(): void {
    this.feed('');
  }

  take(): SourceRecord[] {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  /**
   * Parses the current text; true when it stopped because the batch is full (call again after
   * taking it), false when the text is used up. `final`: no more text follows.
   */
  run(final: boolean): boolean {
    const s = this.text;
    const n = s.length;
    const D = this.delimiter;
    const maxField = this.maxField;
    const batch = this.batch;
    let i = this.pos;
    let line = this.line;
    let fields = this.fields;
    // So that i - recordStart is the length of the record so far, earlier pieces included.
    let recordStart = i - this.recordChars;
    // Where the next LF and CR are, to count line breaks inside quoted fields without rescanning.
    let nextLF = -1;
    let nextCR = -1;
    if (this.skipLF && i < n) {
      if (s.charCodeAt(i) === LF) i += 1;
      this.skipLF = false;
      recordStart = i;
    }

    for (;;) {
      if (i >= n) {
        if (final && fields.length > 0) {
          // "a,b," at the end of the input: the last field is empty.
          fields.push('');
          batch.push({ row: this.row++, fields });
          fields = [];
        }
        this.pos = n;
        this.fields = fields;
        this.line = line;
        this.recordChars = n - recordStart;
        if (!final) this.checkRecord(n - recordStart, line);
        return false;
      }
      const start = i;
      let c = s.charCodeAt(i);
      let value: string;
      if (c === QUOTE) {
        let q = s.indexOf('"', i + 1);
        let doubled = false;
        // A quote that is the last character may be the first of a doubled pair: wait for more.
        while (q >= 0 && (q + 1 < n ? s.charCodeAt(q + 1) === QUOTE : !final)) {
          if (q + 1 >= n) {
            q = -1;
            break;
          }
          doubled = true;
          q = s.indexOf('"', q + 2);
        }
        if (q < 0) {
          if (final) {
            throw new IngestFormatError(
              'CSV_UNTERMINATED_QUOTE',
              `A quoted field in ${whereEn(this.row, line)} has no closing quote (")`,
              `${whereZh(this.row, line)}的带引号字段缺少结束引号（"）`,
              { row: this.row, line },
            );
          }
          return this.cut(s, start, recordStart, line, fields, 2 * maxField + 2);
        }
        value = doubled ? s.slice(start + 1, q).replaceAll('""', '"') : s.slice(start + 1, q);
        i = q + 1;
        if (nextLF < start) nextLF = s.indexOf('\n', start) >>> 0;
        if (nextCR < start) nextCR = s.indexOf('\r', start) >>> 0;
        if (nextLF < i || nextCR < i) {
          line += countBreaks(s, start, i);
          nextLF = -1;
          nextCR = -1;
        }
        if (i < n) {
          c = s.charCodeAt(i);
          if (c !== D && c !== LF && c !== CR) {
            // Text after the closing quote ("ab"c) is kept, as Excel and WPS read it.
            let j = i + 1;
            while (j < n) {
              c = s.charCodeAt(j);
              if (c === D || c === LF || c === CR) break;
              j += 1;
            }
            if (j === n && !final) return this.cut(s, start, recordStart, line, fields, 2 * maxField + 2);
            value += s.slice(i, j);
            i = j;
          }
        }
      } else {
        if ((c === LF || c === CR) && fields.length === 0) {
          // A blank line: skipped, and not a record.
          i += 1;
          if (c === CR) {
            if (i < n) {
              if (s.charCodeAt(i) === LF) i += 1;
            } else this.skipLF = true;
          }
          line += 1;
          recordStart = i;
          continue;
        }
        let j = i;
        while (j < n) {
          c = s.charCodeAt(j);
          if (c === D || (c <= CR && (c === LF || c === CR))) break;
          j += 1;
        }
        if (j === n && !final) return this.cut(s, start, recordStart, line, fields, maxField);
        value = s.slice(start, j);
        i = j;
      }
      if (value.length > maxField) throw this.fieldTooLong(line);
      fields.push(value);
      if (i >= n) {
        // The end of the input (only reached when final) ends the record.
        this.checkRecord(i - recordStart, line);
        batch.push({ row: this.row++, fields });
        fields = [];
        continue;
      }
      c = s.charCodeAt(i);
      if (c === D) {
        i += 1;
        if (fields.length >= this.maxColumns) {
          throw new IngestFormatError(
            'CSV_TOO_MANY_COLUMNS',
            `${whereEn(this.row, line)} has more than ${this.maxColumns} fields`,
            `${whereZh(this.row, line)}的字段数超过 ${this.maxColumns} 个`,
            { row: this.row, line },
          );
        }
        continue;
      }
      // A line break ends the record.
      i += 1;
      if (c === CR) {
        if (i < n) {
          if (s.charCodeAt(i) === LF) i += 1;
        } else this.skipLF = true;
      }
      if (i - recordStart > this.maxRecord) this.checkRecord(i - recordStart, line);
      line += 1;
      batch.push({ row: this.row++, fields });
      fields = [];
      recordStart = i;
      if (batch.length >= this.batchSize) {
        this.pos = i;
        this.line = line;
        this.fields = fields;
        this.recordChars = 0;
        return true;
      }
    }
  }

  /** The piece ends inside the field that starts at `start`: keep its text for the next piece. */
  private cut(s: string, start: number, recordStart: number, line: number, fields: string[], maxCarry: number): false {
    this.carry = s.slice(start);
    this.pos = s.length;
    this.line = line;
    this.fields = fields;
    this.recordChars = start - recordStart;
    if (this.carry.length > maxCarry) throw this.fieldTooLong(line);
    this.checkRecord(s.length - recordStart, line);
    return false;
  }

  private checkRecord(length: number, line: number): void {
    if (length <= this.maxRecord) return;
    throw new IngestFormatError(
      'CSV_RECORD_TOO_LONG',
      `${whereEn(this.row, line)} is longer than ${this.maxRecord} characters`,
      `${whereZh(this.row, line)}超过 ${this.maxRecord} 个字符`,
      { row: this.row, line },
    );
  }

  private fieldTooLong(line: number): IngestFormatError {
    return new IngestFormatError(
      'CSV_FIELD_TOO_LONG',
      `A field in ${whereEn(this.row, line)} is longer than ${this.maxField} characters`,
      `${whereZh(this.row, line)}有字段超过 ${this.maxField} 个字符`,
      { row: this.row, line },
    );
  }
}

/**
 * Reads CSV (RFC 4180: quoted fields, doubled quotes, CR, LF or CRLF line breaks, line breaks
 * inside quotes; a BOM skipped) in batches of records, the header being the first record of the
 * first batch. Memory is one decoded piece plus one batch. A record with the wrong number of fields
 * is yielded as it is (the loader reports it); blank lines are skipped and not numbered. Problems
 * that make the rest of the file unreadable throw IngestFormatError with the row: bytes that are
 * not text in the encoding (ENCODING_INVALID, ENCODING_UNSUPPORTED for UTF-16), an unterminated
 * quote (CSV_UNTERMINATED_QUOTE), limits (CSV_FIELD_TOO_LONG, CSV_TOO_MANY_COLUMNS,
 * CSV_RECORD_TOO_LONG).
 *
 * @example
 * for await (const batch of readCsv(fs.createReadStream(path), { encoding: 'auto' })) load(batch);
 */
export async function* readCsv(source: AsyncIterable<Uint8Array>, options: CsvOptions): AsyncGenerator<SourceRecord[]> {
  const parser = new CsvParser(options);
  if (options.continueAt) {
    parser.row = options.continueAt.row;
    parser.line = options.continueAt.line;
  }
  try {
    for await (const text of decodeText(source, options.encoding, options.continueAt?.offset)) {
      parser.feed(text);
      while (parser.run(false)) yield parser.take();
    }
  } catch (err) {
    if (!(err instanceof TextDecodeFailure)) throw err;
    // Parse what came before the bad bytes to name the row they are in.
    parser.feed(err.text);
    while (parser.run(false)) parser.take();
    throw encodingError(err, parser.row, parser.line);
  }
  parser.finish();
  while (parser.run(true)) yield parser.take();
  if (parser.batch.length > 0) yield parser.take();
}
