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
  return s
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : (ENTITY[e] ?? m),
    )
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The text of a string item (<si> or <is>): its <t> runs, without phonetic guides (<rPh>). */
function stringItem(xml: string): string {
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
        let next = 1;
        for (const r of xml.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
          const row = Number(attr(r[1]!, 'r') ?? next);
          next = row + 1;
          const cells = new Map<number, string>();
          let col = 0;
          for (const c of (r[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
            const ref = attr(c[1]!, 'r');
            col = ref ? columnIndex(ref) : col + 1;
            const inner = c[2];
            if (inner === undefined) continue;
            const type = attr(c[1]!, 't');
            const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
            let text: string;
            if (type === 'inlineStr') text = stringItem(/<is>([\s\S]*?)<\/is>/.exec(inner)?.[1] ?? '');
            else if (v === undefined) continue;
            else if (type === 's') text = sharedStrings()[Number(v)] ?? '';
            else if (type === 'b') text = v === '1' ? 'TRUE' : 'FALSE';
            else if (type === 'e') continue;
            else text = decode(v);
            if (text !== '') cells.set(col, text);
          }
          yield { row, cells };
        }
      },
    });
  }
  return sheets;
}
