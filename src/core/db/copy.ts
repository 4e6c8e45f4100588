/**
 * PostgreSQL's COPY text format (one row per line, fields separated by tabs, `\N` for null), the
 * fastest way into a table on both engines: no planning, no parameter binding, one input function
 * call per value. Db.copyFrom sends it; these helpers write it.
 */

/** A table and the columns a COPY fills, in the order of the fields of each line. */
export interface CopyTarget {
  schema?: string;
  table: string;
  columns: readonly string[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `COPY "schema"."table" ("a", "b") FROM <source>`; names are checked, never interpolated raw. */
export function copyStatement(target: CopyTarget, source: 'STDIN' | "'/dev/blob'"): string {
  const names = [target.schema, target.table, ...target.columns].filter((n): n is string => n !== undefined);
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  if (target.columns.length === 0) throw new Error('COPY needs at least one column');
  const table = target.schema ? `"${target.schema}"."${target.table}"` : `"${target.table}"`;
  return `COPY ${table} (${target.columns.map((c) => `"${c}"`).join(', ')}) FROM ${source}`;
}

export const COPY_NULL = '\\N';

/**
 * One value in COPY text format: backslash, tab, newline and carriage return escaped; null as `\N`.
 * Most values need no escaping, so they are returned as they are.
 */
export function copyField(value: string | null): string {
  if (value === null) return COPY_NULL;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) return value.replace(/[\\\t\n\r]/g, escape);
  }
  return value;
}

const escape = (c: string): string => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r');

/** One line: the fields escaped and joined by tabs, ending in a newline. */
export function copyLine(fields: ReadonlyArray<string | null>): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) line += (i === 0 ? '' : '\t') + copyField(fields[i]!);
  return `${line}\n`;
}
