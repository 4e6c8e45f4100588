import { hasUtf16Bom } from './encoding.js';
import { IngestFormatError } from './errors.js';

export type NdjsonRecord =
  | { row: number; value: Record<string, unknown> }
  | { row: number; error: { code: 'JSON_INVALID' | 'NOT_AN_OBJECT'; message: string; messageZh: string } };

export interface NdjsonOptions {
  /** Longest line in bytes; default 16 MiB. Longer is fatal (NDJSON_LINE_TOO_LONG). */
  maxLineLength?: number;
  /** Records per yielded batch; default 5000. */
  batchSize?: number;
}

const LF = 0x0a;
const QUOTE = 34;
const BACKSLASH = 92;
/** Source bytes handled at once, whatever the source's chunk size. */
const PIECE_BYTES = 64 * 1024;
/**
 * Lines that may hold a number a double cannot: a value of 16 digits or dots in a row (after a
 * colon, comma or bracket, so that an ID number in a string does not count), or a 3-digit exponent.
 * A match only means the line is scanned properly.
 */
const LONG_NUMBER = /[:,[]\s*-?[0-9.]{16}|[0-9][eE][+-]?[0-9]{3}/;

/** A number's value as text, "digits e exponent" without leading or trailing zeros. */
function decimalKey(token: string): string {
  let k = 0;
  let sign = '';
  if (token.charCodeAt(0) === 45) {
    sign = '-';
    k = 1;
  }
  let digits = '';
  let exponent = 0;
  let fraction = false;
  for (; k < token.length; k += 1) {
    const ch = token[k]!;
    if (ch === '.') fraction = true;
    else if (ch === 'e' || ch === 'E') {
      exponent += Number(token.slice(k + 1));
      break;
    } else {
      digits += ch;
      if (fraction) exponent -= 1;
    }
  }
  let a = 0;
  while (a < digits.length && digits[a] === '0') a += 1;
  let b = digits.length;
  while (b > a && digits[b - 1] === '0') {
    b -= 1;
    exponent += 1;
  }
  return a === b ? '0' : `${sign}${digits.slice(a, b)}e${exponent}`;
}

/**
 * The first number in a line of JSON that a double does not hold exactly (an 18-digit ID number
 * written as a number, a decimal of 20 digits). JSON.parse would round it silently; the row is
 * refused instead, asking for a string.
 */
function inexactNumber(text: string): string | undefined {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i += 1;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i += 2;
        else if (d === QUOTE) break;
        else i += 1;
      }
      i += 1;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j += 1;
        else break;
      }
      if (j - i >= 16 || /[eE]/.test(text.slice(i, j))) {
        const token = text.slice(i, j);
        const value = Number(token);
        if (!Number.isFinite(value) || decimalKey(token) !== decimalKey(String(value))) return token;
      }
      i = j;
    } else i += 1;
  }
  return undefined;
}

