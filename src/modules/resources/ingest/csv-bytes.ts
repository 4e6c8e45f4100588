import { isUtf8 } from 'node:buffer';
import { readCsv, type SourceRecord } from './csv.js';

/**
 * The fast path for UTF-8 CSV (DECISIONS 24): records found in the bytes as they arrived, each field
 * a byte range, so that a loader can check most values and copy them to its output without making a
 * string of every cell (decoding, splitting and re-encoding were most of a load's time).
 *
 * It reads exactly what readCsv (csv.ts) reads — the same fields, row numbers and blank lines —
 * for the records it takes, and leaves the rest to readCsv: at the first record it does not take
 * (bytes that are not UTF-8, a record longer than FAST_RECORD_BYTES or with too many fields, an
 * unterminated quote) it hands readCsv the bytes from that record on, with the row and line to
 * continue from, and yields readCsv's batches. So every refusal of a malformed file is readCsv's,
 * worded and placed the same way on both paths.
 */

/** Records longer than this go to readCsv (which alone knows the field and record limits). */
export const FAST_RECORD_BYTES = 64 * 1024;
const MAX_COLUMNS = 2000;

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/** A field's bytes are its value. */
export const FIELD_PLAIN = 0;
/** A quoted field without doubled quotes or text after the closing quote: the range is inside the quotes. */
export const FIELD_QUOTED = 1;
/** A quoted field with doubled quotes or text after the closing quote: the range is the raw field. */
export const FIELD_RAW = 2;

/**
 * Records as byte ranges into `buf`. Record r (row `firstRow + r`) has fields `fieldsAt[r]` up to
 * `fieldsAt[r + 1]`; field k is `buf[start[k], end[k])` read as `kind[k]` says. Valid until the
 * next batch is asked for.
 */
export interface ByteBatch {
  buf: Buffer;
  firstRow: number;
  count: number;
  fieldsAt: Int32Array;
  start: Int32Array;
  end: Int32Array;
  kind: Uint8Array;
}

/** The text of field k of a batch, as readCsv would give it. */
export function fieldText(batch: ByteBatch, k: number): string {
  const { buf } = batch;
  const s = batch.start[k]!;
  const e = batch.end[k]!;
  if (batch.kind[k] !== FIELD_RAW) return buf.toString('utf8', s, e);
  // "a""b"c → a"b + c: the closing quote is the first one not followed by another.
  const raw = buf.toString('utf8', s, e);
  let q = raw.indexOf('"', 1);
  while (q + 1 < raw.length && raw.charCodeAt(q + 1) === QUOTE) q = raw.indexOf('"', q + 2);
  return raw.slice(1, q).replaceAll('""', '"') + raw.slice(q + 1);
}

/** The fields of record r of a batch, as strings (the header, the preview, rare checks). */
export function recordFields(batch: ByteBatch, r: number): string[] {
  const fields: string[] = [];
  for (let k = batch.fieldsAt[r]!; k < batch.fieldsAt[r + 1]!; k++) fields.push(fieldText(batch, k));
  return fields;
}

/** Line breaks (LF, CRLF or a lone CR) in buf[from, to), counted as csv.ts counts them. */
function countBreaks(buf: Buffer, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = buf[k];
    if (c === LF || (c === CR && buf[k + 1] !== LF)) count += 1;
  }
  return count;
}

/** Why scanning stopped: a batch is full, more bytes are needed, or readCsv must take over. */
const FULL = 0;
const MORE = 1;
const HAND_OVER = 2;

class ByteScanner {
  buf: Buffer = Buffer.alloc(0);
  /** Where the next record starts. */
  pos = 0;
  /** buf[0, checked) is known to be UTF-8 (it ends at a character boundary). */
  checked = 0;
  /** The file offset of buf[0]. */
  base = 0;
  row = 0;
  line = 1;
  batch: ByteBatch;
  #fields = 0;
  #store: Buffer = Buffer.alloc(0);

