import zlib from 'node:zlib';

/**
 * A small reader for the cell values of an .xlsx (Office Open XML) workbook: sheet names and, per
 * sheet, rows of cell text. exceljs's readers do not fit an import endpoint: the in-memory one expands
 * every data validation range into one object per cell (a whole-column drop-down is a million), and the
 * streaming one decodes each chunk on its own, which cuts Chinese characters that straddle two chunks.
 * Only what an import needs is read: shared strings, inline strings, numbers, booleans, formula results.
 */

export class XlsxError extends Error {}

/** Zip entries are read from the central directory; sizes are capped so a zip bomb costs little. */
function zipEntries(buf: Buffer): Map<string, { method: number; size: number; declared: number; offset: number }> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > buf.length) throw new XlsxError('no zip end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, { method: number; size: number; declared: number; offset: number }>();
  for (let i = 0; i < count; i += 1) {
    if (off + 46 > buf.length || buf.readUInt32LE(off) !== 0x02014b50) throw new XlsxError('bad central directory');
    const nameLength = buf.readUInt16LE(off + 28);
    const name = buf.toString('utf8', off + 46, off + 46 + nameLength).replace(/^\//, '');
    entries.set(name, {
      method: buf.readUInt16LE(off + 10),
      size: buf.readUInt32LE(off + 20),
      declared: buf.readUInt32LE(off + 24),
      offset: buf.readUInt32LE(off + 42),
    });
    off += 46 + nameLength + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
  }
  return entries;
}

function entryText(buf: Buffer, e: { method: number; size: number; declared: number; offset: number }, maxBytes: number): string {
  if (e.offset + 30 > buf.length || buf.readUInt32LE(e.offset) !== 0x04034b50) throw new XlsxError('bad local header');
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.size);
  if (e.method === 0) return data.toString('utf8');
  if (e.method !== 8) throw new XlsxError(`compression method ${e.method}`);
  // maxOutputLength makes an entry that inflates past the cap fail instead of filling memory.
  return zlib.inflateRawSync(data, { maxOutputLength: maxBytes }).toString('utf8');
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML entities, then OOXML's own escapes of control characters (`_x000D_`). */
function decode(s: string): string {
  if (s.indexOf('&') < 0 && s.indexOf('_x') < 0) return s;
  return s
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : (ENTITY[e] ?? m),
    )
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The text of a string item (<si> or <is>): its <t> runs, without phonetic guides (<rPh>). */
function stringItem(xml: string): string {
  // The common case, one plain run: <t>text</t> or <t xml:space="preserve">text</t>.
  if (xml.startsWith('<t') && xml.endsWith('</t>') && xml.indexOf('<', 2) === xml.length - 4) {
    const open = xml.indexOf('>');
    if (open > 0 && (open === 2 || xml.charCodeAt(2) === 32)) return decode(xml.slice(open + 1, -4));
  }
  const body = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let out = '';
  for (const m of body.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) out += decode(m[1]!);
  return out;
}

const ATTRIBUTES = new Map<string, RegExp>();
const attr = (attrs: string, name: string): string | undefined => {
  let re = ATTRIBUTES.get(name);
  if (!re) ATTRIBUTES.set(name, (re = new RegExp(`(?:^|\\s)${name}="([^"]*)"`)));
  return re.exec(attrs)?.[1];
};

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n;
}

/**
 * The rows of a worksheet's XML, scanned with indexOf rather than regular expressions: an import of
 * 5,000 entries has some 400,000 cells, and this is most of the time it takes to read them.
 */