const isBlank = (line: string): boolean => {
  for (let k = 0; k < line.length; k += 1) {
    const c = line.charCodeAt(k);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
};

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const KIND_ZH: Record<string, string> = { null: 'null', array: '数组', string: '字符串', number: '数字', boolean: '布尔值' };

/**
 * Reads NDJSON (one JSON object per line, UTF-8 as RFC 8259 requires; a BOM is skipped) in
 * batches. Row 1 is the first non-blank line; blank lines are skipped. A line that is not JSON, not
 * an object, not UTF-8, or holds a number a double cannot hold exactly is yielded as an error for
 * that row; only a line past the length limit (NDJSON_LINE_TOO_LONG) or a UTF-16 file
 * (ENCODING_UNSUPPORTED) stops the reading. Values are JSON.parse's: read columns with
 * Object.hasOwn, not `in`.
 */
export async function* readNdjson(source: AsyncIterable<Uint8Array>, options: NdjsonOptions = {}): AsyncGenerator<NdjsonRecord[]> {
  const maxLine = options.maxLineLength ?? 16 * 1024 * 1024;
  const batchSize = Math.max(1, options.batchSize ?? 5000);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let out: NdjsonRecord[] = [];
  let row = 0;
  let line = 0;
  let held: Uint8Array[] = [];
  let heldLength = 0;
  let first = true;

  const tooLong = (): IngestFormatError =>
    new IngestFormatError(
      'NDJSON_LINE_TOO_LONG',
      `Row ${row + 1} (line ${line + 1}) is longer than ${maxLine} bytes`,
      `第 ${row + 1} 行（文件第 ${line + 1} 行）超过 ${maxLine} 字节`,
      { row: row + 1, line: line + 1 },
    );

  const text = (lineText: string): void => {
    line += 1;
    if (isBlank(lineText)) return;
    row += 1;
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      out.push({
        row,
        error: {
          code: 'JSON_INVALID',
          message: `Row ${row} (line ${line}) is not valid JSON: ${reason}`,
          messageZh: `第 ${row} 行（文件第 ${line} 行）不是有效的 JSON：${reason}`,
        },
      });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const kind = kindOf(value);
      out.push({
        row,
        error: {
          code: 'NOT_AN_OBJECT',
          message: `Row ${row} (line ${line}) is a JSON ${kind}, not an object`,
          messageZh: `第 ${row} 行（文件第 ${line} 行）是 JSON ${KIND_ZH[kind] ?? kind}，不是对象`,
        },
      });
      return;
    }
    const inexact = LONG_NUMBER.test(lineText) ? inexactNumber(lineText) : undefined;
    if (inexact !== undefined) {
      out.push({
        row,
        error: {
          code: 'JSON_INVALID',
          message: `Row ${row} (line ${line}): the number ${inexact} cannot be held exactly; write it as a string ("${inexact}")`,
          messageZh: `第 ${row} 行（文件第 ${line} 行）：数字 ${inexact} 超出可精确表示的范围，请写成字符串（"${inexact}"）`,
        },
      });
      return;
    }
    out.push({ row, value: value as Record<string, unknown> });
  };

  const notUtf8 = (): void => {
    line += 1;
    row += 1;
    out.push({
      row,
      error: {
        code: 'JSON_INVALID',
        message: `Row ${row} (line ${line}) is not valid UTF-8 (JSON text must be UTF-8)`,
        messageZh: `第 ${row} 行（文件第 ${line} 行）不是有效的 UTF-8 编码（JSON 文本须为 UTF-8）`,
      },
    });
  };

  // Whole lines of bytes (the last one may lack its LF only at the end of the input).
  const lines = (block: Uint8Array): void => {
    let start = 0;
    if (first) {
      first = false;
      if (hasUtf16Bom(block)) {
        throw new IngestFormatError(
          'ENCODING_UNSUPPORTED',
          'The file is UTF-16; NDJSON must be UTF-8',
          '文件为 UTF-16 编码；NDJSON 须为 UTF-8 编码',
          { row: 1, line: 1 },
        );
      }
      if (block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf) start = 3;
    }
    // The index in the block of the first line past the limit: the lines before it are read, so
    // that the error names its row. Only a block longer than the limit can hold such a line.
    let tooLongLine = -1;
    if (block.length - start > maxLine) {
      for (let p = start, index = 0; p < block.length; index += 1) {
        const lf = block.indexOf(LF, p);
        const end = lf < 0 ? block.length : lf;
        if (end - p > maxLine) {
          tooLongLine = index;
          break;
        }
        p = end + 1;
      }
    }
    let decoded: string | undefined;
    try {
      decoded = decoder.decode(block.subarray(start));
    } catch {
      decoded = undefined;
    }
    if (decoded !== undefined) {
      for (let p = 0, index = 0; p < decoded.length; index += 1) {
        if (index === tooLongLine) throw tooLong();
        const lf = decoded.indexOf('\n', p);
        const end = lf < 0 ? decoded.length : lf;
        text(decoded.slice(p, end));
        p = end + 1;
      }
      return;
    }
    // Some line is not UTF-8: decode line by line to find which.
    for (let p = start, index = 0; p < block.length; index += 1) {
      if (index === tooLongLine) throw tooLong();
      const lf = block.indexOf(LF, p);
      const end = lf < 0 ? block.length : lf;
      let lineText: string | undefined;
      try {
        lineText = decoder.decode(block.subarray(p, end));
      } catch {
        lineText = undefined;
      }
      if (lineText === undefined) notUtf8();
      else text(lineText);
      p = end + 1;
    }
  };

  function* batches(all: boolean): Generator<NdjsonRecord[]> {
    while (out.length >= batchSize) {
      yield out.length === batchSize ? out : out.slice(0, batchSize);
      out = out.length === batchSize ? [] : out.slice(batchSize);
    }
    if (all && out.length > 0) {
      yield out;
      out = [];
    }
  }

  for await (const chunk of source) {
    for (let p = 0; p < chunk.length; p += PIECE_BYTES) {
      const piece = chunk.subarray(p, p + PIECE_BYTES);
      const lf = piece.lastIndexOf(LF);
      if (lf < 0) {
        // A copy: the source may reuse its buffer.
        held.push(new Uint8Array(piece));
        heldLength += piece.length;
        if (heldLength > maxLine + 3) throw tooLong();
        continue;
      }
      const head = piece.subarray(0, lf + 1);
      lines(held.length === 0 ? head : Buffer.concat([...held, head]));
      held = [];
      heldLength = 0;
      if (lf + 1 < piece.length) {
        held.push(new Uint8Array(piece.subarray(lf + 1)));
        heldLength = piece.length - lf - 1;
      }
      yield* batches(false);
    }
  }
  if (heldLength > 0) lines(Buffer.concat(held));
  yield* batches(true);
}
