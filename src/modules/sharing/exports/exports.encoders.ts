import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { exportErrors as E } from './exports.errors.js';
import type { ByteSink, ExportContext, ExportEncoder, ExportRecord } from './exports.pipeline.js';
import type { ExportFormat } from './exports.repository.js';

/**
 * The encode stage: CSV (UTF-8 with a BOM, so that Excel opens Chinese text correctly; RFC 4180
 * quoting; CRLF) and xlsx (exceljs's streaming writer: rows are committed as they come, so memory
 * holds the compressed output of a page rather than every cell). Both start with a header row of the
 * column names — the same names as the gateway's JSON — and write values as text or numbers, never as
 * formulas. xlsx adds a second sheet 说明 that names the recipient, the entry and each column's
 * Chinese name, and carries the watermark stage's metadata in its document properties.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A worksheet holds 1,048,576 rows; one is the header. */
export const XLSX_MAX_ROWS = 1_048_575;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** A field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR or LF (or starts/ends with a space). */
export function csvField(value: unknown): string {
  const s = text(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Characters a spreadsheet reads as the start of a formula (=, +, -, @) or that hide one (tab, CR). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number (-5, +3.2, 1e-3): a spreadsheet reads it as a number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A value of the exported data as a CSV field, safe to open in a spreadsheet. CSV has no types:
 * Excel and WPS evaluate a text cell that starts with =, +, -, @ (or a tab or CR before one) as a
 * formula — `=HYPERLINK(...)` or `=cmd|...` in a provider's data would run on the recipient's machine
 * (CSV/formula injection). As OWASP recommends, such text is written with a leading single quote,
 * which spreadsheets show as text and do not evaluate. Numbers are left alone — number values, and
 * text that is a plain number such as `-5`, which a spreadsheet reads as the number it is.
 * (xlsx needs none of this: its cells are typed, and text is never a formula.)
 */
export function csvCell(value: unknown): string {
  if (typeof value === 'string' && FORMULA_START.test(value) && !PLAIN_NUMBER.test(value)) return csvField(`'${value}`);
  return csvField(value);
}

export class CsvEncoder implements ExportEncoder {
  readonly format = 'csv';
  readonly mediaType = 'text/csv; charset=utf-8';
  readonly extension = 'csv';
  #sink: ByteSink | undefined;

  async begin(context: ExportContext, sink: ByteSink): Promise<void> {
    this.#sink = sink;
    await sink.write(Buffer.concat([BOM, Buffer.from(`${context.columns.map((c) => csvField(c.column)).join(',')}\r\n`, 'utf8')]));
  }

  async write(rows: readonly ExportRecord[], context: ExportContext): Promise<void> {
    if (rows.length === 0) return;
    const columns = context.columns.map((c) => c.column);
    let out = '';
    for (const r of rows) out += `${columns.map((c) => csvCell(r[c])).join(',')}\r\n`;
    await this.#sink!.write(Buffer.from(out, 'utf8'));
  }

  async end(): Promise<void> {
    // CSV has no place for properties: the recipient is recorded with the export and in the ledger.
  }
}

/** A cell's value: numbers and booleans as themselves, everything else as text (never a formula). */
function cell(value: unknown): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return text(value);
}

export class XlsxEncoder implements ExportEncoder {
  readonly format = 'xlsx';
  readonly mediaType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  readonly extension = 'xlsx';
  #workbook: ExcelJS.stream.xlsx.WorkbookWriter | undefined;
  #sheet: ExcelJS.Worksheet | undefined;
  #out: PassThrough | undefined;
  /** The bytes the zip has produced, written to the sink one after another. */
  #writing: Promise<void> = Promise.resolve();
  #failed: unknown;
  #rows = 0;

  async begin(context: ExportContext, sink: ByteSink): Promise<void> {
    const out = new PassThrough();
    this.#out = out;
    out.on('data', (bytes: Buffer) => {
      this.#writing = this.#writing.then(() => (this.#failed === undefined ? sink.write(bytes) : undefined)).catch((err: unknown) => {
        this.#failed ??= err;
      });
    });
    // Loaded on first use (a third of a second), as the catalog's workbook export does.
    const { default: excel } = await import('exceljs');
    const wb = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    wb.creator = 'Tianshu 天枢';
    wb.created = context.requestedAt;
    this.#workbook = wb;
    const sheet = wb.addWorksheet('数据', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = context.columns.map((c) => ({ key: c.column, width: Math.min(40, Math.max(12, c.column.length + 2)) }));
    const header = sheet.addRow(context.columns.map((c) => c.column));
    header.font = { bold: true };
    header.commit();
    this.#sheet = sheet;
  }

  async write(rows: readonly ExportRecord[], context: ExportContext): Promise<void> {
    if (this.#rows + rows.length > XLSX_MAX_ROWS) throw E.tooManyRows(XLSX_MAX_ROWS);
    const columns = context.columns.map((c) => c.column);
    for (const r of rows) this.#sheet!.addRow(columns.map((c) => cell(r[c]))).commit();
    this.#rows += rows.length;
    await this.#settle();
  }

  /** Lets the zip flush what it has and waits for the sink: a page's bytes are stored before the next page is read. */
  async #settle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await this.#writing;
    if (this.#failed !== undefined) throw this.#failed;
  }

  async end(context: ExportContext): Promise<void> {
    const wb = this.#workbook!;
    this.#sheet!.commit();
    const about = wb.addWorksheet('说明');
    about.columns = [{ width: 22 }, { width: 60 }];
    const m = context.metadata;
    const lines: Array<[string, string]> = [
      ['目录', `${context.catalog.name}（${context.catalog.code}）`],
      ['提供部门', context.provider.name],
      ['使用部门', context.recipient.organisationName],
      ['导出人', context.recipient.displayName],
      ['导出编号', context.exportId],
      ['授权编号', context.grantId],
      ['导出时间', context.requestedAt.toISOString()],
      ['数据行数', String(this.#rows)],
      ['', ''],
      ['字段', '信息项名称'],
      ...context.columns.map((c): [string, string] => [c.column, c.name]),
    ];
    for (const line of lines) about.addRow(line).commit();
    about.commit();
    // The document properties carry the watermark stage's record (File → Info in Excel).
    wb.title = `${context.catalog.name}（${context.catalog.code}）`;
    wb.subject = `共享数据导出 / shared data export ${context.exportId}`;
    wb.keywords = Object.entries(m)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    wb.description = `仅供${m.recipientOrganisation ?? context.recipient.organisationName}（${m.recipient ?? context.recipient.displayName}）依授权使用，不得向第三方提供。For the recipient named here only, under grant ${context.grantId}.`;
    wb.lastModifiedBy = m.recipient ?? context.recipient.displayName;
    wb.category = 'tianshu-export';
    await wb.commit();
    await new Promise<void>((resolve, reject) => {
      if (this.#out!.readableEnded) return resolve();
      this.#out!.on('end', resolve);
      this.#out!.on('error', reject);
    });
    await this.#writing;
    if (this.#failed !== undefined) throw this.#failed;
  }
}

export function encoderFor(format: ExportFormat): ExportEncoder {
  return format === 'xlsx' ? new XlsxEncoder() : new CsvEncoder();
}
