import * as E from './connectors.errors.js';
import type { SourceRow } from './connectors.kinds.js';

/** A column of the target resource, as a connector needs to know it. */
export interface TargetColumn {
  column: string;
  isKey: boolean;
}

/**
 * Source rows → resource rows. With a mapping, exactly the mapped source columns are loaded, under
 * their resource names; without, source columns named like a resource column (letter case aside) are
 * loaded and the others ignored, so a `select *` with an extra column still loads.
 */
export class RowMapper {
  readonly #mapping: Readonly<Record<string, string>> | undefined;
  readonly #byName: Map<string, string>;
  readonly #targets = new Map<string, string | null>();
  readonly #keys: string[];

  constructor(mapping: Readonly<Record<string, string>> | undefined, columns: readonly TargetColumn[]) {
    this.#mapping = mapping;
    this.#byName = new Map(columns.map((c) => [c.column.toLowerCase(), c.column]));
    this.#keys = columns.filter((c) => c.isKey).map((c) => c.column);
  }

  /** The resource column a source column goes to, or null when it is not loaded. */
  target(source: string): string | null {
    let target = this.#targets.get(source);
    if (target === undefined) {
      target = (this.#mapping ? this.#mapping[source] : this.#byName.get(source.toLowerCase())) ?? null;
      this.#targets.set(source, target);
    }
    return target;
  }

  map(row: SourceRow): SourceRow {
    const out: SourceRow = {};
    for (const key in row) {
      const target = this.target(key);
      if (target !== null) out[target] = row[key];
    }
    return out;
  }

  /** Source columns that are not loaded, and resource columns no source column fills. */
  coverage(sourceColumns: readonly string[]): { ignored: string[]; unfilled: string[]; keysUnfilled: string[] } {
    const filled = new Set(sourceColumns.map((c) => this.target(c)).filter((t): t is string => t !== null));
    const unfilled = [...this.#byName.values()].filter((c) => !filled.has(c));
    return {
      ignored: sourceColumns.filter((c) => this.target(c) === null),
      unfilled,
      keysUnfilled: this.#keys.filter((k) => !filled.has(k)),
    };
  }
}

/**
 * The rows as NDJSON bytes for the resource's loader, one chunk per batch. The first batch is
 * checked to fill every key column: without it every row would be refused one by one.
 */
export async function* ndjsonBody(batches: AsyncIterable<SourceRow[]>, mapper: RowMapper, options: { refuseEmpty?: boolean } = {}): AsyncGenerator<Uint8Array> {
  let rows = 0;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    if (rows === 0) {
      const { keysUnfilled } = mapper.coverage(Object.keys(batch[0]!));
      if (keysUnfilled.length > 0) throw E.keyUnmapped(keysUnfilled);
    }
    let text = '';
    for (const row of batch) text += `${JSON.stringify(mapper.map(row))}\n`;
    rows += batch.length;
    yield Buffer.from(text, 'utf8');
  }
  if (rows === 0 && options.refuseEmpty) throw E.emptyReplace();
}
