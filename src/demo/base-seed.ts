import { Readable } from 'node:stream';
import type { CatalogService } from '../modules/catalog/index.js';
import type { ResourceService } from '../modules/resources/index.js';
import { baseLibraries, type BaseLibrary } from './base-libraries.js';
import { actorFor } from './catalog-seed.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';

/**
 * The demo base libraries (基础库: 人口, 法人, 电子证照, 社保) as a new user finds them: each library is
 * registered in the catalog by its department, published by the province's data authority, attached
 * as a table resource and loaded from CSV through the same pipeline as an upload, every value checked.
 */
export async function seedBaseLibraries(
  deps: { catalog: CatalogService; resources: ResourceService },
  organisations: ReadonlyMap<string, string>,
  users: ReadonlyMap<string, { id: string; organisation: string }>,
  options: { persons: number },
): Promise<{ libraries: number; rows: number; entries: Map<string, string> }> {
  const authorityOrg = DEMO_ORGANISATIONS.find((o) => o.kind === 'data_authority' && o.level === 'province')!;
  const reviewer = actorFor(users, 'authority', organisations.get(authorityOrg.key)!, 'data_authority');
  let rows = 0;
  // Each library's catalog entry, by library key (the sharing demo applies for them).
  const entries = new Map<string, string>();
  const libraries = baseLibraries({ persons: options.persons, enterprises: Math.floor(options.persons / 5) });
  for (const library of libraries) {
    const orgId = organisations.get(library.orgKey);
    if (!orgId) continue;
    const editor = actorFor(users, `${library.orgKey}.editor`, orgId, 'catalog_editor');
    const entry = await deps.catalog.create(editor, library.entry);
    await deps.catalog.submit(editor, entry.id);
    await deps.catalog.approve(reviewer, entry.id);
    entries.set(library.key, entry.id);
    const resource = await deps.resources.createForEntry(editor, entry.id, { kind: 'table' });
    const result = await deps.resources.load(editor, resource.id, {
      mode: 'replace',
      mediaType: 'text/csv',
      charset: 'utf-8',
      body: Readable.from(csv(library)),
      maxErrors: 0,
      dryRun: false,
      source: 'demo',
    });
    rows += result.inserted;
  }
  return { libraries: libraries.length, rows, entries };
}

const quote = (value: string | null): string => (value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The library as CSV, a thousand rows per chunk. */
function* csv(library: BaseLibrary): Generator<Buffer> {
  yield Buffer.from(`${library.entry.items.map((i) => i.column).join(',')}\n`);
  let chunk = '';
  let n = 0;
  for (const row of library.rows()) {
    chunk += `${row.map(quote).join(',')}\n`;
    if (++n % 1000 === 0) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') yield Buffer.from(chunk);
}
