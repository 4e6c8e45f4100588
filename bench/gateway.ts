/**
 * gateway: single-record lookups by key through the sharing gateway over HTTP on PostgreSQL — each
 * request signed with a consumer's app credential (HMAC-SM3, a fresh nonce), authorised against its
 * grant, answered with the granted items masked, and recorded in the call log (batched into the
 * ledger). Goal (issue 5): ≥ 3,000 req/s with the load generator on the same 2-core machine,
 * p99 ≤ 50 ms, and at least half the rate of a bare handler.
 *
 * Baseline, in the same run and database: a bare Fastify + `pg` handler reading the same row by the
 * same key (no signature, grant, masking or log). Both servers run in this process, one at a time,
 * on a real port; the load generator is a child process (bench/gateway-client.ts) with CONCURRENCY
 * keep-alive connections. Gateway and bare rounds alternate, so a machine whose load drifts does not
 * favour one. Request logging is off for both (logger: false), as in the tests.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { systemActor } from '../src/core/auth/actor.js';
import { DEFAULT_DEMO_PASSWORD } from '../src/core/config.js';
import { openDb } from '../src/core/db/db.js';
import { openNode, type Node } from '../src/node.js';
import { openTestDb, testConfig } from '../test/helper.js';
import { grouped, ratio, within } from './format.js';
import { residentId, type ClientOptions, type ClientResult } from './gateway-client.js';

const ROWS = Number(process.env.BENCH_GATEWAY_ROWS ?? 50_000);
const CONCURRENCY = Number(process.env.BENCH_GATEWAY_CONCURRENCY ?? 32);
const ROUNDS = 2;
const ROUND_MS = Number(process.env.BENCH_GATEWAY_ROUND_MS ?? 10_000);
const WARMUP_MS = 3_000;
/** The node's pool, as configured by default (db.ts); the bare handler gets the same. */
const POOL_SIZE = 10;
const ROOT = path.resolve(import.meta.dirname, '..');

const ITEMS = [
  { name: '公民身份号码', column: 'resident_id', dataType: 'string', length: 18, isKey: true, piiKind: 'resident_id' },
  { name: '姓名', column: 'full_name', dataType: 'string', length: 50, piiKind: 'name' },
  { name: '联系电话', column: 'phone', dataType: 'string', length: 20, piiKind: 'phone' },
  { name: '户籍地址', column: 'address', dataType: 'string', length: 200, piiKind: 'address' },
  { name: '所在区划', column: 'division', dataType: 'string', length: 6 },
];
const SURNAMES = '王李张刘陈杨赵黄周吴马韩';
const GIVEN = ['海燕', '国强', '文博', '建华', '晓梅', '立新', '桂兰', '思远', '多杰', '卓玛'];

/** The CSV of ROWS people, in parts of about 64 KiB. */
function* csvParts(): Generator<Buffer> {
  let part = 'resident_id,full_name,phone,address,division\r\n';
  for (let i = 0; i < ROWS; i++) {
    const id = residentId(i);
    part += `${id},${SURNAMES[i % SURNAMES.length]}${GIVEN[i % GIVEN.length]},139${String(i).padStart(8, '0')},青海省西宁市城东区八一路${(i % 300) + 1}号,${id.slice(0, 6)}\r\n`;
    if (part.length > 32_000) {
      yield Buffer.from(part);
      part = '';
    }
  }
  if (part !== '') yield Buffer.from(part);
}

