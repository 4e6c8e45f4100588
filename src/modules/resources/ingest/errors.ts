import { InputError } from '../../../core/errors.js';

/**
 * A problem with the file as a whole that stops reading it: bytes that are not text in the
 * declared encoding, an unterminated quote, a field past its limit, a workbook that is not one.
 * Problems with one row (a wrong number of fields, a bad value) are not thrown: the loader reports
 * them per row. It is an InputError, so if it escapes a route it still becomes a 400 with both
 * messages rather than a 500.
 */
export class IngestFormatError extends InputError {
  /** The record being read: 0 is the header, 1 the first data row. */
  readonly row?: number;
  /** The physical line (1-based) where that record starts, for text formats. */
  readonly line?: number;

  constructor(code: string, message: string, messageZh: string, where: { row?: number; line?: number } = {}) {
    super(code, message, messageZh, { ...where });
    if (where.row !== undefined) this.row = where.row;
    if (where.line !== undefined) this.line = where.line;
  }
}