  constructor(private readonly batchSize: number) {
    this.batch = {
      buf: this.buf,
      firstRow: 0,
      count: 0,
      fieldsAt: new Int32Array(batchSize + 1),
      start: new Int32Array(batchSize * 16),
      end: new Int32Array(batchSize * 16),
      kind: new Uint8Array(batchSize * 16),
    };
  }

  /** Appends bytes, keeping the unread part; false when they are not UTF-8 (readCsv takes over). */
  push(chunk: Uint8Array, final: boolean): boolean {
    const rest = this.buf.length - this.pos;
    const needed = rest + chunk.length;
    this.base += this.pos;
    this.checked -= this.pos;
    // The unread rest moves to the front of one buffer kept for the whole file, and the chunk is
    // copied after it: the source may reuse its chunk, and memory already touched is much cheaper to
    // write than a new buffer per chunk. (The last batch is done with: its consumer asked for more.)
    if (this.#store.length < needed) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, 2 * this.#store.length, 1 << 20));
      this.buf.copy(bigger, 0, this.pos);
      this.#store = bigger;
    } else if (rest > 0 && this.pos > 0) this.buf.copy(this.#store, 0, this.pos);
    this.#store.set(chunk, rest);
    this.buf = this.#store.subarray(0, needed);
    this.pos = 0;
    // Validated up to the last line feed (a character boundary), or to the end of the input.
    const to = final ? this.buf.length : this.buf.lastIndexOf(LF) + 1;
    if (to > this.checked) {
      if (!isUtf8(this.buf.subarray(this.checked, to))) return false;
      this.checked = to;
    }
    return true;
  }

  #field(s: number, e: number, kind: number): void {
    const k = this.#fields++;
    const b = this.batch;
    if (k === b.start.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      b.start = grow(b.start);
      b.end = grow(b.end);
      b.kind = grow(b.kind);
    }
    b.start[k] = s;
    b.end[k] = e;
    b.kind[k] = kind;
  }

