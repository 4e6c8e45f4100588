/**
 * feed: change feeds from commit to a consumer's receipt (issue 5), over HTTP on PostgreSQL. A
 * consumer's system (bench/feed-client.ts, a child process) follows GET /feeds/{code}/changes with
 * signed long polls while the provider loads upserts back to back; each change's latency runs from
 * the moment its load committed (ResourceService.onChanged, the same clock) to the moment its page
 * was read. Goal: ≥ 10,000 changes/s, p99 ≤ 1,000 ms.
 *
 * Baseline, in the same run: the same backlog of changes read in-process straight from the change
 * log and table (ResourceService.shareChanges — no HTTP, signature, grant, masking or call log),
 * against the consumer draining it over HTTP; the ratio is what the feed's checks and transport cost.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { systemActor } from '../src/core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../src/core/config.js';
import { openDb } from '../src/core/db/db.js';
import type { ShareTable } from '../src/modules/resources/resources.share.js';
import { openNode, type Node } from '../src/node.js';
import { openTestDb, testConfig } from '../test/helper.js';
import type { FeedClientOptions, FeedClientResult } from './feed-client.js';
import { grouped, ratio, within } from './format.js';
import { residentId } from './gateway-client.js';
import { inject, listen } from './gateway.js';

/** The table's rows (distinct keys up to 60,000: see residentId): the first load is the backlog the consumer drains. */
const ROWS = Math.min(60_000, Number(process.env.BENCH_FEED_ROWS ?? 60_000));
/** Upserts during the live phase, each changing BATCH rows. */
const LOADS = Number(process.env.BENCH_FEED_LOADS ?? 40);
const BATCH = Number(process.env.BENCH_FEED_BATCH ?? 5_000);
const LIMIT = 5_000;
const POOL_SIZE = 10;
const ROOT = path.resolve(import.meta.dirname, '..');

const ITEMS = [
  { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
  { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
  { name: '所在区划', column: 'division', dataType: 'string', length: 6 },
];
const SURNAMES = '王李张刘陈杨赵黄周吴马韩';

function* csv(from: number, to: number, round: number): Generator<Buffer> {
  let part = 'resident_id,full_name,phone,division\r\n';
  for (let i = from; i < to; i++) {
    const id = residentId(i);
    part += `${id},${SURNAMES[(i + round) % SURNAMES.length]}第${round}轮,139${String(i).padStart(8, '0')},${id.slice(0, 6)}\r\n`;
    if (part.length > 32_000) {
      yield Buffer.from(part);
      part = '';
    }
  }
  if (part !== '') yield Buffer.from(part);
}

async function load(node: Node, resourceId: string, mode: 'replace' | 'upsert', from: number, to: number, round: number): Promise<void> {
  await node.resources.load(systemActor('benchmark'), resourceId, { mode, mediaType: 'text/csv', charset: 'utf-8', body: Readable.from(csv(from, to, round)), maxErrors: 0, dryRun: false });
}

/** Through the API: a police entry with a table, a grant with method table to the market, the market's app. */
async function prepare(node: Node, app: FastifyInstance): Promise<{ code: string; resourceId: string; app: { appKey: string; secret: string } }> {
  const token = async (username: string) => (await inject<{ token: string }>(app, 'POST', '/auth/login', undefined, { username, password: DEFAULT_DEMO_PASSWORD })).token;
  const [editor, authority, approver, consumer] = await Promise.all(['police.editor', 'authority', 'police.approver', 'market.consumer'].map(token));
  const entry = await inject<{ id: string; code: string }>(app, 'POST', '/catalogs', editor, {
    name: '人口变更（订阅基准）',
    summary: '变更订阅基准测试用目录。',
    resourceType: 'basic',
    category: '1-01-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: '用于政务服务',
    shareMethods: ['table'],
    openType: 'none',
    updateCycle: 'realtime',
    securityGrade: 'general',
    items: ITEMS,
  });
  await inject(app, 'POST', `/catalogs/${entry.id}/submit`, editor);
  await inject(app, 'POST', `/catalogs/${entry.id}/approve`, authority);
  const resource = await inject<{ id: string }>(app, 'POST', `/catalogs/${entry.id}/resources`, editor, { kind: 'table' });
  await load(node, resource.id, 'replace', 0, ROWS, 0);
  const validUntil = new Date(Date.now() + 300 * 86400_000).toISOString().slice(0, 10);
  const application = await inject<{ id: string }>(app, 'POST', '/applications', consumer, { catalogId: entry.id, purpose: '基准测试', legalBasis: '《优化营商环境条例》', scenario: '一网通办', methods: ['table'], validUntil });
  await inject(app, 'POST', `/applications/${application.id}/approve`, approver, { grant: { rateLimitPerMinute: 100_000 } });
  const credential = await inject<{ appKey: string; secret: string }>(app, 'POST', '/apps', consumer, { name: '订阅基准' });
  return { code: entry.code, resourceId: resource.id, app: credential };
}

function follow(options: FeedClientOptions): Promise<FeedClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/feed-client.ts'), JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as FeedClientResult) : reject(new Error(`feed consumer exited with ${code}`))));
  });
}

