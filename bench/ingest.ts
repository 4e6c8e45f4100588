/**
 * ingest: rows per second loaded into a table resource on PostgreSQL with every value checked —
 * what POST /resources/{id}/data does after the bytes arrive: reading the CSV, checking each value
 * against its info item (resident-ID and division-code checksums, dates, phones, lengths), spooling
 * the accepted rows, then one merge transaction (staging COPY, duplicate keys, insert with the change
 * log). Goals (issue 4): ≥ 150,000 rows/s, ≥ 0.5 of a plain COPY, peak RSS ≤ 500 MB.
 *
 * The file: ROWS persons of the demo population library (src/demo/base-libraries.ts), 12 of its
 * columns, UTF-8 CSV, written once to the temp directory and reused. The load runs in a child process
 * (bench/ingest-child.ts) so that its peak RSS is the loader's alone, not this process's.
 *
 * Baseline, in the same run and database: the same file with a plain `COPY … FROM STDIN (FORMAT csv)`
 * into an unvalidated table with the same column types and no key, streamed from the file by
 * pg-copy-streams — the fastest way PostgreSQL takes these rows, with nothing checked.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_DEMO_PASSWORD } from '../src/core/config.js';
import { baseLibraries } from '../src/demo/base-libraries.js';
import type { CatalogEntryInputType } from '../src/modules/catalog/catalog.schemas.js';
import { postgresType } from '../src/modules/resources/ingest/values.js';
import { openNode } from '../src/node.js';
import { openTestDb, testConfig } from '../test/helper.js';
import { grouped, ratio } from './format.js';

const ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
/** The 12 columns of the file: text, dates, codes with checksums, a boolean-free mix as uploads have. */
export const INGEST_COLUMNS = [
  'resident_id',
  'full_name',
  'gender',
  'ethnicity',
  'birth_date',
  'birthplace_code',
  'household_division_code',
  'household_address',
  'phone',
  'education',
  'marital_status',
  'data_updated_at',
] as const;

function populationEntry(persons: number) {
  const library = baseLibraries({ persons, enterprises: 0 }).find((l) => l.key === 'population')!;
  const keep = INGEST_COLUMNS.map((c) => library.entry.items.findIndex((i) => i.column === c));
  if (keep.includes(-1)) throw new Error('the population library no longer has the benchmark columns');
  const entry: CatalogEntryInputType = { ...library.entry, name: `${library.entry.name}（入库基准）`, items: keep.map((k) => library.entry.items[k]!) };
  return { library, keep, entry };
}

const quote = (value: string | null): string => (value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The CSV, made once per row count (about 170 bytes a row). */
async function csvFile(): Promise<string> {
  const file = path.join(os.tmpdir(), `tianshu-bench-ingest-${ROWS}.csv`);
  if (fs.existsSync(file)) return file;
  const start = performance.now();
  const { library, keep } = populationEntry(ROWS);
  const temp = `${file}.${process.pid}`;
  const out = fs.createWriteStream(temp);
  out.write(`${INGEST_COLUMNS.join(',')}\n`);
  let chunk = '';
  let n = 0;
  for (const row of library.rows()) {
    chunk += `${keep.map((k) => quote(row[k] ?? null)).join(',')}\n`;
    if (++n % 5000 === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  fs.renameSync(temp, file);
  console.log(`ingest: wrote ${grouped(n)} rows, ${grouped(fs.statSync(file).size / 1024 / 1024)} MiB to ${file} in ${grouped(performance.now() - start)} ms`);
  return file;
}

interface ChildResult {
  ms: number;
  stagedMs: number;
  peakRssMb: number;
  rowsRead: number;
  inserted: number;
  rejected: number;
  rowCount: number;
}

function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.BENCH_INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', path.join(import.meta.dirname, 'ingest-child.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`the ingest child exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

export async function run(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    console.log('ingest: runs against PostgreSQL; set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
    return;
  }
  const file = await csvFile();
  const testDb = await openTestDb('demo');
  try {
    // The entry and its table resource, made as a provider would: registered, published, attached.
    const node = await openNode(testConfig(), { db: testDb.db, seedDemo: false, sequencer: false, housekeeping: false });
    let resourceId: string;
    try {
      const login = async (username: string) => (await node.identity.userFromToken((await node.identity.login(username, DEFAULT_DEMO_PASSWORD, { ip: '127.0.0.1' })).token))!;
      const editor = await login('police.editor');
      const authority = await login('authority');
      const created = await node.catalog.create(editor, populationEntry(1).entry);
      await node.catalog.submit(editor, created.id);
      await node.catalog.approve(authority, created.id);
      resourceId = (await node.resources.createForEntry(editor, created.id, { kind: 'table' })).id;
    } finally {
      await node.close();
    }
    const columns = (await testDb.db.kysely.selectFrom('resources').select('columns').where('id', '=', resourceId).executeTakeFirstOrThrow()).columns!;

    // Baseline: a plain COPY of the same file into an unchecked table of the same types.
    const client = new pg.Client({ connectionString: testDb.url });
    await client.connect();
    let copyMs: number;
    try {
      await client.query(`create table bench_plain_copy (${columns.map((c) => `"${c.column}" ${postgresType(c)}`).join(', ')})`);
      const start = performance.now();
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`copy bench_plain_copy from stdin (format csv, header true)`)));
      copyMs = performance.now() - start;
      const { rows } = await client.query<{ n: string }>('select count(*) as n from bench_plain_copy');
      if (Number(rows[0]!.n) !== ROWS) throw new Error(`the plain COPY loaded ${rows[0]!.n} rows, not ${ROWS}`);
      await client.query('drop table bench_plain_copy');
      await client.query('checkpoint');
    } finally {
      await client.end();
    }

    const result = await runChild({ BENCH_INGEST_DATABASE_URL: testDb.url!, BENCH_INGEST_RESOURCE: resourceId, BENCH_INGEST_FILE: file });
    if (result.rowsRead !== ROWS || result.inserted !== ROWS || result.rejected !== 0 || result.rowCount !== ROWS) {
      throw new Error(`the load did not take every row: ${JSON.stringify(result)}`);
    }
    const ingestRate = (ROWS / result.ms) * 1000;
    const copyRate = (ROWS / copyMs) * 1000;
    console.log(
      `ingest: ${grouped(ingestRate)} rows/s, copy: ${grouped(copyRate)} rows/s, ratio ${ratio(ingestRate, copyRate)}, peak-rss ${grouped(result.peakRssMb)} MB` +
        ` (${grouped(ROWS)} rows × ${INGEST_COLUMNS.length} columns, ${grouped(fs.statSync(file).size / 1024 / 1024)} MiB CSV; load ${grouped(result.ms)} ms of which read, checked and staged ${grouped(result.stagedMs)} ms, merged ${grouped(result.ms - result.stagedMs)} ms; copy ${grouped(copyMs)} ms)`,
    );
  } finally {
    await testDb.drop();
  }
}