export async function inject<T>(app: FastifyInstance, method: 'GET' | 'POST', url: string, token: string | undefined, payload?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await app.inject({ method, url: `/api/v1${url}`, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(payload === undefined ? {} : { payload: payload as string }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

/** Through the API, as people would: an entry of the police with its table, a grant to the market, the market's app credential. */
async function prepare(node: Node, app: FastifyInstance): Promise<{ code: string; app: { appKey: string; secret: string }; table: string }> {
  const token = async (username: string) => (await inject<{ token: string }>(app, 'POST', '/auth/login', undefined, { username, password: DEFAULT_DEMO_PASSWORD })).token;
  const [editor, authority, approver, consumer] = await Promise.all(['police.editor', 'authority', 'police.approver', 'market.consumer'].map(token));
  const entry = await inject<{ id: string; code: string }>(app, 'POST', '/catalogs', editor, {
    name: '人口基本信息（网关基准）',
    summary: '共享网关基准测试用目录。',
    resourceType: 'basic',
    category: '1-01-001',
    format: 'table',
    shareType: 'conditional',
    shareCondition: '用于政务服务身份核验',
    shareMethods: ['api'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    items: ITEMS,
  });
  await inject(app, 'POST', `/catalogs/${entry.id}/submit`, editor);
  await inject(app, 'POST', `/catalogs/${entry.id}/approve`, authority);
  const resource = await inject<{ id: string }>(app, 'POST', `/catalogs/${entry.id}/resources`, editor, { kind: 'table' });
  await node.resources.load(systemActor('benchmark'), resource.id, {
    mode: 'replace',
    mediaType: 'text/csv',
    charset: 'utf-8',
    body: Readable.from(csvParts()),
    maxErrors: 0,
    dryRun: false,
  });
  const validUntil = new Date(Date.now() + 300 * 86400_000).toISOString().slice(0, 10);
  const application = await inject<{ id: string }>(app, 'POST', '/applications', consumer, {
    catalogId: entry.id,
    purpose: '基准测试',
    legalBasis: '《优化营商环境条例》',
    scenario: '一网通办',
    methods: ['api'],
    validUntil,
  });
  // A limit no benchmark reaches: the rate limiter still runs on every call.
  await inject(app, 'POST', `/applications/${application.id}/approve`, approver, { grant: { rateLimitPerMinute: 100_000 } });
  const credential = await inject<{ appKey: string; secret: string }>(app, 'POST', '/apps', consumer, { name: '网关基准' });
  const table = (await node.resources.shareSource(entry.code))!.table!.tableName;
  return { code: entry.code, app: credential, table };
}

function runClient(options: ClientOptions): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/gateway-client.ts'), JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ClientResult) : reject(new Error(`load generator exited with ${code}`))));
  });
}

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function run(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    console.log('gateway: skipped (set DATABASE_URL to a PostgreSQL server)');
    return;
  }
  const testDb = await openTestDb('demo');
  await testDb.db.close();
  const db = await openDb({ databaseUrl: testDb.url!, poolSize: POOL_SIZE });
  let node: Node | undefined;
  const bare = Fastify({ logger: false });
  const pool = new pg.Pool({ connectionString: testDb.url!, max: POOL_SIZE });
  try {
    node = await openNode(testConfig({ demoPersons: 0 }), { db, seedDemo: false, sequencer: true, housekeeping: false, worker: false });
    const gatewayApp = await buildApp(node, { logger: false });
    await gatewayApp.ready();
    const { code, app, table } = await within(300_000, 'preparing the benchmark', prepare(node, gatewayApp));
    const gatewayBase = await listen(gatewayApp);

    // The same row, read by the same key: what the gateway's answer costs over a plain read.
    const columns = ITEMS.map((i) => i.column).join(', ');
    bare.get('/bare/records', async (request) => {
      const { rows } = await pool.query(`select ${columns} from data.${table} where resident_id = $1`, [(request.query as { key: string }).key]);
      return { items: rows };
    });
    // The same with a named prepared statement, as the gateway's lookup by key uses: not the baseline
    // (a plain handler), but printed so that the ratio's share from preparing is visible.
    bare.get('/bare/prepared', async (request) => {
      const { rows } = await pool.query({ name: 'bare_by_key', text: `select ${columns} from data.${table} where resident_id = $1`, values: [(request.query as { key: string }).key] });
      return { items: rows };
    });
    const bareBase = await listen(bare);

    const common = { rows: ROWS, concurrency: CONCURRENCY, durationMs: ROUND_MS };
    const results: Record<'gateway' | 'bare' | 'prepared', ClientResult[]> = { gateway: [], bare: [], prepared: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const warmupMs = round === 0 ? WARMUP_MS : 500;
      results.gateway.push(await runClient({ ...common, warmupMs, mode: 'gateway', base: gatewayBase, path: `/api/v1/share/${encodeURIComponent(code)}/records`, app }));
      results.bare.push(await runClient({ ...common, warmupMs, mode: 'bare', base: bareBase, path: '/bare/records' }));
      results.prepared.push(await runClient({ ...common, warmupMs, mode: 'bare', base: bareBase, path: '/bare/prepared' }));
    }
    await gatewayApp.close();

    // A benchmark that fails only on a wrong result: every answer masked, every call recorded and in the ledger.
    for (const r of [...results.gateway, ...results.bare, ...results.prepared]) if (r.failures > 0) throw new Error(`${r.mode}: ${r.failures} failed requests, e.g. ${r.sample}`);
    const sample = JSON.parse(results.gateway[0]!.sample) as { items: Array<{ full_name: string; resident_id: string }> };
    if (!/^.\*+$/u.test(sample.items[0]!.full_name) || !/^\d{6}\*{8}\d{3}[\dX]$/.test(sample.items[0]!.resident_id)) throw new Error(`the gateway's answer is not masked: ${results.gateway[0]!.sample}`);
    await node.gateway.flushCalls();
    await node.ledger.flush();
    const { rows } = await sql<{ calls: number; unledgered: number }>`
      select count(*)::int as calls, count(*) filter (where not ledgered)::int as unledgered from share_calls where outcome = 'ok'`.execute(db.kysely);
    const answered = results.gateway.reduce((n, r) => n + r.requests, 0);
    if (rows[0]!.calls < answered || rows[0]!.unledgered > 0) throw new Error(`${answered} answered calls, ${rows[0]!.calls} recorded, ${rows[0]!.unledgered} not in the ledger`);

    const rate = (rs: ClientResult[]) => rs.reduce((n, r) => n + r.requests, 0) / rs.reduce((s, r) => s + r.seconds, 0);
    const gatewayRate = rate(results.gateway);
    const bareRate = rate(results.bare);
    const p99 = Math.max(...results.gateway.map((r) => r.p99));
    const p50 = Math.max(...results.gateway.map((r) => r.p50));
    console.log(`gateway: ${grouped(gatewayRate)} req/s, p99 ${p99.toFixed(1)} ms; bare: ${grouped(bareRate)} req/s; ratio ${ratio(gatewayRate, bareRate)}`);
    console.log(
      `  (${grouped(ROWS)} rows, ${CONCURRENCY} keep-alive connections, ${ROUNDS} × ${ROUND_MS / 1000} s per side alternating; gateway p50 ${p50.toFixed(1)} ms; ` +
        `bare p99 ${Math.max(...results.bare.map((r) => r.p99)).toFixed(1)} ms; per round gateway ${results.gateway.map((r) => grouped(r.requests / r.seconds)).join(' / ')}, ` +
        `bare ${results.bare.map((r) => grouped(r.requests / r.seconds)).join(' / ')} req/s; bare with a prepared statement ${grouped(rate(results.prepared))} req/s (ratio ${ratio(gatewayRate, rate(results.prepared))}); ` +
        `${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`,
    );
  } finally {
    await bare.close();
    await pool.end();
    await node?.close();
    await db.close().catch(() => undefined);
    await testDb.drop();
  }
}