  /** Scans records from `pos` into a new batch. */
  scan(final: boolean): number {
    const buf = this.buf;
    // Only bytes known to be UTF-8 are read; at the end of the input that is all of them.
    const n = this.checked;
    const b = this.batch;
    b.buf = buf;
    b.firstRow = this.row;
    b.count = 0;
    this.#fields = 0;
    let i = this.pos;
    for (;;) {
      if (b.count === this.batchSize) return FULL;
      if (i >= n) return MORE;
      // A blank line: skipped, and not a record. A CR at the end waits to see whether a LF follows.
      let c = buf[i]!;
      if (c === LF || c === CR) {
        if (c === CR && i + 1 >= n && !final) return MORE;
        i += c === CR && buf[i + 1] === LF ? 2 : 1;
        this.line += 1;
        this.pos = i;
        continue;
      }
      const recordStart = i;
      const firstField = this.#fields;
      let breaks = 0;
      let complete = false;
      for (;;) {
        if (this.#fields - firstField === MAX_COLUMNS) return this.#rewind(firstField, HAND_OVER);
        const fieldStart = i;
        if (buf[i] === QUOTE) {
          let q = buf.indexOf(QUOTE, i + 1);
          let doubled = false;
          while (q >= 0 && q < n && q + 1 < n && buf[q + 1] === QUOTE) {
            doubled = true;
            q = buf.indexOf(QUOTE, q + 2);
          }
          if (q < 0 || q >= n || (q + 1 >= n && !final)) {
            // Unterminated for now: more bytes may close it; at the end it is readCsv's error.
            return this.#rewind(firstField, final || n - recordStart > FAST_RECORD_BYTES ? HAND_OVER : MORE);
          }
          breaks += countBreaks(buf, fieldStart, q);
          i = q + 1;
          let trailing = false;
          while (i < n) {
            c = buf[i]!;
            if (c === COMMA || c === LF || c === CR) break;
            trailing = true;
            i += 1;
          }
          if (i >= n && !final) return this.#rewind(firstField, n - recordStart > FAST_RECORD_BYTES ? HAND_OVER : MORE);
          if (doubled || trailing) this.#field(fieldStart, i, FIELD_RAW);
          else this.#field(fieldStart + 1, q, FIELD_QUOTED);
        } else {
          while (i < n) {
            c = buf[i]!;
            if (c === COMMA || c === LF || c === CR) break;
            i += 1;
          }
          if (i >= n && !final) return this.#rewind(firstField, n - recordStart > FAST_RECORD_BYTES ? HAND_OVER : MORE);
          this.#field(fieldStart, i, FIELD_PLAIN);
        }
        if (i >= n) {
          // The end of the input ends the record.
          complete = true;
          break;
        }
        c = buf[i]!;
        if (c === COMMA) {
          i += 1;
          if (i >= n && final) {
            // "a,b," at the end of the input: the last field is empty.
            this.#field(i, i, FIELD_PLAIN);
            complete = true;
            break;
          }
          continue;
        }
        // A line break ends the record; a CR at the end waits for a possible LF.
        if (c === CR && i + 1 >= n && !final) return this.#rewind(firstField, MORE);
        i += c === CR && buf[i + 1] === LF ? 2 : 1;
        breaks += 1;
        complete = true;
        break;
      }
      if (!complete) return this.#rewind(firstField, MORE);
      if (i - recordStart > FAST_RECORD_BYTES) return this.#rewind(firstField, HAND_OVER);
      b.fieldsAt[b.count] = firstField;
      b.count += 1;
      b.fieldsAt[b.count] = this.#fields;
      this.row += 1;
      this.line += breaks;
      this.pos = i;
    }
  }

  /** Forgets the fields of an unfinished record (it starts at `pos`). */
  #rewind(firstField: number, why: number): number {
    this.#fields = firstField;
    return why;
  }

  /** What readCsv continues from: the unread bytes, and the row, line and file offset of their start. */
  handOver(): { rest: Buffer; row: number; line: number; offset: number } {
    return { rest: this.buf.subarray(this.pos), row: this.row, line: this.line, offset: this.base + this.pos };
  }
}

/**
 * Reads UTF-8 CSV (without its BOM) in batches of byte ranges while it can, then — if it meets
 * something only readCsv handles — in readCsv's batches of strings. The header is the first record
 * of the first batch either way. `offset`: the file offset of the source's first byte.
 */
export async function* readCsvBytes(
  source: AsyncIterable<Uint8Array>,
  options: { batchSize?: number; offset?: number } = {},
): AsyncGenerator<ByteBatch | SourceRecord[]> {
  const scanner = new ByteScanner(Math.max(1, options.batchSize ?? 1000));
  scanner.base = options.offset ?? 0;
  const iterator = source[Symbol.asyncIterator]();
  let handOver = false;
  let final = false;
  for (;;) {
    const next = await iterator.next();
    final = next.done === true;
    if (!scanner.push(final ? new Uint8Array(0) : next.value, final)) {
      handOver = true;
      break;
    }
    let why: number;
    while ((why = scanner.scan(final)) === FULL) yield scanner.batch;
    if (scanner.batch.count > 0) yield scanner.batch;
    if (why === HAND_OVER) {
      handOver = true;
      break;
    }
    if (final) {
      // Bytes left at the end are a record scan could not finish: readCsv says why.
      handOver = scanner.pos < scanner.buf.length;
      break;
    }
  }
  if (!handOver) return;
  const { rest, row, line, offset } = scanner.handOver();
  async function* remaining(): AsyncGenerator<Uint8Array> {
    yield rest;
    if (final) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  yield* readCsv(remaining(), { encoding: 'utf-8', batchSize: options.batchSize ?? 1000, continueAt: { row, line, offset } });
}