function* sheetRows(xml: string, sharedStrings: () => string[]): Generator<{ row: number; cells: Map<number, string> }> {
  let next = 1;
  let at = xml.indexOf('<sheetData');
  while (at >= 0) {
    const start = xml.indexOf('<row', at);
    if (start < 0) return;
    const open = xml.indexOf('>', start);
    if (open < 0) throw new XlsxError('unterminated row');
    const boundary = xml.charCodeAt(start + 4);
    if (boundary !== 32 && boundary !== 62 && boundary !== 47) {
      at = open + 1; // <rowBreaks> or another element that starts with "row"
      continue;
    }
    const selfClosing = xml.charCodeAt(open - 1) === 47;
    const rowAttrs = xml.slice(start + 4, selfClosing ? open - 1 : open);
    const row = Number(attr(rowAttrs, 'r') ?? next);
    next = row + 1;
    const cells = new Map<number, string>();
    if (selfClosing) {
      at = open + 1;
      yield { row, cells };
      continue;
    }
    const end = xml.indexOf('</row>', open);
    if (end < 0) throw new XlsxError('unterminated row');
    let col = 0;
    let c = xml.indexOf('<c', open);
    while (c >= 0 && c < end) {
      const cOpen = xml.indexOf('>', c);
      const after = xml.charCodeAt(c + 2);
      if (after !== 32 && after !== 62 && after !== 47) {
        c = xml.indexOf('<c', cOpen);
        continue;
      }
      const cSelf = xml.charCodeAt(cOpen - 1) === 47;
      const attrs = xml.slice(c + 2, cSelf ? cOpen - 1 : cOpen);
      const ref = attr(attrs, 'r');
      col = ref ? columnIndex(ref) : col + 1;
      if (cSelf) {
        c = xml.indexOf('<c', cOpen);
        continue;
      }
      const cEnd = xml.indexOf('</c>', cOpen);
      if (cEnd < 0 || cEnd > end) throw new XlsxError('unterminated cell');
      const text = cellText(xml.slice(cOpen + 1, cEnd), attr(attrs, 't'), sharedStrings);
      if (text !== undefined && text !== '') cells.set(col, text);
      c = xml.indexOf('<c', cEnd + 4);
    }
    at = end + 6;
    yield { row, cells };
  }
}

function cellText(inner: string, type: string | undefined, sharedStrings: () => string[]): string | undefined {
  if (type === 'inlineStr') return stringItem(/<is>([\s\S]*?)<\/is>/.exec(inner)?.[1] ?? '');
  const vStart = inner.indexOf('<v>');
  if (vStart < 0) return undefined;
  const vEnd = inner.indexOf('</v>', vStart);
  if (vEnd < 0) return undefined;
  const v = inner.slice(vStart + 3, vEnd);
  if (type === 's') return sharedStrings()[Number(v)] ?? '';
  if (type === 'b') return v === '1' ? 'TRUE' : 'FALSE';
  if (type === 'e') return undefined;
  return decode(v);
}

export interface XlsxSheet {
  name: string;
  /** Yields rows in order: 1-based row number and cell text by 1-based column (blank cells absent). */
  rows(): Generator<{ row: number; cells: Map<number, string> }>;
}

export interface XlsxLimits {
  /** Largest uncompressed size of one part (sheet, shared strings) in bytes. */
  maxPartBytes: number;
}

/** The workbook's sheets, in workbook order; a sheet's XML is inflated only when its rows are read. */
export function readXlsx(buf: Buffer, limits: XlsxLimits): XlsxSheet[] {
  const entries = zipEntries(buf);
  const part = (name: string): string | undefined => {
    const e = entries.get(name);
    return e ? entryText(buf, e, limits.maxPartBytes) : undefined;
  };
  const workbook = part('xl/workbook.xml');
  if (workbook === undefined) throw new XlsxError('no xl/workbook.xml');
  const rels = new Map<string, string>();
  for (const m of (part('xl/_rels/workbook.xml.rels') ?? '').matchAll(/<Relationship\b([^>]*)\/?>/g)) {
    const id = attr(m[1]!, 'Id');
    const target = attr(m[1]!, 'Target');
    if (id && target) rels.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  let shared: string[] | undefined;
  const sharedStrings = (): string[] => {
    shared ??= [...(part('xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)].map((m) => (m[1] === undefined ? '' : stringItem(m[1])));
    return shared;
  };
  const sheets: XlsxSheet[] = [];
  for (const m of workbook.matchAll(/<sheet\b([^>]*)\/?>/g)) {
    const name = decode(attr(m[1]!, 'name') ?? '');
    const rid = /\br:id="([^"]*)"|\bid="([^"]*)"/.exec(m[1]!);
    const path = rels.get(rid?.[1] ?? rid?.[2] ?? '');
    if (!path) continue;
    sheets.push({
      name,
      *rows() {
        const xml = part(path);
        if (xml === undefined) return;
        yield* sheetRows(xml, sharedStrings);
      },
    });
  }
  return sheets;
}
