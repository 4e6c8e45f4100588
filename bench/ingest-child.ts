/**
 * The loading half of the ingest benchmark (bench/ingest.ts), in its own process so that the peak
 * RSS it reports is the loader's: a node on the benchmark's database loads the CSV into the table
 * resource as the provider's editor (mode replace, nothing may be refused), and prints one JSON line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DEMO_PASSWORD } from '../src/core/config.js';
import { openDb } from '../src/core/db/db.js';
import { openNode } from '../src/node.js';
import { testConfig } from '../test/helper.js';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (bench/ingest.ts sets it)`);
  return value;
};

const db = await openDb({ databaseUrl: need('BENCH_INGEST_DATABASE_URL'), poolSize: 4 });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tianshu-bench-ingest-'));
const node = await openNode(testConfig({ dataDir }), { db, seedDemo: false, sequencer: false, housekeeping: false });
try {
  const { token } = await node.identity.login('police.editor', DEFAULT_DEMO_PASSWORD, { ip: '127.0.0.1' });
  const editor = (await node.identity.userFromToken(token))!;
  const id = need('BENCH_INGEST_RESOURCE');
  let mergeAt = 0;
  node.resources.onMerge(() => (mergeAt = performance.now()));
  const start = performance.now();
  const result = await node.resources.load(editor, id, {
    mode: 'replace',
    mediaType: 'text/csv',
    charset: 'utf-8',
    body: fs.createReadStream(need('BENCH_INGEST_FILE'), { highWaterMark: 1 << 20 }),
    maxErrors: 0,
    dryRun: false,
  });
  const ms = performance.now() - start;
  const rowCount = (await node.resources.get(editor, id)).rowCount;
  // maxRSS is in kilobytes: the most this process held at once, the load included.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  // Where the time went: reading, checking and staging (overlapped), then the merge transaction.
  const stagedMs = mergeAt - start;
  console.log(JSON.stringify({ ms, stagedMs, peakRssMb, rowsRead: result.rowsRead, inserted: result.inserted, rejected: result.rejected, rowCount }));
} finally {
  await node.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