function check(result: FeedClientResult, expected: number, what: string): void {
  if (result.failure) throw new Error(`${what}: ${result.failure}`);
  if (result.changes !== expected) throw new Error(`${what}: ${result.changes} changes received, ${expected} expected`);
  const sample = JSON.parse(result.sample) as { record: { full_name: string; resident_id: string } | null };
  if (!sample.record || !/^.\*+$/u.test(sample.record.full_name) || !/^\d{6}\*{8}\d{3}[\dX]$/.test(sample.record.resident_id)) throw new Error(`${what}: the change is not masked: ${result.sample}`);
}

export async function run(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    console.log('feed: skipped (set DATABASE_URL to a PostgreSQL server)');
    return;
  }
  const testDb = await openTestDb('demo');
  await testDb.db.close();
  const db = await openDb({ databaseUrl: testDb.url!, poolSize: POOL_SIZE });
  let node: Node | undefined;
  try {
    node = await openNode(testConfig({ demoPersons: 0 }), { db, seedDemo: false, sequencer: true, housekeeping: false, worker: false });
    const gatewayApp = await buildApp(node, { logger: false });
    await gatewayApp.ready();
    const { code, resourceId, app } = await within(300_000, 'preparing the benchmark', prepare(node, gatewayApp));
    const base = await listen(gatewayApp);
    const feedPath = `/api/v1/feeds/${encodeURIComponent(code)}/changes`;
    const common = { base, path: feedPath, app, limit: LIMIT, timeoutMs: 300_000 };

    // The backlog: the first load's ROWS inserts, read in-process (baseline), then over HTTP.
    const table = (await node.resources.shareSource(code))!.table as ShareTable;
    const columns = ITEMS.map((i) => i.column);
    let t0 = performance.now();
    for (let after = 0; after < ROWS; ) {
      const next = (await node.resources.shareChanges(table, { after, limit: LIMIT, columns })).scannedTo;
      if (next === after) throw new Error(`the backlog ends at ${after}, not ${ROWS}`);
      after = next;
    }
    const baselineRate = ROWS / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    const drained = await follow({ ...common, after: '0', until: ROWS });
    const drainRate = ROWS / ((performance.now() - t0) / 1000);
    check(drained, ROWS, 'draining the backlog');

    // Live: upserts committed back to back while the consumer follows with long polls.
    const commits: Array<{ to: number; at: number }> = [];
    node.resources.onChanged((id, seq) => {
      if (id === resourceId) commits.push({ to: seq, at: Date.now() });
    });
    const total = LOADS * BATCH;
    const consumer = follow({ ...common, after: String(ROWS), until: ROWS + total });
    await new Promise((r) => setTimeout(r, 500));
    const liveStart = Date.now();
    for (let round = 1; round <= LOADS; round++) {
      const from = ((round - 1) * BATCH) % ROWS;
      await load(node, resourceId, 'upsert', from, from + BATCH, round);
    }
    const producedIn = (Date.now() - liveStart) / 1000;
    const live = await consumer;
    check(live, total, 'following the upserts');

    // Each change's latency: its page's receipt minus its load's commit.
    const latencies: number[] = [];
    for (const [first, last, , received] of live.pages) {
      for (let seq = first; seq <= last; seq++) {
        const commit = commits.find((c) => c.to >= seq)!;
        latencies.push(received - commit.at);
      }
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    const lastReceipt = live.pages[live.pages.length - 1]![3];
    const liveRate = total / ((lastReceipt - liveStart) / 1000);
    console.log(`feed: ${grouped(liveRate)} changes/s, p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms`);
    console.log(
      `  (live: ${LOADS} upserts of ${grouped(BATCH)} rows committed back to back in ${producedIn.toFixed(1)} s, followed with long polls of up to ${grouped(LIMIT)} changes, ${live.polls} polls; ` +
        `backlog of ${grouped(ROWS)} inserts drained over HTTP at ${grouped(drainRate)} changes/s against ${grouped(baselineRate)} read in-process, ratio ${ratio(drainRate, baselineRate)}; ` +
        `${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`,
    );
    await gatewayApp.close();
  } finally {
    await node?.close();
    await db.close().catch(() => undefined);
    await testDb.drop();
  }
}
